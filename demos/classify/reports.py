"""The Classification tab's results as take-away reports (``models.core.report.Report``).

Pure: each builder takes the plain data a handler already has (the input, the result dicts of
``try_it``, an ``EvalReport``) and returns a ``Report`` whose words are ``Text``s, so the file is
written in the reader's language. Labels keep their raw names in no cell a person reads first.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from demos.classify.choices import model_name
from demos.classify.eval_tables import HEADERS, SHOWN_CHARS
from models.classify.describe import mode_name, task_label
from models.classify.evaluate import EvalReport, threshold_curve, threshold_metrics
from models.classify.labels import label_text
from models.core.i18n import Text, join
from models.core.report import Report

MAX_ERROR_ROWS = 50  # misclassified rows in a report; the tab's table filters all of them
MAX_ATTRIBUTION_ROWS = 60  # spans of a long text: the report stays a page or two
YES, NO = Text("yes", "예"), Text("no", "아니요")
WORDS = {
    "task": Text("Task", "작업"),
    "text": Text("Text", "텍스트"),
    "premise": Text("Premise", "전제"),
    "hypothesis": Text("Hypothesis", "가설"),
    "label": Text("Label", "레이블"),
    "score": Text("Score", "점수"),
    "sure": Text("Sure of it", "확신 여부"),
    "runner_up": Text("Runner-up", "2위"),
    "labels": Text("Labels", "레이블"),
    "task_labels": Text("the task's own", "작업 기본 레이블"),
    "kind": Text("Kind of model", "모델 종류"),
    "scores": Text("Label scores", "레이블 점수"),
    "words": Text("Which words drove the decision", "판단에 영향을 준 단어"),
    "span": Text("words", "단어"),
    "weight": Text("weight", "가중치"),
    "how_to_read": Text("How to read the weights", "가중치 읽는 법"),
}
# Robustness table headers, key columns first (the tab's table and the report share them).
ROBUSTNESS = {
    "rewrite": Text("rewrite", "바꾼 방식"),
    "prediction": Text("prediction", "예측"),
    "score": Text("score", "점수"),
    "verdict": Text("verdict", "판정"),
    "text": Text("text", "텍스트"),
    "hypothesis": Text("hypothesis", "가설"),
    "note": Text("note", "메모"),
}


def _model(ref: str, mode: str) -> Text:
    """The model in words, then its reference (a Hub id, a packaged name, a run's folder)."""
    return Text("{name} · `{ref}`", "{name} · `{ref}`", name=model_name(ref, mode), ref=ref)


def _inputs(task: str, text: str, pair: str) -> dict:
    nli = task == "nli"
    shown: dict[Any, Any] = {WORDS["task"]: task_label(task)}
    shown[WORDS["premise" if nli else "text"]] = text
    if nli:
        shown[WORDS["hypothesis"]] = pair
    return shown


def _settings(labels: list[str] | None, mode: str) -> dict:
    typed = ", ".join(labels) if labels else WORDS["task_labels"]
    return {WORDS["labels"]: typed, WORDS["kind"]: mode_name(mode)}


def _outputs(scores: dict[str, float], confident: bool, runner_up: str | None) -> dict:
    top = max(scores, key=lambda label: scores[label])
    shown = {WORDS["label"]: label_text(top), WORDS["score"]: scores[top]}
    shown[WORDS["sure"]] = YES if confident else NO
    if runner_up:
        shown[WORDS["runner_up"]] = Text(
            "{label} ({score:.1%})", "{label} ({score:.1%})", label=label_text(runner_up),
            score=scores.get(runner_up, 0.0),
        )  # fmt: skip
    return shown


def scores_table(scores: dict[str, float]) -> pd.DataFrame:
    """Every label's score, highest first, labels by their display names."""
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return pd.DataFrame(
        [{WORDS["label"]: label_text(k), WORDS["score"]: round(v, 4)} for k, v in ranked],
        columns=[WORDS["label"], WORDS["score"]],
    )


def classify_report(
    task: str, text: str, pair: str, labels: list[str] | None, shown: dict
) -> Report:
    """Try it's Classify: the input, the label scores and how sure, the words that drove them.

    ``shown``: ``try_it.explain_one``'s result (scores, confident, runner_up, model, mode,
    source, notes, spans, how_to_read)."""
    spans = [(chunk, w) for chunk, w in shown.get("spans", []) if w is not None]
    words = pd.DataFrame(
        [{WORDS["span"]: chunk.strip(), WORDS["weight"]: w} for chunk, w in spans],
        columns=[WORDS["span"], WORDS["weight"]],
    ).head(MAX_ATTRIBUTION_ROWS)
    tables = {WORDS["scores"]: scores_table(shown["scores"])}
    if not words.empty:
        tables[WORDS["words"]] = words
    notes = [n for n in shown.get("notes", []) if n]
    if shown.get("how_to_read"):
        notes.append(shown["how_to_read"])
    return Report(
        title=Text("Classification: {task}", "분류: {task}", task=task_label(task)),
        inputs=_inputs(task, text, pair),
        outputs=_outputs(shown["scores"], shown["confident"], shown["runner_up"]),
        model=_model(shown["model"], shown["mode"]),
        source=shown["source"],
        settings=_settings(labels, shown["mode"]),
        tables=tables,
        notes=notes,
    )


def robustness_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rewrites as the tab shows them (key columns first), headers and labels as ``Text``s."""
    frame = pd.DataFrame(rows)
    frame["prediction"] = [label_text(str(p)) if p else "" for p in frame["prediction"]]
    columns = [c for c in ROBUSTNESS if c in frame.columns]
    return frame[columns].rename(columns=ROBUSTNESS)


def robustness_report(
    task: str, text: str, pair: str, labels: list[str] | None, shown: dict
) -> Report:
    """Try it's Check robustness: the input, its scores, each rewrite and whether it flipped.

    ``shown``: ``try_it.robustness_table``'s result (scores, confident, runner_up, rows, model,
    mode, source, notes)."""
    rows = shown["rows"]
    applied = [r for r in rows if r.get("prediction") and r.get("rewrite") != "original"]
    flipped = sum(bool(r.get("flipped")) for r in applied)
    return Report(
        title=Text("Robustness check: {task}", "견고성 확인: {task}", task=task_label(task)),
        inputs=_inputs(task, text, pair),
        outputs=_outputs(shown["scores"], shown["confident"], shown["runner_up"]),
        model=_model(shown["model"], shown["mode"]),
        source=shown["source"],
        settings=_settings(labels, shown["mode"]),
        metrics={
            Text("Rewrites tried", "시도한 변형 수"): len(applied),
            Text("Rewrites that changed the label", "레이블이 바뀐 변형 수"): flipped,
        },
        tables={
            WORDS["scores"]: scores_table(shown["scores"]),
            Text("Rewrites", "변형 결과"): robustness_rows(rows),
        },
        notes=[n for n in shown.get("notes", []) if n],
    )


def per_class_table(report: EvalReport) -> pd.DataFrame:
    """Precision, recall, F1 and support per class, classes by their display names."""
    keys = ("precision", "recall", "f1", "support")
    rows = [
        {HEADERS["class"]: label_text(k), **{HEADERS[m]: round(v.get(m, 0), 4) for m in keys}}
        for k, v in report.per_class.items()
    ]
    return pd.DataFrame(rows, columns=[HEADERS["class"], *(HEADERS[m] for m in keys)])


def confusion_table(report: EvalReport) -> pd.DataFrame:
    """The confusion matrix: a row per true class, a column per predicted class."""
    corner = Text("true \\ predicted", "실제 \\ 예측")
    names = [label_text(label) for label in report.labels]
    rows = [{corner: name, **dict(zip(names, counts, strict=True))}
            for name, counts in zip(names, report.confusion_matrix, strict=True)]  # fmt: skip
    return pd.DataFrame(rows, columns=[corner, *names])


def errors_table(report: EvalReport, limit: int = MAX_ERROR_ROWS) -> pd.DataFrame:
    """The first ``limit`` misclassified rows: true, predicted, confidence, then the texts."""
    pair = ["text_pair"] if report.rows and "text_pair" in report.rows[0] else []
    keys = ["true", "predicted", "confidence", "text", *pair]
    wrong = [r for r in report.rows if r["true"] != r["predicted"]][:limit]
    cut = {"text", "text_pair"}

    def cell(row: dict, key: str) -> Any:
        value = row[key]
        if key in ("true", "predicted"):
            return label_text(value)
        if key == "confidence":
            return round(value, 3)
        return value if key not in cut or len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"

    return pd.DataFrame([{HEADERS[k]: cell(r, k) for k in keys} for r in wrong],
                        columns=[HEADERS[k] for k in keys])  # fmt: skip


def threshold_table(report: EvalReport, steps: int = 11) -> pd.DataFrame:
    """The precision / recall curve the tab plots, one row per threshold (0, 0.1, …, 1)."""
    curve = threshold_curve(report.rows, report.positive_label or "", steps)
    wide = curve.pivot(index="threshold", columns="metric", values="value").reset_index()
    threshold = Text("threshold", "임계값")
    columns = {"threshold": threshold, "precision": HEADERS["precision"],
               "recall": HEADERS["recall"]}  # fmt: skip
    wide = wide.reindex(columns=list(columns)).round(4).astype(object)
    return wide.where(wide.notna(), "—").rename(columns=columns)


def evaluation_report(report: EvalReport, where: Any, rows_asked: int, seed: int = 0) -> Report:
    """Evaluate: on what, with which model, the metrics, the per-class table, the confusion
    matrix, the first misclassified rows, and the threshold curve of a binary task.

    ``where``: the dataset and split, or the uploaded file's name; ``rows_asked``: the sample
    size chosen (the set may hold fewer)."""
    metrics: dict[Any, Any] = {
        Text("Accuracy", "정확도"): report.accuracy,
        Text("Macro-F1", "매크로 F1"): report.macro_f1,
        Text("Rows evaluated", "평가한 행 수"): report.n,
        Text("Misclassified rows", "잘못 분류된 행 수"): sum(
            r["true"] != r["predicted"] for r in report.rows
        ),
    }
    tables = {
        Text("Per class", "클래스별"): per_class_table(report),
        Text("Confusion matrix", "혼동 행렬"): confusion_table(report),
        Text("Misclassified rows (first {n})", "잘못 분류된 행 (앞의 {n}개)", n=MAX_ERROR_ROWS):
            errors_table(report),
    }  # fmt: skip
    binary = report.positive_label is not None and "positive_score" in (report.rows or [{}])[0]
    if binary:
        positive = label_text(report.positive_label or "")
        at = threshold_metrics(report.rows, report.positive_label or "", 0.5)
        for key, name in (("precision", HEADERS["precision"]), ("recall", HEADERS["recall"])):
            if at[key] is not None:
                metrics[Text("{m} of {label} at 0.5", "{label}의 {m} (임계값 0.5)", m=name,
                             label=positive)] = at[key]  # fmt: skip
        tables[Text("Precision and recall of {label} vs threshold",
                    "임계값에 따른 {label}의 정밀도와 재현율", label=positive)] = (
            threshold_table(report)
        )  # fmt: skip
    return Report(
        title=Text("Evaluation: {task}", "평가: {task}", task=task_label(report.task)),
        inputs={
            WORDS["task"]: task_label(report.task),
            Text("Data", "데이터"): where,
            Text("Classes", "클래스"): join([label_text(x) for x in report.labels], ", "),
        },
        model=_model(report.model, report.mode),
        source=report.source,
        settings={
            Text("Sample size (rows)", "표본 크기(행)"): rows_asked,
            Text("Sampling", "표본 추출"): Text(
                "stratified by label, seeded", "레이블별 층화 추출, 시드 고정"
            ),
            WORDS["kind"]: mode_name(report.mode),
        },
        seed=seed,
        metrics=metrics,
        tables=tables,
        notes=[report.note] if report.note else [],
    )
