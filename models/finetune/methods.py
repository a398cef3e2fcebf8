"""Fine-tuning methods, registered by name: what each trains and how its checkpoint is saved.

Every method starts from the same base encoder with a freshly initialised classification head
(seeded, so all methods start from the same head). Learning-rate defaults differ per method:
full fine-tuning moves every weight and wants a small rate; adapters and heads start from zero
or random and want a larger one.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.core.device import cuda_present
from models.core.errors import ConfigError
from models.core.i18n import Text
from models.finetune.cached_bottom import train_top_layers
from models.finetune.heads import head_module_names
from models.sources.formats import FormatName

# Loads a fresh base model with a classification head; QLoRA passes a quantisation config.
BaseLoader = Callable[..., Any]


@dataclass
class LoraSettings:
    """LoRA's knobs (also used by QLoRA)."""

    rank: int = field(default=8, metadata={"help": "rank r of the update matrices"})
    alpha: float = field(default=16.0, metadata={"help": "scale: the update is alpha / r * BA"})
    dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA branch input"})
    target_modules: tuple[str, ...] = field(
        default=(),
        metadata={"help": "module names to adapt; empty: peft's default for the architecture"},
    )
    top_layers: int = field(
        default=0,
        metadata={
            "help": "adapt only the top N encoder layers (0: all); the backward pass then stops "
            "below them, which is where LoRA's time goes on a CPU"
        },
    )


class MethodOptions(Protocol):
    """The settings a method's builder reads (a ``FinetuneConfig`` has them)."""

    lora: LoraSettings
    trained_layers: int


@dataclass(frozen=True)
class Method:
    """One way of fine-tuning."""

    name: str
    title: str
    default_lr: float
    summary: str
    checkpoint: FormatName
    build: Callable[[BaseLoader, MethodOptions], Any]
    unavailable: Callable[[], str | None] = lambda: None  # a reason when it cannot run here
    trainer: bool = True  # trained by the transformers Trainer (False: fitted in one go, fitted.py)
    uses_lora: bool = False  # reads the LoRA settings (rank, alpha, top layers...)
    mergeable: bool = False  # its adapter folds into the base weights (--merge-lora saves that)


def _trainable_only(model: Any, names: list[str]) -> Any:
    prefixes = tuple(f"{n}." for n in names)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(prefixes)
    return model


def _build_full(load: BaseLoader, config: MethodOptions) -> Any:
    return load()


def _build_full_frozen_embeddings(load: BaseLoader, config: MethodOptions) -> Any:
    model = load()
    # The word-embedding matrix is most of a multilingual model (96M of e5-small's 118M) and
    # barely moves in a short fine-tune; freezing it saves its gradient and AdamW state.
    model.get_input_embeddings().weight.requires_grad = False
    return model


def _build_head(load: BaseLoader, config: MethodOptions) -> Any:
    model = load()
    return _trainable_only(model, head_module_names(model))


def _build_top(load: BaseLoader, config: MethodOptions) -> Any:
    return train_top_layers(load(), config.trained_layers)


def _exclude_head(model: Any) -> str:
    """A regex of the head's modules, so a target like "dense" never adapts the trained head."""
    return "|".join(rf"(.*\.)?{re.escape(name)}(\..*)?" for name in head_module_names(model))


def _top_layers(model: Any, count: int) -> list[int] | None:
    """Indices of the encoder's top ``count`` layers (None: every layer; checked in prepare_run)."""
    if count <= 0:
        return None
    layers = model.config.num_hidden_layers
    return list(range(max(layers - count, 0), layers))


def _lora_config(model: Any, config: MethodOptions) -> Any:
    from peft import LoraConfig, TaskType

    return LoraConfig(
        layers_to_transform=_top_layers(model, config.lora.top_layers),
        task_type=TaskType.SEQ_CLS,
        r=config.lora.rank,
        lora_alpha=config.lora.alpha,
        lora_dropout=config.lora.dropout,
        target_modules=list(config.lora.target_modules) or None,
        exclude_modules=_exclude_head(model),
        modules_to_save=head_module_names(model),
    )


def _peft(model: Any, peft_config: Any, method: str) -> Any:
    from peft import get_peft_model

    try:
        return get_peft_model(model, peft_config)
    except ValueError as err:
        raise ConfigError(
            Text(
                "{method} cannot adapt this {kind} model: {err}. Type the module names to adapt "
                "(e.g. query,value) in the target modules setting.",
                "{method}은(는) 이 {kind} 모델에 적용할 수 없습니다: {err}. 적용할 모듈 이름"
                "(예: query,value)을 대상 모듈 설정에 입력하세요.",
                method=method,
                kind=model.config.model_type,
                err=str(err),
            )
        ) from err


def _build_lora(load: BaseLoader, config: MethodOptions) -> Any:
    model = load()
    return _peft(model, _lora_config(model, config), "LoRA")


def _build_qlora(load: BaseLoader, config: MethodOptions) -> Any:
    import torch
    from peft import prepare_model_for_kbit_training
    from transformers import BitsAndBytesConfig

    quantization = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    model = prepare_model_for_kbit_training(load(quantization_config=quantization))
    return _peft(model, _lora_config(model, config), "QLoRA")


def _no_build(load: BaseLoader, config: MethodOptions) -> Any:
    raise ConfigError(
        Text(
            "This method is fitted in one go (fitted.py); it has no model to build.",
            "이 방법은 한 번에 적합합니다(fitted.py). 만들 모델이 없습니다.",
        )
    )


