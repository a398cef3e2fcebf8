"""Runs and their models named by what they are, in both languages, never by folder or timestamp.

    "Korean sentiment, n-grams + e5 top layers, trained 25 Nov 22:44, accuracy 0.858"

Paths stay in the details views (a run's record, Models & data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.core.i18n import Text, join
from models.core.tasks import LANGUAGE_NAMES, TASK_NAMES
from models.datasets.registry import DATASETS
from models.sources.task_models import task_models

# One list of task and language names for every layer (``models.core.tasks``).
TASKS, LANGUAGES = TASK_NAMES, LANGUAGE_NAMES
METHODS = {
    "full": Text("full fine-tuning", "전체 미세 조정"),
    "full-noemb": Text("full fine-tuning, embeddings frozen", "전체 미세 조정(임베딩 고정)"),
    "top": Text("top layers", "상위 층만 학습"),
    "lora": Text("LoRA", "LoRA"),
    "head": Text("frozen encoder + head", "고정 인코더 + 분류 헤드"),
    "probe": Text("sentence embeddings + logistic regression", "문장 임베딩 + 로지스틱 회귀"),
    "ngram": Text("character n-grams", "문자 n-그램"),
    "ia3": Text("IA3", "IA3"),
    "prompt": Text("prompt tuning", "프롬프트 튜닝"),
    "prefix": Text("prefix tuning", "프리픽스 튜닝"),
    "qlora": Text("QLoRA", "QLoRA"),
    "ensemble": Text("n-grams + e5 top layers", "n-그램 + e5 상위 층"),
}


def task_name(task: str, language: str = "") -> Text:
    """ "Korean sentiment" / "한국어 감성"; the task alone when the language is unknown."""
    what = TASKS.get(task, Text(task, task))
    if language in LANGUAGES:
        return Text("{lang} {task}", "{lang} {task}", lang=LANGUAGES[language], task=what)
    return _capital(what)


def _capital(text: Text) -> Text:
    return Text(text.en[:1].upper() + text.en[1:], text.ko, **text.params)


def method_name(method: str) -> Text:
    return METHODS.get(method, Text(method, method))


def run_started(run_id: str) -> datetime | None:
    """When a run started, from its id ("20261125-224406-nsmc-..."); None if it does not say."""
    try:
        return datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def _when(started: datetime | None) -> Text:
    if started is None:
        return Text("", "")
    return Text(
        ", trained {day}", ", {day} 학습",
        day=Text(started.strftime("%d %b %H:%M").lstrip("0"),
                 f"{started.month}월 {started.day}일 {started:%H:%M}"),
    )  # fmt: skip


def model_title(
    task: str | None,
    dataset: str | None,
    method: str,
    run_id: str = "",
    accuracy: float | None = None,
) -> Text:
    """A saved model's name: task and language, method, when it was trained, its accuracy."""
    spec = DATASETS.get(dataset or "")
    language = getattr(spec, "language", "") if spec else ""
    score = Text("", "") if accuracy is None else Text(
        ", accuracy {a:.3f}", ", 정확도 {a:.3f}", a=accuracy
    )  # fmt: skip
    return Text(
        "{task}, {method}{when}{score}", "{task}, {method}{when}{score}",
        task=task_name(task or "", language), method=method_name(method),
        when=_when(run_started(run_id)), score=score,
    )  # fmt: skip


def saved_title(saved: dict) -> Text:
    """``model_title`` for an entry of ``runs.saved_classifiers``."""
    return model_title(
        saved.get("task"), saved.get("dataset"), saved["method"], saved.get("run_id", ""),
        saved.get("accuracy"),
    )  # fmt: skip


UPLOAD = Text("uploaded file", "업로드한 파일")


def dataset_title(dataset: str | None) -> Text | str:
    """A dataset by its short name ("SNIPS", "NSMC"), without the English description."""
    if dataset == "upload":
        return UPLOAD
    spec = DATASETS.get(dataset or "")
    return spec.title.split(" (")[0].split()[0] if spec else str(dataset or "")


def key_title(key: str) -> Text:
    """A task's default by what it is ("Korean sentiment"), not by its key ("sentiment-ko")."""
    spec = task_models().get(key)
    if not spec or not spec.task:
        return Text(key, key)
    # Mid-sentence ("the default for intent"): a task alone stays lower-case.
    return (
        task_name(spec.task, spec.language)
        if spec.language
        else TASKS.get(spec.task, Text(key, key))
    )


def _field(record: Any, name: str, default: Any = None) -> Any:
    return record.get(name, default) if isinstance(record, dict) else getattr(record, name)


def run_title(record: Any) -> Text:
    """A past run by what it is: task and language, its methods, when, and its best accuracy.

    "English intent, full fine-tuning vs LoRA, trained 25 Nov 22:44, best accuracy 0.912 (LoRA)"
    ``record`` is a ``RunRecord`` or its dict.
    """
    config = _field(record, "config") or {}
    dataset = config.get("dataset")
    spec = DATASETS.get(dataset or "")
    task = task_name(config.get("task") or "", spec.language if spec else "")
    if dataset == "upload":
        task = Text("{task} ({upload})", "{task}({upload})", task=task, upload=UPLOAD)
    methods = [_field(m, "method") for m in _field(record, "methods") or []]
    scored = [(_field(m, "eval_accuracy"), _field(m, "method")) for m in _field(record, "methods")]
    scored = [(a, m) for a, m in scored if a is not None]
    best = Text("", "")
    if scored:
        accuracy, method = max(scored, key=lambda pair: pair[0])
        best = Text(
            ", best accuracy {a:.3f} ({method})", ", 최고 정확도 {a:.3f}({method})",
            a=accuracy, method=method_name(method),
        )  # fmt: skip
    return Text(
        "{task}, {methods}{when}{best}", "{task}, {methods}{when}{best}",
        task=task, methods=join([method_name(m) for m in methods], " vs "),
        when=_when(run_started(_field(record, "run_id") or "")), best=best,
    )  # fmt: skip
