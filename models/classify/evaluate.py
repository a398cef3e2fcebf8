"""Evaluate a classifier on a labelled set: accuracy, per-class precision / recall / F1, confusion.

The tab, the ``evaluate`` API and this command call the same function, so they agree to the digit:

    python -m models.classify.evaluate --task sentiment --dataset nsmc --split test \\
        [--model REF] [--limit N] --json OUT

Without ``--model``, the task's current default for the dataset's language is used. Metrics come
from scikit-learn.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from models.classify.describe import task_label
from models.classify.loaders import AUTO, get_classifier, is_zero_shot, resolve_choice
from models.classify.predict import predict_with_progress
from models.core import files, inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text, join
from models.core.metrics import classification_metrics
from models.core.progress import Progress, silent
from models.core.tasks import CLASSIFICATION_TASKS
from models.datasets.registry import get_spec, load_dataset
from models.datasets.sampling import sample_rows

SYNONYMS = {
    "pos": "positive", "neg": "negative", "1": "positive", "0": "negative",
    "entail": "entailment",
    "contradict": "contradiction",
}  # fmt: skip
MAX_LIMIT = 10**9  # rows, without max_rows: a bound for the integer check only
POSITIVE_NAMES = {"positive", "pos", "1", "true", "yes", "긍정", "spam", "entailment"}


@dataclass
class EvalReport:
    """Everything the evaluation view shows, as plain data."""

    task: str
    dataset: str
    split: str
    model: str
    mode: str
    source: str
    n: int
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion_matrix: list[list[int]]
    label_map: dict[str, str]
    rows: list[dict] = field(default_factory=list)
    positive_label: str | None = None
    note: str = ""  # a Text when set: the UI renders it in the reader's language

    def metrics(self) -> dict:
        """The command's JSON: the metrics, nothing per row."""
        data = asdict(self)
        data.pop("rows")
        return data


def align_labels(model_labels: list[str], data_labels: list[str]) -> tuple[dict[str, str], str]:
    """Map the model's label names onto the dataset's.

    Returns:
        ``({model label: dataset label}, note)``; the note says when the mapping was assumed.

    Raises:
        PlaygroundError: the two label sets cannot be matched.
    """

    def norm(label: str) -> str:
        key = label.strip().lower()
        return SYNONYMS.get(key, key)

    data_by_norm = {norm(label): label for label in data_labels}
    mapping = {m: data_by_norm[norm(m)] for m in model_labels if norm(m) in data_by_norm}
    if set(mapping.values()) == set(data_labels):
        return mapping, ""
    generic = all(m.lower().startswith("label_") for m in model_labels)
    if generic and len(model_labels) == len(data_labels) == 2:
        # The usual convention for unnamed binary heads: 0 = negative / no, 1 = positive / yes.
        ordered = dict(zip(sorted(model_labels), sorted(data_labels), strict=True))
        return ordered, Text(
            "The model names its labels LABEL_0, LABEL_1, …; they were matched to the dataset's "
            "labels by position.",
            "모델의 레이블 이름이 LABEL_0, LABEL_1, …이라서 데이터셋의 레이블과 순서대로 "
            "맞췄습니다.",
        )
    raise PlaygroundError(
        Text(
            "The model's labels ({model}) do not match the dataset's ({data}). Choose a model "
            "trained for this task, or zero-shot.",
            "모델의 레이블({model})이 데이터셋의 레이블({data})과 맞지 않습니다. 이 작업으로 "
            "학습한 모델이나 제로샷을 고르세요.",
            model=", ".join(model_labels),
            data=", ".join(data_labels),
        )
    )


def positive_label(labels: list[str]) -> str | None:
    """The class a binary task's threshold is about: one named like "positive" (긍정, yes,
    true, 1, ...), else the second in sorted order (the usual 0 / 1 convention). None unless
    there are exactly two classes."""
    if len(labels) != 2:
        return None
    named = [label for label in labels if label.strip().lower() in POSITIVE_NAMES]
    return named[0] if len(named) == 1 else sorted(labels)[1]


def evaluate_frame(
    frame: pd.DataFrame,
    task: str,
    model: str = AUTO,
    language: str = "en",
    dataset: str = "upload",
    split: str = "",
    progress: Progress = silent,
) -> EvalReport:
    """Evaluate on rows with ``text`` (``text_pair``) and ``label`` columns."""
    if frame.empty:
        raise PlaygroundError(Text("There are no rows to evaluate.", "평가할 행이 없습니다."))
    data_labels = sorted(frame["label"].astype(str).unique())
    # "auto" may resolve to zero-shot (no trained default yet): it then scores the data's labels.
    choice = resolve_choice(task, language, model)
    zero_shot = is_zero_shot(choice)
    classifier = get_classifier(task, choice, data_labels if zero_shot else None, language)
    mapping, note = align_labels(classifier.labels, data_labels)
    texts = frame["text"].astype(str).tolist()
    pairs = frame["text_pair"].astype(str).tolist() if task == "nli" else None
    if task == "nli" and pairs is None:
        raise PlaygroundError(
            Text(
                "NLI evaluation needs a second text column (the hypothesis).",
                "자연어 추론 평가에는 두 번째 텍스트 열(가설)이 필요합니다.",
            )
        )
    probs, _ = predict_with_progress(classifier, texts, pairs, progress)
    model_labels = classifier.labels
    predicted = [mapping.get(model_labels[i], model_labels[i]) for i in probs.argmax(axis=1)]
    truth = frame["label"].astype(str).tolist()
    metrics = classification_metrics(truth, predicted, data_labels)

    positive = positive_label(data_labels)
    inverse = {v: k for k, v in mapping.items()}
    rows = []
    for i, text in enumerate(texts):
        row = {
            "text": text,
            "true": truth[i],
            "predicted": predicted[i],
            "confidence": float(probs[i].max()),
        }
        if pairs is not None:
            row["text_pair"] = pairs[i]
        if positive is not None and positive in inverse:
            row["positive_score"] = float(probs[i, model_labels.index(inverse[positive])])
        rows.append(row)
    return EvalReport(
        task=task,
        dataset=dataset,
        split=split,
        model=classifier.ref,
        mode=classifier.mode,
        source=classifier.description,
        n=len(frame),
        labels=metrics["matrix_labels"],
        accuracy=metrics["accuracy"],
        macro_f1=metrics["macro_f1"],
        per_class=metrics["per_class"],
        confusion_matrix=metrics["confusion_matrix"],
        label_map=mapping,
        rows=rows,
        positive_label=positive,
        note=note,
    )


