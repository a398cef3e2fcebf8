"""A run before any method trains: the config checked, the rows loaded and tokenised once.

Every method of a run (and every cell of a sweep) shares the prepared rows, tokenizer and base
model reference, and starts from a fresh copy of the base with the same seeded head.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.core.device import torch_device
from models.core.errors import ConfigError
from models.core.i18n import Text
from models.core.settings import Settings
from models.finetune.config import FinetuneConfig
from models.finetune.data import RunData, prepare_data
from models.finetune.encode import EncodedRows, curve_subset, encode
from models.finetune.methods import get_method
from models.sources.loading import encoder_with_head
from models.sources.resolver import ResolvedModel, resolve


@dataclass
class PreparedRun:
    """What every method of a run shares: rows, tokenizer, base model reference."""

    config: FinetuneConfig
    data: RunData
    base: ResolvedModel
    tokenizer: Any
    train: EncodedRows
    eval: EncodedRows
    curve: EncodedRows
    device: str

    @property
    def collator(self) -> Any:
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(
            self.tokenizer, pad_to_multiple_of=8 if self.device == "cuda" else None
        )


def _check_top_layers(config: FinetuneConfig, base: ResolvedModel) -> None:
    """Top-layer counts beyond the encoder's depth, refused before anything is loaded."""
    asked = []
    if config.lora.top_layers and any(get_method(m).uses_lora for m in config.methods):
        asked.append(
            (
                Text("LoRA top layers", "LoRA 상위 층 수"),
                config.lora.top_layers,
                Text(", or 0 for all", "(전체는 0)"),
            )
        )
    if "top" in config.methods:
        asked.append((Text("Trained top layers", "학습할 상위 층 수"), config.trained_layers, ""))
    if not asked:
        return
    from transformers import AutoConfig

    layers = getattr(AutoConfig.from_pretrained(base.path), "num_hidden_layers", None)
    for what, count, zero in asked:
        if layers is not None and count > layers:
            raise ConfigError(
                Text(
                    "{what} is {count}, but {base} has {layers} layers. Choose 1 to "
                    "{layers}{zero}.",
                    "{what}이(가) {count}인데 {base}의 층은 {layers}개입니다. 1에서 {layers} "
                    "사이{zero}로 고르세요.",
                    what=what,
                    count=count,
                    base=config.base,
                    layers=layers,
                    zero=zero,
                )
            )


def prepare_run(config: FinetuneConfig, settings: Settings, all_rows: bool = False) -> PreparedRun:
    """Check the config, the base model and the rows; tokenise once. Nothing is trained here.

    ``all_rows`` keeps every training row (a time budget then chooses how many to use).
    """
    config.check()
    for name in config.methods:
        reason = get_method(name).unavailable()
        if reason:
            raise ConfigError(
                Text(
                    "{m} is not available here: {reason}",
                    "{m}은(는) 여기서 쓸 수 없습니다: {reason}",
                    m=get_method(name).title,
                    reason=reason,
                )
            )
    base = resolve(config.base, want="encoder", settings=settings)
    _check_top_layers(config, base)
    data = prepare_data(config, settings, all_rows=all_rows)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base.path, trust_remote_code=False)
    train = encode(tokenizer, data.train, data.labels, config.max_length, data.pair)
    evaluation = encode(tokenizer, data.eval, data.labels, config.max_length, data.pair)
    return PreparedRun(
        config, data, base, tokenizer, train, evaluation, curve_subset(evaluation, config.seed),
        torch_device(),
    )  # fmt: skip


def base_loader(run: PreparedRun) -> Callable[..., Any]:
    """Loads a fresh base encoder with a new head; seeded so every method starts the same."""

    def load(**kwargs: Any) -> Any:
        from transformers import set_seed
        from transformers.utils import logging

        set_seed(run.config.seed)
        verbosity = logging.get_verbosity()
        logging.set_verbosity_error()  # the "newly initialised head" notice is expected here
        try:
            model = encoder_with_head(run.base.path, run.data.labels, **kwargs)
        finally:
            logging.set_verbosity(verbosity)
        return model if "quantization_config" in kwargs else model.to(run.device)

    return load


def build_model(run: PreparedRun, method: str) -> tuple[Any, float]:
    """The base model set up for ``method``, and the seconds that took."""
    started = time.perf_counter()
    model = get_method(method).build(base_loader(run), run.config)
    return model, time.perf_counter() - started
