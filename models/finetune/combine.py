"""An ensemble of a run's finished methods: saved, reloaded and evaluated on the run's rows.

Models that err differently average into one that errs less: on NSMC validation, character
n-grams (0.839) and e5 with its top 4 layers trained (0.838) averaged to 0.859. When one member is
much weaker (a 3-minute budget buys the encoder a few thousand reviews), an equal average drags the
stronger one down, so the weights are chosen on validation rows the evaluation never sees. The
ensemble is evaluated by loading it back from disk through the Classification tab's own loader, so
what the record reports is what the tab will serve.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from models.classify.classifiers import Classifier
from models.classify.ensemble import (
    WEIGHT_MARGIN,
    Weighting,
    average,
    choose_weights,
    write_ensemble,
)
from models.classify.loaders import get_classifier
from models.core.device import is_main_process
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, join
from models.core.monitor import Monitor
from models.finetune.checkpoint import folder_mb
from models.finetune.methods import method_title
from models.finetune.prepared import PreparedRun
from models.finetune.runs import MethodResult, RunRecord


def ensemble_result(
    run: PreparedRun, record: RunRecord, folder: Path, monitor: Monitor
) -> MethodResult:
    """Average the finished methods of ``record``; failures are recorded, not raised."""
    result = MethodResult(method="ensemble", learning_rate=0.0)
    members = [m for m in record.methods if m.status == "done" and m.checkpoint]
    if len(members) < 2:
        result.status = "skipped"
        result.error = Text(
            "An ensemble needs at least two finished methods with a checkpoint.",
            "앙상블에는 체크포인트가 있는 끝난 방법이 둘 이상 필요합니다.",
        )
        return result
    started = time.perf_counter()
    titles = join([method_title(m.method) for m in members], ", ")
    weighting: Weighting | None = None
    try:
        paths = [m.merged_checkpoint or m.checkpoint for m in members]
        monitor.method("ensemble", status="choosing weights")
        weighting = _weigh(run, paths)
        monitor.method("ensemble", status="evaluating", total_steps=len(run.data.eval), step=0)
        if is_main_process():
            write_ensemble(
                folder,
                paths,
                run.data.labels,
                weights=weighting.weights,
                task=run.config.task, dataset=run.config.dataset, method="ensemble",
                run_id=record.run_id, member_methods=[m.method for m in members],
                weighting=asdict(weighting),
            )  # fmt: skip
        classifier = get_classifier(run.config.task, str(folder))
        probs = _probs(classifier, run.data.eval, run.data.pair)
        truth = _truth(run.data.eval, classifier.labels)
        result.record_metrics(probs.argmax(1), truth, len(classifier.labels))
        result.trainable_params = sum(m.trainable_params for m in members)
        result.total_params = sum(m.total_params for m in members)
        result.trainable_pct = 100.0 * result.trainable_params / max(result.total_params, 1)
        result.checkpoint = str(folder)
        result.checkpoint_mb = folder_mb(folder) + sum(folder_mb(Path(p)) for p in paths)
        result.train_s = sum(m.train_s for m in members)
        result.peak_mem_mb = max(m.peak_mem_mb for m in members)
        result.status = "done"
    except (PlaygroundError, RuntimeError, ValueError, OSError) as err:
        result.status, result.error = (
            "failed",
            Text("{kind}: {err}", "{kind}: {err}", kind=type(err).__name__, err=error_text(err)),
        )
    result.wall_s = sum(m.wall_s for m in members) + time.perf_counter() - started
    result.fit = {
        "verdict": "average" if weighting is None or weighting.equal else "weighted average",
        "note": Text(
            "Averages the label probabilities of {titles}{how}; nothing new is trained. Time and "
            "size are the members' together.",
            "{titles}의 레이블 확률을 평균합니다{how}. 새로 학습하는 것은 없으며, 시간과 크기는 "
            "구성 방법들을 합친 값입니다.",
            titles=titles,
            how=Text(", {n}", "{n}", n=weighting_note(weighting)) if weighting else "",
        ),
    }
    if weighting is not None:
        result.fit["weights"] = weighting.weights
    monitor.method("ensemble", status=result.status, step=len(run.data.eval))
    return result


def _probs(classifier: Classifier, rows: pd.DataFrame, pair: bool) -> np.ndarray:
    """Probabilities for ``rows``, columns in the classifier's label order."""
    pairs = rows["text_pair"].astype(str).tolist() if pair else None
    return classifier.predict_proba(rows["text"].astype(str).tolist(), pairs)[0]


def _truth(rows: pd.DataFrame, labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[str(t)] for t in rows["label"]], dtype=int)


def _weigh(run: PreparedRun, paths: list[str]) -> Weighting:
    """Each member's weight, chosen on the run's weighting rows (equal when it has none)."""
    labels = run.data.labels
    rows = run.data.weighting
    if len(rows):
        rows = rows[rows["label"].astype(str).isin(labels)]  # a class training never saw
    if not len(rows):
        return Weighting([1.0] * len(paths), rows=0, equal_accuracy=0.0, chosen_accuracy=0.0)
    member_probs = []
    for path in paths:
        member = get_classifier(run.config.task, path)
        # Columns in the run's label order, as the ensemble will average them.
        probs = _probs(member, rows, run.data.pair)
        member_probs.append(average([probs], [member.labels], labels, [1.0]))
    return choose_weights(member_probs, _truth(rows, labels))


def weighting_note(weighting: Weighting) -> Text:
    """How the weights were chosen, in words for the run report."""
    if not weighting.rows:
        return Text(
            "with equal weights (no validation rows beside the evaluation rows to choose others "
            "on; an upload is split in two only)",
            "(같은 가중치: 평가 행 말고는 가중치를 고를 검증 행이 없습니다. 업로드 파일은 둘로만 "
            "나뉩니다)",
        )
    rows = Text(
        "{n:,} validation rows the evaluation never sees", "평가에 쓰지 않는 검증 행 {n:,}개",
        n=weighting.rows,
    )  # fmt: skip
    if weighting.equal:
        return Text(
            "with equal weights: no other mix classified {rows} better by more than {points:g} "
            "points (equal weights: {acc:.3f})",
            "(같은 가중치: {rows}에서 다른 조합이 {points:g}%p 넘게 낫지 않았습니다. 같은 가중치 "
            "정확도 {acc:.3f})",
            rows=rows, points=100 * WEIGHT_MARGIN, acc=weighting.equal_accuracy,
        )  # fmt: skip
    return Text(
        "weighted {shown}, chosen on {rows} (there {chosen:.3f}, against {equal:.3f} with equal "
        "weights)",
        "(가중치 {shown}: {rows}에서 골랐습니다. 그 행에서 {chosen:.3f}, 같은 가중치는 "
        "{equal:.3f})",
        shown=", ".join(f"{w:g}" for w in weighting.weights), rows=rows,
        chosen=weighting.chosen_accuracy, equal=weighting.equal_accuracy,
    )  # fmt: skip
