"""What each task will use (model, datasets) and where it comes from: the "Models & data" tab."""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from models import packaged
from models.datasets.registry import DATASETS, data_home_folder, missing_files
from models.device import describe_device
from models.errors import ModelUnavailable
from models.resolver import hub_reachable, resolve
from models.settings import Settings, get_settings

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")
CLASSIFICATION_TASKS = ("sentiment-ko", "sentiment-en", "nli", "intent")


@dataclass(frozen=True)
class TaskDefaults:
    """One ``[tasks.<key>]`` table of ``defaults.toml``."""

    key: str
    title: str
    offline: str = ""
    hub: str = ""
    zero_shot: str = ""
    dataset: str = ""


@functools.cache
def task_defaults() -> dict[str, TaskDefaults]:
    """The defaults file, parsed once."""
    tables = tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))["tasks"]
    return {key: TaskDefaults(key=key, **table) for key, table in tables.items()}


def trained_defaults_file(settings: Settings) -> Path:
    """Where the fine-tuning engine records the model it trained as a task's default."""
    return settings.runs_dir / "defaults.json"


def trained_default(task: str, settings: Settings | None = None) -> Path | None:
    """The folder of the model trained as ``task``'s default, if one exists."""
    path = trained_defaults_file(settings or get_settings())
    try:
        folder = json.loads(path.read_text(encoding="utf-8")).get(task)
    except (OSError, json.JSONDecodeError):
        return None
    return Path(folder) if folder and Path(folder).is_dir() else None


@dataclass(frozen=True)
class ModelChoice:
    """The model a task will use now, and why."""

    task: str
    title: str
    ref: str
    mode: str  # "trained", "hub", "packaged", "zero-shot", "unavailable"
    where: str

    def as_row(self) -> dict[str, str]:
        # The overview table is read at a glance: say why a classification task is zero-shot.
        mode = "zero-shot (no trained model yet)" if self.mode == "zero-shot" else self.mode
        return {"task": self.title, "model": self.ref, "mode": mode, "source": self.where}


def _hub_usable(ref: str, settings: Settings) -> bool:
    if not ref:
        return False
    try:
        return resolve(ref, settings=settings, prepare=False).source in ("hub", "hub cache")
    except ModelUnavailable:
        return False


def choose_model(task: str, settings: Settings | None = None) -> ModelChoice:
    """Which model ``task`` uses: a trained default, else a usable Hub model, else offline weights.

    Never converts or downloads anything; describing must stay instant.
    """
    settings = settings or get_settings()
    spec = task_defaults()[task]
    if task in CLASSIFICATION_TASKS and (folder := trained_default(task, settings)):
        return ModelChoice(task, spec.title, str(folder), "trained", f"this app's run in {folder}")
    if _hub_usable(spec.hub, settings):
        return ModelChoice(task, spec.title, spec.hub, "hub", "Hugging Face Hub / cache")
    fallback = spec.offline or spec.zero_shot
    mode = "packaged" if spec.offline else "zero-shot"
    try:
        resolved = resolve(fallback, settings=settings, prepare=False)
    except ModelUnavailable as err:
        return ModelChoice(task, spec.title, fallback, "unavailable", str(err))
    where = "packaged offline weights" if resolved.source == "packaged" else resolved.source
    if resolved.note:
        where = f"{where} ({resolved.note})"
    return ModelChoice(task, spec.title, fallback, mode, where)


def packaged_overview(settings: Settings | None = None) -> list[dict[str, str]]:
    """One row per packaged model: installed? converted? where?"""
    settings = settings or get_settings()
    rows = []
    for model in packaged.PACKAGED.values():
        folder = packaged.ready_folder(model, settings)
        if not model.installed():
            state = f"not installed ({model.install})"
        elif folder is None:
            state = "installed; converted on first use"
        else:
            state = f"ready in {folder}"
        rows.append(
            {
                "model": model.ref,
                "same as Hub id": model.hub_id,
                "languages": model.languages,
                "parameters": model.parameters,
                "licence": model.licence,
                "package": model.package,
                "state": state,
            }
        )
    return rows


def datasets_overview(settings: Settings | None = None) -> list[dict[str, str]]:
    """One row per registered dataset: in the data home, or what happens when it is asked for."""
    settings = settings or get_settings()
    rows = []
    for spec in DATASETS.values():
        folder = data_home_folder(spec, settings)
        missing = missing_files(spec, folder)
        if not missing:
            where = f"data home: {folder}"
        elif settings.allow_downloads:
            where = (
                "not in the data home: downloaded from upstream on first use (sample if offline)"
            )
        else:
            where = "not in the data home; downloads off: built-in sample"
        rows.append(
            {
                "dataset": spec.name,
                "title": spec.title,
                "task": spec.task,
                "language": spec.language,
                "splits": ", ".join(spec.splits),
                "licence": spec.licence,
                "source": where,
                "upstream": spec.homepage,
            }
        )
    return rows


def overview(settings: Settings | None = None) -> dict[str, object]:
    """Everything the "Models & data" panel shows, as plain data."""
    settings = settings or get_settings()
    return {
        "device": describe_device(),
        "hub": "reachable" if hub_reachable(settings) else "offline (not reachable or disabled)",
        "tasks": [choose_model(task, settings).as_row() for task in task_defaults()],
        "packaged": packaged_overview(settings),
        "datasets": datasets_overview(settings),
        "paths": {
            "PLAYGROUND_CACHE": str(settings.cache_dir),
            "PLAYGROUND_DATA_HOME": str(settings.data_home),
            "PLAYGROUND_RUNS": str(settings.runs_dir),
        },
    }
