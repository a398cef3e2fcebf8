"""What each task uses, the packaged weights, the datasets, the device: the Models & data tab.

Reading it never converts or downloads anything, so the tab fills instantly; file checks compare
sizes only (``core.manifest``), so a damaged conversion shows as such, never as "ready".
"""

from __future__ import annotations

from models.core.device import describe_device
from models.core.settings import Settings, get_settings
from models.datasets.registry import data_home_folder, missing_files
from models.datasets.specs import DATASETS
from models.sources import packaged
from models.sources.integrity import DAMAGED
from models.sources.resolver import hub_reachable
from models.sources.task_models import choose_model, task_models


def packaged_overview(settings: Settings | None = None) -> list[dict[str, str]]:
    """One row per packaged model: installed? converted? where?"""
    settings = settings or get_settings()
    rows = []
    for model in packaged.PACKAGED.values():
        folder = packaged.ready_folder(model, settings)
        if not model.installed():
            state = f"not installed ({model.install})"
        elif damage := packaged.damage(model, settings):
            # A conversion is redone on first use; a wheel's own files only by reinstalling.
            fix = DAMAGED if model.converter else f"damaged (reinstall: {model.install})"
            state = f"{fix}: {damage}"
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
        if not missing_files(spec, folder):
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
    """Everything the Models & data tab shows, as plain data."""
    settings = settings or get_settings()
    return {
        "device": describe_device(),
        "hub": "reachable" if hub_reachable(settings) else "offline (not reachable or disabled)",
        "tasks": [choose_model(key, settings).as_row() for key in task_models()],
        "packaged": packaged_overview(settings),
        "datasets": datasets_overview(settings),
        "paths": {
            "PLAYGROUND_CACHE": str(settings.cache_dir),
            "PLAYGROUND_DATA_HOME": str(settings.data_home),
            "PLAYGROUND_RUNS": str(settings.runs_dir),
        },
    }