def evaluate(
    task: str,
    dataset: str,
    split: str = "test",
    model: str = AUTO,
    limit: int | None = None,
    seed: int = 0,
    progress: Progress = silent,
    max_rows: int | None = None,
) -> EvalReport:
    """Evaluate on a registered dataset's split (``limit``: a stratified sample of N rows).

    Args:
        max_rows: the most rows one evaluation may score (the tab and the API pass
            ``settings.max_eval_rows``; the command line, run by the machine's owner, none).
            Without a ``limit``, a larger split is refused rather than cut silently.

    Raises:
        PlaygroundError: a dataset of another task, an unknown split, a limit that is not a
            row count from 1 to ``max_rows``, or a whole split over ``max_rows``.
    """
    spec = get_spec(dataset)
    if spec.task != task:
        raise PlaygroundError(
            Text(
                "{title} is a {kind} dataset, not {task}.",
                "{title}은(는) {kind} 데이터셋이라 {task}에 쓸 수 없습니다.",
                title=spec.title,
                kind=task_label(spec.task),
                task=task_label(task),
            )
        )
    if limit is not None:
        limit = inputs.integer(
            limit, Text("The limit (rows)", "행 수 제한"), 1, max_rows or MAX_LIMIT
        )
    loaded = load_dataset(dataset, split)
    frame = loaded.frame
    if limit is None and max_rows is not None and len(frame) > max_rows:
        raise inputs.InputError(
            Text(
                "The {split} split of {title} has {n:,} rows, more than the {most:,} one "
                "evaluation may score here: pass a limit from 1 to {most:,}.",
                "{title}의 {split} 분할은 {n:,}행으로, 여기서 한 번에 평가할 수 있는 "
                "{most:,}행보다 많습니다. 1에서 {most:,} 사이의 행 수 제한을 주세요.",
                split=split,
                title=spec.title,
                n=len(frame),
                most=max_rows,
            )
        )
    if limit is not None:
        frame = sample_rows(frame, min(limit, len(frame)), seed)
    report = evaluate_frame(frame, task, model, spec.language, dataset, split, progress)
    if loaded.source == "sample":
        report.note = join([n for n in (report.note, loaded.describe()) if n], " ")
    return report


def threshold_metrics(
    rows: list[dict], positive: str, threshold: float
) -> dict[str, float | int | None]:
    """Precision, recall, F1 and accuracy for the positive class when it is predicted at
    probability >= ``threshold`` (binary tasks: the trade-off accuracy alone hides)."""
    scores = np.array([r["positive_score"] for r in rows])
    truth = np.array([r["true"] == positive for r in rows])
    predicted = scores >= threshold
    tp = int((predicted & truth).sum())
    fp = int((predicted & ~truth).sum())
    fn = int((~predicted & truth).sum())
    # Precision is undefined when nothing is called positive: None, not a flattering 1.0.
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return {
        "threshold": threshold,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float((predicted == truth).mean()),
        "predicted_positive": int(predicted.sum()),
    }


def threshold_curve(rows: list[dict], positive: str, steps: int = 41) -> pd.DataFrame:
    """Precision and recall across thresholds, long format for a line plot."""
    points = []
    for t in np.linspace(0.0, 1.0, steps):
        m = threshold_metrics(rows, positive, float(t))
        if m["precision"] is not None:
            points.append({"threshold": float(t), "metric": "precision", "value": m["precision"]})
        points.append({"threshold": float(t), "metric": "recall", "value": m["recall"]})
    return pd.DataFrame(points)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.classify.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", required=True, choices=CLASSIFICATION_TASKS)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--split", default="test")
    parser.add_argument("--model", default="auto", help="auto, zero-shot, or a model reference")
    parser.add_argument("--limit", type=int, help="evaluate a stratified sample of N rows")
    parser.add_argument("--json", type=Path, help="write the metrics here")
    args = parser.parse_args(argv)
    try:
        report = evaluate(args.task, args.dataset, args.split, args.model, args.limit)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    metrics = report.metrics()
    print(
        f"{report.dataset}/{report.split}: n={report.n} accuracy={report.accuracy:.4f} "
        f"macro_f1={report.macro_f1:.4f} model={report.model} ({report.mode})"
    )
    if args.json:
        files.write_json(args.json, metrics)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
