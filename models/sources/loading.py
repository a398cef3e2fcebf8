"""Load models lazily, once per process, thread-safely. Only loaded models are shared by users.

Everything loaded goes into one bounded cache (``models.core.cache``): the least recently used
model is dropped once more than ``PLAYGROUND_MAX_LOADED_MODELS`` are held, so a long-running
server that keeps seeing retrained models and new zero-shot label sets keeps its memory bounded.

Whatever goes wrong while weights or a tokenizer load (a truncated safetensors file, a torch
pickle that will not unpickle, a malformed JSON, weights that do not fit) becomes one
``ModelUnavailable`` sentence, with the traceback in the log; nothing else escapes a loader. A
legacy folder this app owns that loads gets its manifest then (``integrity.adopt``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from models.core.cache import BoundedCache
from models.core.device import torch_device
from models.core.errors import ModelUnavailable, PlaygroundError
from models.core.i18n import Text
from models.core.settings import Settings, get_settings
from models.sources import integrity
from models.sources.formats import HEAD_WEIGHTS, MERGEABLE_ADAPTERS, get_format
from models.sources.resolver import ResolvedModel, resolve

T = TypeVar("T")
log = logging.getLogger(__name__)


@functools.cache
def model_cache() -> BoundedCache:
    """The process's loaded models (created on first use, sized by the settings)."""
    return BoundedCache(get_settings().max_loaded_models)


def load_once(key: tuple[Hashable, ...], loader: Callable[[], T]) -> T:
    """Run ``loader`` the first time ``key`` is asked for; later (and concurrent) calls share it."""
    return model_cache().get_or_load(key, loader)


def forget(prefix: tuple[str, ...] = ()) -> None:
    """Drop cached models whose key starts with ``prefix`` (all when empty): tests, freed memory."""
    model_cache().forget(lambda key: key[: len(prefix)] == prefix)


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    line = text[0] if text else type(err).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def _what_to_do(resolved: ResolvedModel) -> Text:
    if integrity.is_run(Path(resolved.path)):
        return Text(
            "train it again, or delete its run folder {run}",
            "다시 학습하거나 실행 폴더({run})를 지우세요", run=str(Path(resolved.path).parent),
        )  # fmt: skip
    if resolved.source == "packaged":
        return Text(
            "delete the converted folder so it is converted again, or reinstall the package",
            "변환된 폴더를 지워 다시 변환하게 하거나 패키지를 다시 설치하세요",
        )
    return Text(
        "check that the folder is a complete model, or choose another model",
        "폴더에 모델 파일이 모두 있는지 확인하거나 다른 모델을 고르세요",
    )


def load_guarded(resolved: ResolvedModel, load: Callable[[], T]) -> T:
    """``load()``, with any failure turned into one ``ModelUnavailable`` sentence.

    The traceback goes to the log (a new kind of failure is a bug to read there); the user reads
    which model failed, why in a line, and what to do. A legacy folder this app owns that loaded
    is adopted (its manifest written).
    """
    try:
        value = load()
    except PlaygroundError:
        raise
    except Exception as err:  # any library's error while reading weights must not escape
        log.exception("loading %s from %s failed", resolved.ref, resolved.path)
        raise ModelUnavailable(
            Text(
                "{ref} could not be loaded from {path} ({kind}: {why}): {todo}.",
                "{path}에서 {ref} 모델을 불러오지 못했습니다({kind}: {why}). {todo}.",
                ref=resolved.ref, path=resolved.path, kind=type(err).__name__,
                why=_first_line(err), todo=_what_to_do(resolved),
            )
        ) from err  # fmt: skip
    for folder in (resolved.path, resolved.base.path if resolved.base else ""):
        if folder and Path(folder).is_dir():
            integrity.adopt(folder)
    return value


@dataclass
class LoadedEmbedder:
    """A sentence-transformers model and where it came from."""

    model: Any  # sentence_transformers.SentenceTransformer
    resolved: ResolvedModel


def load_embedder(ref: str, settings: Settings | None = None) -> LoadedEmbedder:
    """A SentenceTransformer for ``ref`` (a plain encoder gets mean pooling)."""
    resolved = resolve(ref, want="embedding", settings=settings)

    def load() -> Any:
        from sentence_transformers import SentenceTransformer

        if resolved.format != "peft-adapter":
            device = torch_device()
            return SentenceTransformer(resolved.path, device=device, trust_remote_code=False)
        # An adapter tuned here (answer ranking): the base encoder with it folded in.
        assert resolved.base is not None
        model = SentenceTransformer(
            resolved.base.path, device=torch_device(), trust_remote_code=False
        )
        model[0].model = _load_adapter(model[0].model, resolved)
        return model

    def loader() -> Any:
        return load_guarded(resolved, load)

    # The model is shared; the description stays the caller's (a Hub id may map to packaged).
    return LoadedEmbedder(load_once(("embedder", resolved.path, torch_device()), loader), resolved)


@dataclass
class LoadedCausalLM:
    """A text generator, its tokenizer and where it came from."""

    model: Any
    tokenizer: Any
    resolved: ResolvedModel


