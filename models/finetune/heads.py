"""Where a sequence classifier's parts are: its task head, and its encoder's layer list."""

from __future__ import annotations

from typing import Any

from models.core.errors import ConfigError
from models.core.i18n import Text


def head_module_names(model: Any) -> list[str]:
    """The task head: everything outside the base encoder, plus the encoder's pooler if any."""
    prefix = model.base_model_prefix
    names = [
        name
        for name, module in model.named_children()
        if name != prefix and any(True for _ in module.parameters())
    ]
    pooler = getattr(getattr(model, prefix, None), "pooler", None)
    if pooler is not None and any(True for _ in pooler.parameters()):
        names.append(f"{prefix}.pooler")
    return names


def encoder_layers(model: Any) -> Any:
    """The encoder's layer list, or a ConfigError naming what layer-wise methods need."""
    base = model.base_model
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if layers is None or not hasattr(base, "embeddings"):
        raise ConfigError(
            Text(
                "Top-layer training needs a BERT-style encoder (embeddings + encoder.layer); "
                "{kind} is not one. Choose full fine-tuning or LoRA instead.",
                "상위 층 학습에는 BERT 방식의 인코더(embeddings + encoder.layer)가 필요한데 "
                "{kind}은(는) 아닙니다. 전체 미세 조정이나 LoRA를 고르세요.",
                kind=model.config.model_type,
            )
        )
    return layers
