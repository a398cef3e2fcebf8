"""Which model each task uses, and where it comes from.

``task_models.toml`` names, per model key (``sentiment-ko``, ``nli``, ``embedding``, ...), a Hub
model, packaged offline weights and a zero-shot fallback. A classification key may also have a
model this app trained for it: the trained-model index (``<PLAYGROUND_RUNS>/defaults.json``,
written by ``python -m models.finetune --default-for KEY`` and the Classification tab) maps keys
to run folders, and such a model takes precedence while its files are whole: a damaged one
(``core.manifest``, sizes only) is passed over until it is trained again.
"""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from models.core import files, manifest
from models.core.errors import ModelUnavailable, PlaygroundError
from models.core.i18n import Text, error_text
from models.core.settings import Settings, get_settings
from models.core.tasks import CLASSIFICATION_TASKS, LANGUAGES
from models.sources.resolver import resolve

TASK_MODELS_FILE = Path(__file__).with_name("task_models.toml")
TRAINED_INDEX = "defaults.json"  # in the runs folder; the name predates this module


@dataclass(frozen=True)
class TaskModels:
    """One table of ``task_models.toml``: the models one key may use."""

    key: str
    title: str
    title_ko: str = ""
    task: str = ""
    language: str = ""
    offline: str = ""
    hub: str = ""
    zero_shot: str = ""
    dataset: str = ""

    @property
    def name(self) -> Text:
        """The title in English and Korean."""
        return Text(self.title, self.title_ko or self.title)


@functools.cache
def task_models() -> dict[str, TaskModels]:
    """The file, parsed once and checked (an unknown field, task or language is an error)."""
    tables = tomllib.loads(TASK_MODELS_FILE.read_text(encoding="utf-8"))
    known = {f.name for f in fields(TaskModels)} - {"key"}
    entries = {}
    for key, table in tables.items():
        unknown = set(table) - known
        if unknown or table.get("task", CLASSIFICATION_TASKS[0]) not in CLASSIFICATION_TASKS:
            raise ValueError(f"{TASK_MODELS_FILE.name} [{key}]: bad fields {sorted(unknown)}")
        if table.get("language", LANGUAGES[0]) not in LANGUAGES:
            raise ValueError(f"{TASK_MODELS_FILE.name} [{key}]: unknown language")
        entries[key] = TaskModels(key=key, **table)
    return entries


def model_keys(task: str) -> list[str]:
    """The keys of a classification task (sentiment has one per language)."""
    return [key for key, entry in task_models().items() if entry.task == task]


def classification_keys() -> list[str]:
    """Every key that serves a classification task: the ones with a trainable default."""
    return [key for key, entry in task_models().items() if entry.task]


def model_key(task: str, language: str) -> str:
    """The key for ``task`` on a text in ``language``."""
    keys = model_keys(task)
    if not keys:
        raise PlaygroundError(
            Text(
                "Unknown task '{task}'. Choose one of: {tasks}.",
                "알 수 없는 작업 '{task}'입니다. 다음 중에서 고르세요: {tasks}.",
                task=task,
                tasks=", ".join(CLASSIFICATION_TASKS),
            )
        )
    by_language = {task_models()[key].language: key for key in keys}
    return by_language.get(language) or by_language.get("en") or keys[0]


def key_for_language(prefix: str, language: str) -> TaskModels:
    """The entry ``<prefix>-<language>`` (e.g. the fine-tuning base for Korean)."""
    return task_models()[f"{prefix}-{language}"]


# -- models this app trained ------------------------------------------------------------------


def trained_index_file(settings: Settings) -> Path:
    """Where the fine-tuning engine records the model it trained for each key."""
    return settings.runs_dir / TRAINED_INDEX


