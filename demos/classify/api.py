"""The Classification tab's named API endpoints (``/classify``, ``/evaluate``) for gradio_client.

Every argument is checked (type, size, content) before a model or a dataset is touched; the
page's handlers check the same values against the same limits.
"""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.safety import api_guard
from models.classify.evaluate import evaluate
from models.classify.loaders import AUTO
from models.classify.predict import checked_choice, classify
from models.core import inputs
from models.core.i18n import localize
from models.core.settings import get_settings
from models.datasets.specs import DATASETS
from models.finetune.refs import usable_model

MAX_SPLIT_CHARS = 40


@api_guard
def classify_api(
    text: str, task: str = "sentiment", text_pair: str = "", model: str = AUTO, labels: str = "",
    request: gr.Request = None,  # type: ignore[assignment]  # Gradio passes it
) -> dict:  # fmt: skip
    """Classify one text (NLI: premise + hypothesis).

    Args:
        text: the sentence (the premise for NLI), up to PLAYGROUND_MAX_TEXT_CHARS characters.
        task: sentiment, nli or intent.
        text_pair: the hypothesis, for NLI.
        model: auto, zero-shot, zero-shot-nli:<NLI model>, or a model reference.
        labels: comma-separated labels for zero-shot (default: the task's usual labels); at most
            PLAYGROUND_MAX_LABELS.

    Returns:
        {"label", "scores", "model", "mode", "source", "notice", "confident", "runner_up",
        "margin"} or {"error": message}. Labels are the model's own (English) names.
        ``confident`` is False when the top score is close to chance or barely ahead of
        ``runner_up`` (see ``models.classify.confidence``); ``margin`` is the lead over it.
    """
    task, model = checked_choice(task, model)
    model = usable_model(model, caller(request))
    text = inputs.text(text, "text", allow_empty=True)  # classify says what an empty one needs
    text_pair = inputs.text(text_pair, "text_pair", allow_empty=True)
    chosen = inputs.labels(labels, "labels")
    prediction = classify(task, text, text_pair or None, model, chosen)
    return localize(
        {
            "label": prediction.label,
            "scores": prediction.scores,
            "model": prediction.model,
            "mode": prediction.mode,
            "source": prediction.source,
            "notice": prediction.notice,
            **prediction.confidence.as_api(),
        },
        "en",  # the API speaks English: plain strings, whatever the page shows
    )


@api_guard
def evaluate_api(
    task: str, dataset: str, split: str = "test", model: str = AUTO, limit: int | None = None,
    request: gr.Request = None,  # type: ignore[assignment]  # Gradio passes it
) -> dict:  # fmt: skip
    """Evaluate on a registered dataset (the same numbers as the tab and the command line).

    Args:
        limit: a stratified sample of this many rows, from 1 to PLAYGROUND_MAX_EVAL_ROWS; None
            evaluates the whole split, only when the split is no larger than that.

    Returns:
        {"accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n", ...} or
        {"error": message}.
    """
    task, model = checked_choice(task, model)
    model = usable_model(model, caller(request))
    dataset = inputs.choice(dataset, "dataset", DATASETS)
    split = inputs.text(split, "split", max_chars=MAX_SPLIT_CHARS)
    max_rows = get_settings().max_eval_rows
    rows = inputs.optional_integer(limit, "limit", 1, max_rows)
    report = evaluate(task, dataset, split, model, rows, max_rows=max_rows)
    return localize(report.metrics(), "en")
