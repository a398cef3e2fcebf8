"""Load models lazily, once per process, thread-safely. Only loaded models are shared by users."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from models.device import torch_device
from models.errors import ModelUnavailable
from models.resolver import ResolvedModel, resolve
from models.settings import Settings

T = TypeVar("T")
_loaded: dict[tuple[str, ...], Any] = {}
_key_locks: dict[tuple[str, ...], threading.Lock] = {}
_guard = threading.Lock()


def load_once(key: tuple[str, ...], loader: Callable[[], T]) -> T:
    """Run ``loader`` the first time ``key`` is asked for; later (and concurrent) calls share it."""
    with _guard:
        lock = _key_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _loaded:
            _loaded[key] = loader()
        return _loaded[key]


def forget(prefix: tuple[str, ...] = ()) -> None:
    """Drop cached models whose key starts with ``prefix`` (all when empty): tests, freed memory."""
    with _guard:
        for key in [k for k in _loaded if k[: len(prefix)] == prefix]:
            del _loaded[key]


def _wrap_load_error(resolved: ResolvedModel, err: Exception) -> ModelUnavailable:
    return ModelUnavailable(f"{resolved.ref} could not be loaded from {resolved.path}: {err}")


@dataclass
class LoadedEmbedder:
    """A sentence-transformers model and where it came from."""

    model: Any  # sentence_transformers.SentenceTransformer
    resolved: ResolvedModel


def load_embedder(ref: str, settings: Settings | None = None) -> LoadedEmbedder:
    """A SentenceTransformer for ``ref`` (a plain encoder gets mean pooling)."""
    resolved = resolve(ref, want="embedding", settings=settings)

    def loader() -> Any:
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(
                resolved.path, device=torch_device(), trust_remote_code=False
            )
        except (OSError, ValueError, KeyError) as err:
            raise _wrap_load_error(resolved, err) from err

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

    def loader() -> tuple[Any, Any]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=False)
            model = AutoModelForCausalLM.from_pretrained(resolved.path, trust_remote_code=False)
        except (OSError, ValueError, KeyError) as err:
            raise _wrap_load_error(resolved, err) from err
        return model.to(torch_device()).eval(), tokenizer

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


def _classifier_from_base(resolved: ResolvedModel) -> tuple[Any, Any]:
    """A base encoder with a head sized for the run's labels, then the run's weights on it."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    assert resolved.base is not None
    labels = list(resolved.labels)
    model = AutoModelForSequenceClassification.from_pretrained(
        resolved.base.path,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        trust_remote_code=False,
    )
    tokenizer = AutoTokenizer.from_pretrained(resolved.base.path, trust_remote_code=False)
    if resolved.format == "head":
        from safetensors.torch import load_file

        state = load_file(str(Path(resolved.path) / "head.safetensors"))
        missing = set(state) - set(model.state_dict())
        if missing:
            raise ModelUnavailable(f"{resolved.ref}: head weights do not fit the base ({missing}).")
        model.load_state_dict(state, strict=False)
        return model, tokenizer
    from peft import PeftModel

    model = PeftModel.from_pretrained(model, resolved.path)
    # LoRA / IA3 fold into the weights: inference then costs the same as the base model.
    if resolved.meta.get("method") in ("lora", "ia3", "qlora"):
        model = model.merge_and_unload()
    return model, tokenizer


# This app's classifier formats that are not a transformers model (see models.classify).
NOT_TRANSFORMERS = {
    "probe": "embeddings + logistic regression",
    "ngram": "character n-gram",
    "ensemble": "ensemble",
}


def load_classifier(ref: str, settings: Settings | None = None) -> LoadedClassifier:
    """A sequence classifier: a transformers folder / Hub id, or this app's adapter or head run."""
    resolved = resolve(ref, want="classifier", settings=settings)
    if resolved.format in NOT_TRANSFORMERS:
        raise ModelUnavailable(
            f"{ref} is one of this app's {NOT_TRANSFORMERS[resolved.format]} models, not a "
            "transformers classifier; choose it as the model itself (zero-shot by entailment "
            "needs a transformers NLI model)."
        )

    def loader() -> tuple[Any, Any]:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            if resolved.format in ("peft-adapter", "head"):
                model, tokenizer = _classifier_from_base(resolved)
            else:
                tokenizer = AutoTokenizer.from_pretrained(resolved.path, trust_remote_code=False)
                model = AutoModelForSequenceClassification.from_pretrained(
                    resolved.path, trust_remote_code=False
                )
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            raise _wrap_load_error(resolved, err) from err
        return model.to(torch_device()).eval(), tokenizer

    model, tokenizer = load_once(("classifier", resolved.path, torch_device()), loader)
    id2label = getattr(model.config, "id2label", None) or {}
    labels = list(resolved.labels) or [id2label[i] for i in sorted(id2label)]
    max_length = int(resolved.meta.get("max_length") or min(tokenizer.model_max_length, 512))
    return LoadedClassifier(model, tokenizer, resolved, labels, max_length)
