"""Classify one input for the tab and the API, or many rows in chunks that report progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.classify.classifiers import Classifier
from models.classify.confidence import Confidence, judge
from models.classify.loaders import AUTO, get_classifier
from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.progress import Progress, silent
from models.core.tasks import CLASSIFICATION_TASKS
from models.core.text import detect_language

PROGRESS_CHUNK = 1000


@dataclass
class Prediction:
    """One classified input, ready to show."""

    label: str
    scores: dict[str, float]
    model: str
    mode: str
    source: str
    truncated: bool = False
    notice: str = ""
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def confidence(self) -> Confidence:
        """Whether the top label is a real answer or close to a guess (see ``confidence``)."""
        return judge(self.scores)


def checked_choice(task: object, model: object) -> tuple[str, str]:
    """The task (one of the classification tasks) and the model reference (blank: auto),
    checked before anything loads; the tab and the API both call this."""
    task = inputs.choice(task, "task", CLASSIFICATION_TASKS)
    model = inputs.text(model, "model", allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    return task, model.strip() or AUTO


def check_input(task: str, text: str, text_pair: str | None) -> None:
    """Reject empty, incomplete, oversized or non-text input with a message a user can act on."""
    # Type, length (settings.max_text_chars) and content first: a list or a NUL never gets further.
    name = Text("The premise", "전제") if task == "nli" else Text("The text", "텍스트")
    text = inputs.text(text, name, allow_empty=True)
    text_pair = inputs.text(text_pair, Text("The hypothesis", "가설"), allow_empty=True)
    if not text.strip():
        raise PlaygroundError(
            Text("Type a premise first.", "먼저 전제를 입력하세요.")
            if task == "nli"
            else Text("Type a sentence to classify.", "분류할 문장을 입력하세요.")
        )
    if task == "nli" and not text_pair.strip():
        raise PlaygroundError(
            Text(
                "NLI compares two sentences: type a hypothesis too.",
                "자연어 추론은 두 문장을 비교합니다. 가설도 입력하세요.",
            )
        )


def classify(
    task: str,
    text: str,
    text_pair: str | None = None,
    model: str = AUTO,
    labels: list[str] | None = None,
) -> Prediction:
    """Classify one input.

    Raises:
        PlaygroundError: empty text, NLI without a hypothesis, too few zero-shot labels, or a
            model that cannot be loaded (with the reason).
    """
    check_input(task, text, text_pair)
    language = detect_language(text)
    classifier = get_classifier(task, model, labels, language)
    pairs = [text_pair.strip()] if task == "nli" and text_pair else None
    probs, truncated = classifier.predict_proba([text.strip()], pairs)
    pairs_scored = zip(classifier.labels, map(float, probs[0]), strict=True)
    scores = dict(sorted(pairs_scored, key=lambda kv: -kv[1]))
    notice = ""
    if truncated[0]:
        notice = Text(
            "The input is longer than the {n} tokens this model reads; only the beginning was "
            "classified.",
            "입력이 이 모델이 읽는 {n}토큰보다 길어서 앞부분만 분류했습니다.",
            n=classifier.max_length,
        )
    return Prediction(
        label=next(iter(scores)),
        scores=scores,
        model=classifier.ref,
        mode=classifier.mode,
        source=classifier.description,
        truncated=truncated[0],
        notice=notice,
        language=language,
    )


def predict_with_progress(
    classifier: Classifier,
    texts: list[str],
    pairs: list[str] | None = None,
    progress: Progress = silent,
) -> tuple[np.ndarray, list[bool]]:
    """``classifier.predict_proba`` in chunks of rows, reporting ``(rows done, rows, "")``.

    Many rows take minutes on a CPU; chunks let a UI show how far it got. Rows are chunked the
    same way whoever watches, so the tab, the API and the command batch the same rows together
    and agree to the digit. Each chunk is still sorted by length inside the classifier, so
    padding stays small.
    """
    probs, truncated = [], []
    for start in range(0, max(len(texts), 1), PROGRESS_CHUNK):
        end = start + PROGRESS_CHUNK
        chunk_probs, chunk_cut = classifier.predict_proba(
            texts[start:end], None if pairs is None else pairs[start:end]
        )
        probs.append(chunk_probs)
        truncated.extend(chunk_cut)
        progress(min(end, len(texts)), len(texts), "")
    return np.concatenate(probs), truncated
