"""A model reference resolved: where it comes from, what it is, and the check on its kind.

The kind of model (an encoder, a text generator) is read from ``config.json`` (or a packaged
model's entry), so a mismatch is refused before anything is converted, downloaded or loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from models.core.errors import ModelUnavailable
from models.core.i18n import Text, join
from models.sources.formats import FormatName, Want, get_format

Source = Literal["packaged", "local", "hub", "hub cache"]
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
SOURCE_NAMES = {
    "packaged": Text("packaged offline weights", "패키지에 포함된 오프라인 가중치"),
    "local": Text("local folder", "로컬 폴더"),
    "hub": Text("Hugging Face Hub", "Hugging Face Hub"),
    "hub cache": Text("Hugging Face cache", "Hugging Face 캐시"),
}
ENCODER_EXAMPLES = Text(
    "BERT, RoBERTa, XLM-R, MiniLM or e5 ({packaged})",
    "BERT, RoBERTa, XLM-R, MiniLM, e5({packaged})",
    packaged="packaged:multilingual-e5-small, packaged:all-MiniLM-L6-v2",
)  # fmt: skip


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

    def describe(self) -> Text:
        """Where the model comes from, in one line for the UI."""
        where = SOURCE_NAMES[self.source]
        # A folder's reference is its path: name it once.
        if self.ref == self.path:
            text = Text("{ref} ({where})", "{ref}({where})", ref=self.ref, where=where)
        else:
            text = Text(
                "{ref} ({where}: {path})", "{ref}({where}: {path})",
                ref=self.ref, where=where, path=self.path,
            )  # fmt: skip
        if self.base is not None:
            text = Text(
                "{text}, on the base model {base}", "{text}, 기반 모델 {base}",
                text=text, base=self.base.ref,
            )  # fmt: skip
        return join([text, self.note], ". ") if self.note else text


def kind_fault(model: ResolvedModel) -> str:
    """What ``model`` is when it is not a text encoder ("" when it may be one)."""
    heads = [a for a in model.architectures if a.endswith(_GENERATOR_HEADS)]
    if heads or model.model_type in _DECODER_TYPES:
        kind = heads[0] if heads else model.model_type
        return Text("a text generator ({kind})", "텍스트 생성 모델({kind})", kind=kind)
    other = [a for a in model.architectures if a.endswith(_NOT_TEXT_HEADS)]
    return (
        Text("an image or audio model ({kind})", "이미지나 음성 모델({kind})", kind=other[0])
        if other
        else ""
    )


def check_kind(model: ResolvedModel, want: Want) -> ResolvedModel:
    """Refuse the wrong kind of model from its config alone: nothing is loaded yet."""
    if want == "any":
        return model
    fault = kind_fault(model)
    generator = fault.startswith("a text generator")
    if want in ("encoder", "classifier", "embedding") and fault:
        raise ModelUnavailable(Text(
            "{ref} is {fault}, not an encoder; choose an encoder such as {examples}.",
            "{ref} 모델은 인코더가 아니라 {fault}입니다. {examples} 같은 인코더를 고르세요.",
            ref=model.ref, fault=fault, examples=ENCODER_EXAMPLES,
        ))  # fmt: skip
    if want == "causal-lm" and not generator:
        kind = model.model_type or Text("non-generative", "생성용이 아닌")
        raise ModelUnavailable(Text(
            "{ref} is a {kind} model, not a text generator. Choose a causal LM such as "
            "SmolLM2, Qwen or Llama.",
            "{ref} 모델은 {kind} 모델이라 텍스트를 생성하지 못합니다. SmolLM2, Qwen, Llama "
            "같은 생성 모델을 고르세요.", ref=model.ref, kind=kind,
        ))  # fmt: skip
    if want == "classifier" and not model.is_classifier:
        raise ModelUnavailable(Text(
            "{ref} has no classification head (it is a plain encoder). Fine-tune it in the "
            "Fine-tuning tab, or use zero-shot classification with it.",
            "{ref} 모델에는 분류 헤드가 없습니다(일반 인코더입니다). 미세 조정 탭에서 "
            "미세 조정하거나, 이 모델로 제로샷 분류를 하세요.", ref=model.ref,
        ))  # fmt: skip
    return model
