"""An ensemble of a run's finished methods: saved, reloaded and evaluated on the run's rows.

Models that err differently average into one that errs less: on NSMC validation, character
n-grams (0.839) and e5 with its top 4 layers trained (0.838) averaged to 0.859. The ensemble is
evaluated by loading it back from disk through the Classification tab's own loader, so what the
record reports is what the tab will serve.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import PlaygroundError
from models.finetune.checkpoint import folder_mb
from models.finetune.monitor import Monitor
from models.finetune.runs import MethodResult


def ensemble_result(run: Any, record: Any, folder: Path, monitor: Monitor) -> MethodResult:
    """Average the finished methods of ``record``; failures are recorded, not raised."""
    from models.classify import get_classifier
    from models.ensemble import write_ensemble
    from models.finetune.engine import is_main_process, metrics_from
    from models.finetune.methods import method_title

    result = MethodResult(method="ensemble", learning_rate=0.0)
    members = [m for m in record.methods if m.status == "done" and m.checkpoint]
    if len(members) < 2:
        result.status = "skipped"
        result.error = "An ensemble needs at least two finished methods with a checkpoint."
        return result
    started = time.perf_counter()
    monitor.method("ensemble", status="evaluating", total_steps=len(run.data.eval), step=0)
    try:
        paths = [m.merged_checkpoint or m.checkpoint for m in members]
        if is_main_process():
            write_ensemble(
                folder,
                paths,
                run.data.labels,
                task=run.config.task, dataset=run.config.dataset, method="ensemble",
                run_id=record.run_id, member_methods=[m.method for m in members],
            )  # fmt: skip
        classifier = get_classifier(run.config.task, str(folder))
        eval_rows = run.data.eval
        pairs = eval_rows["text_pair"].astype(str).tolist() if run.data.pair else None
        probs, _ = classifier.predict_proba(eval_rows["text"].astype(str).tolist(), pairs)
        index = {label: i for i, label in enumerate(classifier.labels)}
        truth = np.array([index[str(t)] for t in eval_rows["label"]])
        result.__dict__.update(metrics_from(probs.argmax(1), truth, len(classifier.labels)))
        result.trainable_params = sum(m.trainable_params for m in members)
        result.total_params = sum(m.total_params for m in members)
        result.trainable_pct = 100.0 * result.trainable_params / max(result.total_params, 1)
        result.checkpoint = str(folder)
        result.checkpoint_mb = folder_mb(folder) + sum(folder_mb(Path(p)) for p in paths)
        result.train_s = sum(m.train_s for m in members)
        result.peak_mem_mb = max(m.peak_mem_mb for m in members)
        result.status = "done"
    except (PlaygroundError, RuntimeError, ValueError, OSError) as err:
        result.status, result.error = "failed", f"{type(err).__name__}: {err}"
    result.wall_s = sum(m.wall_s for m in members) + time.perf_counter() - started
    titles = " and ".join(method_title(m.method) for m in members)
    result.fit = {
        "verdict": "average",
        "note": f"Averages the label probabilities of {titles}; nothing new is trained. Time "
        "and size are the members' together.",
    }
    monitor.method("ensemble", status=result.status, step=len(run.data.eval))
    return result
