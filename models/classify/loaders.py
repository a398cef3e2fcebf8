"""From a task and a model choice to a classifier: the format -> loader registry.

A model choice is ``auto`` (the task's current default), ``zero-shot`` (embedding similarity with
the task's zero-shot embedder), ``zero-shot-nli:<NLI model>`` (entailment), or a model reference
that the resolver turns into a folder of some checkpoint format; each format has one loader here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from models.classify.classifiers import (
    Classifier,
    EmbeddingZeroShot,
    FinetunedClassifier,
    NliZeroShot,
)
from models.classify.embedding_probe import load_probe_classifier
from models.classify.ensemble import load_ensemble_classifier
from models.classify.ngram import load_ngram_classifier
from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.tasks import NLI_LABELS
from models.datasets.registry import get_spec, load_dataset
from models.sources import task_models
from models.sources.loading import load_classifier, load_embedder, load_guarded, load_once
from models.sources.resolver import ResolvedModel, resolve

AUTO = "auto"
ZERO_SHOT = "zero-shot"  # model choice: embedding similarity with the task's zero-shot embedder
NLI_PREFIX = "zero-shot-nli:"  # model choice: entailment with the NLI model named after the colon


def _transformers_classifier(task: str, resolved: ResolvedModel) -> Classifier:
    return FinetunedClassifier(load_classifier(resolved.path))


def default_labels(task: str, language: str) -> list[str]:
    """Labels for zero-shot when the user typed none: the task's default dataset's labels."""
    if task == "nli":
        return list(NLI_LABELS)
    dataset = task_models.task_models()[task_models.model_key(task, language)].dataset
    spec = get_spec(dataset)
    return list(spec.labels) if spec.labels else load_dataset(dataset, "train").labels


def resolve_choice(task: str, language: str, model: str) -> str:
    """``auto`` becomes the task's current default (trained, Hub or zero-shot)."""
    if model and model != AUTO:
        return model
    choice = task_models.choose_model(task_models.model_key(task, language))
    return ZERO_SHOT if choice.mode in ("zero-shot", "unavailable") else choice.ref


def is_zero_shot(choice: str) -> bool:
    """Whether a (resolved) model choice classifies by zero-shot, with labels of its own."""
    return choice == ZERO_SHOT or choice.startswith(NLI_PREFIX)


def _zero_shot(task: str, choice: str, labels: list[str] | None, language: str) -> Classifier:
    # NLI's labels are fixed; a repeated label would split one class's score in two.
    typed = list(dict.fromkeys(labels or [])) if task != "nli" else []
    wanted = typed or default_labels(task, language)
    if len(wanted) < 2:
        raise PlaygroundError(
            Text(
                "Zero-shot needs at least two different labels, separated by commas.",
                "제로샷에는 쉼표로 구분한 서로 다른 레이블이 두 개 이상 필요합니다.",
            )
        )
    if choice == ZERO_SHOT:
        key = task_models.model_key(task, language)
        embedder = load_embedder(task_models.task_models()[key].zero_shot)
        return load_once(
            ("zero-shot", task, embedder.resolved.path, *wanted),
            lambda: EmbeddingZeroShot(embedder, task, wanted),
        )
    if task == "nli":
        raise PlaygroundError(
            Text(
                "NLI itself cannot be zero-shot by entailment; choose a model.",
                "자연어 추론 자체는 함의 기반 제로샷으로 분류할 수 없습니다. 모델을 고르세요.",
            )
        )
    return NliZeroShot(load_classifier(choice.removeprefix(NLI_PREFIX)), wanted)


def get_classifier(
    task: str, model: str = AUTO, labels: list[str] | None = None, language: str = "en"
) -> Classifier:
    """The classifier for a task and model choice (loaded once, shared).

    Args:
        task: ``sentiment``, ``nli`` or ``intent``.
        model: ``auto``, ``zero-shot``, ``zero-shot-nli:<NLI model>``, or a model reference.
        labels: labels for zero-shot (default: the task's default dataset's labels).
        language: picks the sentiment default (``ko`` / ``en``).
    """
    choice = resolve_choice(task, language, model)
    if is_zero_shot(choice):
        return _zero_shot(task, choice, labels, language)

    def build() -> Classifier:
        # Refuses a damaged folder (which file, what to do) before anything is read from it.
        resolved = resolve(choice, want="classifier")
        loader = LOADERS.get(resolved.format, _transformers_classifier)
        # This app's own formats read their files here: any failure becomes one sentence.
        return load_guarded(resolved, lambda: loader(task, resolved))

    # Resolving reads several files, a cost every single-text call would pay; a folder's contents
    # do not change under the same modification time (runs always write new folders).
    return load_once(("classifier", "choice", choice, _folder_stamp(choice)), build)


# Checkpoint format -> classifier. Formats not listed (transformers, a peft adapter, a head on a
# frozen encoder) load as a transformers sequence classifier.
LOADERS: dict[str, Callable[[str, ResolvedModel], Classifier]] = {
    "embedding-probe": load_probe_classifier,
    "ngram": load_ngram_classifier,
    "ensemble": partial(load_ensemble_classifier, load_member=get_classifier),
}


def _folder_stamp(ref: str) -> str:
    try:
        return str(os.stat(ref).st_mtime_ns)
    except OSError:
        return ""  # a Hub id or packaged:<name>
