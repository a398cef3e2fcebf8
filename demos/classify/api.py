"""The Classification tab's named API endpoints (``/classify``, ``/evaluate``) for gradio_client."""

from __future__ import annotations

from demos.classify.choices import parse_labels
from models.classify.evaluate import evaluate
from models.classify.loaders import AUTO
from models.classify.predict import classify
from models.core.errors import PlaygroundError


def classify_api(
    text: str, task: str = "sentiment", text_pair: str = "", model: str = AUTO, labels: str = ""
) -> dict:
    """Classify one text (NLI: premise + hypothesis).

    Args:
        text: the sentence (the premise for NLI).
        task: sentiment, nli or intent.
        text_pair: the hypothesis, for NLI.
        model: auto, zero-shot, zero-shot-nli:<NLI model>, or a model reference.
        labels: comma-separated labels for zero-shot (default: the task's usual labels).

    Returns:
        {"label", "scores", "model", "mode", "source", "notice"} or {"error": message}.
    """
    try:
        prediction = classify(task, text, text_pair or None, model or AUTO, parse_labels(labels))
    except PlaygroundError as err:
        return {"error": str(err)}
    return {
        "label": prediction.label,
        "scores": prediction.scores,
        "model": prediction.model,
        "mode": prediction.mode,
        "source": prediction.source,
        "notice": prediction.notice,
    }


def evaluate_api(
    task: str, dataset: str, split: str = "test", model: str = AUTO, limit: int | None = None
) -> dict:
    """Evaluate on a registered dataset (the same numbers as the tab and the command line).

    Returns:
        {"accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n", ...} or
        {"error": message}.
    """
    try:
        return evaluate(task, dataset, split, model or AUTO, limit).metrics()
    except PlaygroundError as err:
        return {"error": str(err)}
