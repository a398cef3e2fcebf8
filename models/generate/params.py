"""Decoding parameters, typed and bounded: one place for their ranges, shared by the tab, the API
and every backend."""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields

from models.core import inputs
from models.core.errors import ConfigError
from models.core.i18n import Text

MAX_NEW_TOKENS = 2048
MAX_STOPS = 4
MAX_STOP_CHARS = 64
MAX_STOP_ITEMS = 64  # blank items included, before they are dropped
MAX_STOP_TEXT = MAX_STOP_ITEMS * (MAX_STOP_CHARS + 1)  # the form's one-per-line text
MAX_SEED = 2**31 - 1


def _about(label: Text, hint: Text) -> dict:
    return {"label": label, "help": hint}


@dataclass(frozen=True)
class GenerationParams:
    """How to decode. ``temperature`` 0 is greedy; ``seed`` makes sampling repeatable."""

    temperature: float = field(default=0.7, metadata=_about(
        Text("Temperature", "온도"),
        Text("0 always picks the likeliest next word; higher is more varied, and above 1 the "
             "reply often wanders.",
             "0이면 늘 가장 그럴듯한 다음 단어를 고릅니다. 높을수록 답이 다양해지고, 1을 넘으면 "
             "엉뚱해지기 쉽습니다."),
    ))  # fmt: skip
    top_p: float = field(default=0.95, metadata=_about(
        Text("Top-p", "Top-p (누적 확률)"),
        Text("Draws only from the likeliest words that together hold this share of the "
             "probability; lower is safer and blander.",
             "확률을 더해 이 값이 될 때까지의 상위 단어 중에서만 고릅니다. 낮출수록 무난하고 "
             "밋밋해집니다."),
    ))  # fmt: skip
    max_new_tokens: int = field(default=256, metadata=_about(
        Text("Max new tokens", "최대 새 토큰 수"),
        Text("The longest reply, in tokens (a token is a word or a piece of one; Korean takes "
             "more per word).",
             "답의 최대 길이(토큰 수)입니다. 토큰은 단어나 단어 조각이며, 한국어는 단어당 토큰이 "
             "더 많이 듭니다."),
    ))  # fmt: skip
    # Local models only; API servers ignore it.
    repetition_penalty: float = field(default=1.1, metadata=_about(
        Text("Repetition penalty (local)", "반복 페널티 (로컬)"),
        Text("Above 1 makes words already said less likely, against loops (local models only).",
             "1보다 크면 이미 나온 단어가 덜 나와 같은 말의 반복을 막습니다(로컬 모델만)."),
    ))  # fmt: skip
    stop: tuple[str, ...] = field(default_factory=tuple, metadata=_about(
        Text("Stop sequences (one per line)", "중지 문자열 (한 줄에 하나)"),
        Text("The reply ends where one of these appears (up to 4); write \\n for a line break.",
             "이 문자열이 나오면 답을 거기서 끝냅니다(최대 4개). 줄바꿈은 \\n으로 씁니다."),
    ))  # fmt: skip
    seed: int | None = field(default=0, metadata=_about(
        Text("Seed", "시드"),
        Text("The same seed and settings give the same reply; leave it empty for a new draw "
             "each time.",
             "시드와 설정이 같으면 같은 답이 나옵니다. 비워 두면 매번 새로 뽑습니다."),
    ))  # fmt: skip

    @classmethod
    def build(
        cls, temperature: object = 0.7, top_p: object = 0.95, max_new_tokens: object = 256,
        repetition_penalty: object = 1.1, stop: object = (), seed: object = 0,
    ) -> GenerationParams:  # fmt: skip
        """Checked parameters from loosely typed input (a form, an API call).

        ``stop`` may be a list or one string with a sequence per line.

        Raises:
            InputError: a value of the wrong type or out of range, named in the message.
            ConfigError: more than ``MAX_STOPS`` stop sequences.
        """
        if isinstance(stop, str):
            stop = inputs.text(stop, FIELDS["stops"], allow_empty=True, max_chars=MAX_STOP_TEXT)
            stop = [line for line in stop.splitlines() if line]
        listed = inputs.string_list(
            stop, FIELDS["stops"], max_items=MAX_STOP_ITEMS, max_chars=MAX_STOP_CHARS
        )
        # A form has one line per sequence: "\\n" typed there stands for a line break.
        stops = tuple(s.replace("\\n", "\n") for s in listed if s)
        if len(stops) > MAX_STOPS:
            raise ConfigError(
                Text("Use at most {n} stop sequences of up to {chars} characters.",
                     "중지 문자열은 {chars}자 이하로 최대 {n}개까지 쓸 수 있습니다.",
                     n=MAX_STOPS, chars=MAX_STOP_CHARS)
            )  # fmt: skip
        return cls(
            temperature=inputs.number(temperature, FIELDS["temperature"], 0.0, 2.0),
            top_p=inputs.number(top_p, FIELDS["top_p"], 0.01, 1.0),
            max_new_tokens=inputs.integer(
                max_new_tokens, FIELDS["max_new_tokens"], 1, MAX_NEW_TOKENS
            ),
            repetition_penalty=inputs.number(
                repetition_penalty, FIELDS["repetition_penalty"], 1.0, 2.0
            ),
            stop=stops,
            seed=inputs.optional_integer(seed, FIELDS["seed"], 0, MAX_SEED),
        )


def label(name: str) -> Text:
    """The form's label of a ``GenerationParams`` field, in both languages."""
    return _field(name).metadata["label"]


def hint(name: str) -> Text:
    """The one-line help of a ``GenerationParams`` field, in both languages."""
    return _field(name).metadata["help"]


def _field(name: str) -> Field:
    return next(f for f in fields(GenerationParams) if f.name == name)


# How a check names each field in its message (the API's words: "Max new tokens must be ...").
FIELDS = {
    "temperature": Text("Temperature", "온도"),
    "top_p": Text("Top-p", "Top-p"),
    "max_new_tokens": Text("Max new tokens", "최대 새 토큰 수"),
    "repetition_penalty": Text("Repetition penalty", "반복 페널티"),
    "stops": Text("Stop sequences", "중지 문자열"),
    "seed": Text("The seed", "시드"),
}