def load_causal_lm(ref: str, settings: Settings | None = None) -> LoadedCausalLM:
    """A causal LM for ``ref`` in eval mode."""
    resolved = resolve(ref, want="causal-lm", settings=settings)

    def load() -> tuple[Any, Any]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(resolved.path, trust_remote_code=False)
        return model.to(torch_device()).eval(), tokenizer

    def loader() -> tuple[Any, Any]:
        return load_guarded(resolved, load)

    model, tokenizer = load_once(("causal-lm", resolved.path, torch_device()), loader)
    return LoadedCausalLM(model, tokenizer, resolved)


@dataclass
class LoadedClassifier:
    """A sequence classifier ready for inference, its tokenizer, labels and origin."""

    model: Any
    tokenizer: Any
    resolved: ResolvedModel
    labels: list[str]
    max_length: int


def _load_head(model: Any, resolved: ResolvedModel) -> Any:
    """The "frozen encoder + head" format: only the head's weights, put on the base encoder."""
    from safetensors.torch import load_file

    state = load_file(str(Path(resolved.path) / HEAD_WEIGHTS))
    missing = set(state) - set(model.state_dict())
    if missing:
        raise ModelUnavailable(
            Text("{ref}: head weights do not fit the base ({missing}).",
                 "{ref}: 헤드 가중치가 기반 모델과 맞지 않습니다({missing}).",
                 ref=resolved.ref, missing=str(missing))
        )  # fmt: skip
    model.load_state_dict(state, strict=False)
    return model


def _load_adapter(model: Any, resolved: ResolvedModel) -> Any:
    """A peft adapter on its base; LoRA / IA3 fold into the weights (no inference overhead)."""
    from peft import PeftModel

    model = PeftModel.from_pretrained(model, resolved.path)
    if resolved.meta.get("peft_type") in MERGEABLE_ADAPTERS:
        model = model.merge_and_unload()
    return model


# Formats whose folder holds weights for a base model: how to put them on it.
ON_A_BASE: dict[str, Callable[[Any, ResolvedModel], Any]] = {
    "head": _load_head,
    "peft-adapter": _load_adapter,
}


def encoder_with_head(path: str, labels: list[str], **kwargs: Any) -> Any:
    """The encoder at ``path`` with a classification head sized and named for ``labels``.

    The head is new (randomly initialised) unless the folder already has one of that size.

    Raises:
        ModelUnavailable: the weights cannot be read (the traceback is logged).
    """
    from transformers import AutoModelForSequenceClassification

    try:
        return AutoModelForSequenceClassification.from_pretrained(
            path,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            trust_remote_code=False,
            **kwargs,
        )
    except Exception as err:  # the fine-tuning engine calls this too: no library error escapes
        log.exception("loading the encoder in %s failed", path)
        raise ModelUnavailable(
            Text(
                "The encoder in {path} could not be loaded ({kind}: {why}): check that it is a "
                "complete model, or choose another base.",
                "{path}의 인코더를 불러오지 못했습니다({kind}: {why}). 모델 파일이 모두 있는지 "
                "확인하거나 다른 기반 모델을 고르세요.",
                path=str(path), kind=type(err).__name__, why=_first_line(err),
            )
        ) from err  # fmt: skip


def _transformers_classifier(resolved: ResolvedModel) -> tuple[Any, Any]:
    """The model and tokenizer of a transformers classifier, alone or on its base."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if resolved.format not in ON_A_BASE:
        tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            resolved.path, trust_remote_code=False
        )
        return model, tokenizer
    assert resolved.base is not None
    # The base encoder with a head sized for the run's labels, then the run's weights on it.
    model = encoder_with_head(resolved.base.path, list(resolved.labels))
    tokenizer = AutoTokenizer.from_pretrained(resolved.base.path, trust_remote_code=False)
    return ON_A_BASE[resolved.format](model, resolved), tokenizer


def load_classifier(ref: str, settings: Settings | None = None) -> LoadedClassifier:
    """A sequence classifier: a transformers folder / Hub id, or this app's adapter or head run."""
    resolved = resolve(ref, want="classifier", settings=settings)
    fmt = get_format(resolved.format)
    if not fmt.transformers:
        raise ModelUnavailable(
            Text(
                "{ref} is one of this app's {title} models, not a transformers classifier; "
                "choose it as the model itself (zero-shot by entailment needs a transformers "
                "NLI model).",
                "{ref} 모델은 이 앱의 {title} 모델이라 transformers 분류기가 아닙니다. 모델 "
                "자체로 고르세요(함의 기반 제로샷에는 transformers NLI 모델이 필요합니다).",
                ref=ref, title=fmt.title,
            )
        )  # fmt: skip

    def load() -> tuple[Any, Any]:
        model, tokenizer = _transformers_classifier(resolved)
        return model.to(torch_device()).eval(), tokenizer

    def loader() -> tuple[Any, Any]:
        return load_guarded(resolved, load)

    model, tokenizer = load_once(("classifier", resolved.path, torch_device()), loader)
    id2label = getattr(model.config, "id2label", None) or {}
    labels = list(resolved.labels) or [id2label[i] for i in sorted(id2label)]
    max_length = int(resolved.meta.get("max_length") or min(tokenizer.model_max_length, 512))
    return LoadedClassifier(model, tokenizer, resolved, labels, max_length)