def _trained_index(settings: Settings) -> dict[str, str]:
    try:
        return json.loads(trained_index_file(settings).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def registered_model(key: str, settings: Settings | None = None) -> Path | None:
    """The folder registered for ``key``, if it exists, whether or not it is whole."""
    folder = _trained_index(settings or get_settings()).get(key)
    return Path(folder) if folder and Path(folder).is_dir() else None


def trained_model_fault(key: str, settings: Settings | None = None) -> str | None:
    """What is wrong with ``key``'s trained model (sizes only), or None."""
    folder = registered_model(key, settings)
    return manifest.fault(folder) if folder else None


def trained_model(key: str, settings: Settings | None = None) -> Path | None:
    """The folder of the model this app trained for ``key``, if one exists and is whole."""
    folder = registered_model(key, settings)
    return folder if folder and not manifest.fault(folder) else None


def set_trained_model(key: str, folder: str | Path, settings: Settings | None = None) -> None:
    """Make ``folder`` the model ``key`` uses (the index is rewritten atomically)."""
    settings = settings or get_settings()
    index = _trained_index(settings)
    index[key] = str(folder)
    files.write_json(trained_index_file(settings), index)


# -- the choice ---------------------------------------------------------------------------------

Mode = Literal["trained", "hub", "packaged", "zero-shot", "unavailable"]


@dataclass(frozen=True)
class ModelChoice:
    """The model a key will use now, and why."""

    key: str
    title: str  # a Text (English and Korean)
    ref: str
    mode: Mode
    where: str  # a Text where this module wrote it; an error's message otherwise

    def as_row(self) -> dict[str, str]:
        # The overview table is read at a glance: say why a classification task is zero-shot.
        mode = MODE_ROWS.get(self.mode, self.mode)
        return {"task": self.title, "model": self.ref, "mode": mode, "source": self.where}


MODE_ROWS = {
    "trained": Text("trained", "학습됨"),
    "hub": Text("hub", "Hub 모델"),
    "packaged": Text("packaged", "패키지 모델"),
    "zero-shot": Text("zero-shot (no trained model yet)", "제로샷(아직 학습된 모델 없음)"),
    "unavailable": Text("unavailable", "사용 불가"),
}


def _hub_usable(ref: str, settings: Settings) -> bool:
    if not ref:
        return False
    try:
        return resolve(ref, settings=settings, prepare=False).source in ("hub", "hub cache")
    except ModelUnavailable:
        return False


def choose_model(key: str, settings: Settings | None = None) -> ModelChoice:
    """Which model ``key`` uses: a trained model, else a usable Hub model, else offline weights.

    Never converts or downloads anything; describing must stay instant.
    """
    settings = settings or get_settings()
    spec = task_models()[key]
    title = spec.name
    if spec.task and (folder := trained_model(key, settings)):
        where = Text("this app's run in {f}", "이 앱에서 학습한 실행: {f}", f=str(folder))
        return ModelChoice(key, title, str(folder), "trained", where)
    damage = trained_model_fault(key, settings) if spec.task else None
    damaged = (
        Text(
            "; the trained model is damaged ({why}) until trained again",
            "; 학습된 모델이 손상되었습니다({why}). 다시 학습할 때까지 쓰지 않습니다",
            why=damage,
        )
        if damage
        else Text("", "")
    )
    if _hub_usable(spec.hub, settings):
        where = Text("Hugging Face Hub / cache{d}", "Hugging Face Hub / 캐시{d}", d=damaged)
        return ModelChoice(key, title, spec.hub, "hub", where)
    fallback = spec.offline or spec.zero_shot
    mode: Mode = "packaged" if spec.offline else "zero-shot"
    try:
        resolved = resolve(fallback, settings=settings, prepare=False)
    except ModelUnavailable as err:
        return ModelChoice(key, title, fallback, "unavailable", error_text(err))
    source = SOURCES.get(resolved.source, resolved.source)
    note = Text(" ({note})", " ({note})", note=resolved.note) if resolved.note else ""
    where = Text("{source}{note}{d}", "{source}{note}{d}", source=source, note=note, d=damaged)
    return ModelChoice(key, title, fallback, mode, where)


SOURCES = {
    "packaged": Text("packaged offline weights", "패키지로 설치된 오프라인 가중치"),
    "local": Text("local folder", "로컬 폴더"),
    "hub": Text("Hugging Face Hub", "Hugging Face Hub"),
    "hub cache": Text("Hugging Face cache", "Hugging Face 캐시"),
}