def _qlora_unavailable() -> str | None:
    if not cuda_present():
        return Text("QLoRA needs a CUDA GPU.", "QLoRA에는 CUDA GPU가 필요합니다.")
    if importlib.util.find_spec("bitsandbytes") is None:
        return Text(
            "QLoRA needs bitsandbytes: pip install bitsandbytes",
            "QLoRA에는 bitsandbytes가 필요합니다: pip install bitsandbytes",
        )
    return None


def _build_ia3(load: BaseLoader, config: MethodOptions) -> Any:
    from peft import IA3Config, TaskType
    from peft.utils import TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING as DEFAULTS

    model = load()
    targets = feedforward = None
    bert_like = any(name.endswith("attention.self.key") for name, _ in model.named_modules())
    if model.config.model_type not in DEFAULTS and bert_like:
        # BERT-family encoders without a peft default (XLM-R): BERT's IA3 targets fit them.
        targets, feedforward = ["key", "value", "output.dense"], ["output.dense"]
    peft_config = IA3Config(
        task_type=TaskType.SEQ_CLS,
        target_modules=targets,
        feedforward_modules=feedforward,
        modules_to_save=head_module_names(model),
    )
    return _peft(model, peft_config, "IA3")


def _build_prompt(load: BaseLoader, config: MethodOptions) -> Any:
    from peft import PromptTuningConfig, TaskType

    model = load()
    return _peft(
        model,
        PromptTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=20),
        "Prompt tuning",
    )


def _build_prefix(load: BaseLoader, config: MethodOptions) -> Any:
    from peft import PrefixTuningConfig, TaskType

    model = load()
    return _peft(
        model,
        PrefixTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=20),
        "Prefix tuning",
    )


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "full", Text("Full fine-tuning", "전체 미세 조정"), 1e-4,
            "Every weight of the encoder and the new head is trained.",
            "transformers", _build_full,
        ),
        Method(
            "full-noemb", Text("Full, word embeddings frozen", "전체(단어 임베딩 고정)"), 1e-4,
            "Every weight except the word-embedding table is trained: nearly full fine-tuning "
            "at a fraction of the optimiser cost for multilingual models.",
            "transformers", _build_full_frozen_embeddings,
        ),
        Method(
            "top", Text("Top layers, frozen bottom cached", "상위 층만 학습(하위 층 캐시)"), 1e-4,
            "The top N encoder layers and the head are fully trained; the frozen layers below "
            "run once per row and their output is kept in memory, so later epochs cost only the "
            "top layers. Several epochs where full fine-tuning affords one.",
            "transformers", _build_top,
        ),
        Method(
            "lora", "LoRA", 2e-3,
            "The encoder is frozen; small low-rank updates (rank r) are learned beside its "
            "attention weights, plus the head.",
            "peft-adapter", _build_lora, uses_lora=True, mergeable=True,
        ),
        Method(
            "head", Text("Frozen encoder + head", "고정 인코더 + 분류 헤드"), 5e-3,
            "The encoder is frozen; only the classification head (and pooler) is trained.",
            "head", _build_head,
        ),
        Method(
            "probe",
            Text("Sentence embeddings + logistic regression", "문장 임베딩 + 로지스틱 회귀"),
            0.0,
            "The encoder is frozen and used as a sentence embedder (mean pooling); a logistic "
            "regression is fitted on the embeddings. Seconds to fit; strong with many classes.",
            "embedding-probe", _no_build, trainer=False,
        ),
        Method(
            "ngram", Text("Character n-grams + logistic regression", "문자 n-그램 + 로지스틱 회귀"),
            0.0,
            "No neural network: TF-IDF weights of character 1-4-grams and a logistic "
            "regression, the classical baseline. Seconds to fit on every row; no word meaning.",
            "ngram", _no_build, trainer=False,
        ),
        Method(
            "ia3", "IA3", 5e-3,
            "The encoder is frozen; learned vectors rescale its keys, values and feed-forward "
            "activations, plus the head.",
            "peft-adapter", _build_ia3, mergeable=True,
        ),
        Method(
            "prompt", Text("Prompt tuning", "프롬프트 튜닝"), 1e-2,
            "The encoder is frozen; 20 learned 'virtual token' embeddings are prepended to the "
            "input, plus the head.",
            "peft-adapter", _build_prompt,
        ),
        Method(
            "prefix", Text("Prefix tuning", "프리픽스 튜닝"), 1e-2,
            "The encoder is frozen; learned key/value prefixes are given to every attention "
            "layer, plus the head.",
            "peft-adapter", _build_prefix,
        ),
        Method(
            "qlora", Text("QLoRA (4-bit base + LoRA)", "QLoRA(4비트 기반 모델 + LoRA)"), 2e-3,
            "LoRA on a base loaded in 4-bit NF4: the least memory. Needs a CUDA GPU and "
            "bitsandbytes.",
            "peft-adapter", _build_qlora, _qlora_unavailable, uses_lora=True,
        ),
    )
}  # fmt: skip


def get_method(name: str) -> Method:
    if name not in METHODS:
        raise ConfigError(
            Text(
                "Unknown method '{name}'. Choose from: {names}.",
                "알 수 없는 방법입니다: '{name}'. 다음 중에서 고르세요: {names}.",
                name=name,
                names=", ".join(METHODS),
            )
        )
    return METHODS[name]


ENSEMBLE_TITLE = Text("Ensemble (average of the methods)", "앙상블(방법들의 평균)")


def method_title(name: str) -> str:  # a Text for a known method
    """A method's title; also for the ensemble row a run may add."""
    if name == "ensemble":
        return ENSEMBLE_TITLE
    return METHODS[name].title if name in METHODS else name


def available_methods() -> dict[str, str | None]:
    """Each method and why it cannot run here (None: it can)."""
    return {name: method.unavailable() for name, method in METHODS.items()}
