"""Decoding parameters, typed and bounded: one place for their ranges, shared by the tab, the API
and every backend."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.core import inputs
from models.core.errors import ConfigError

MAX_NEW_TOKENS = 2048
MAX_STOPS = 4
MAX_STOP_CHARS = 64
MAX_STOP_ITEMS = 64  # blank items included, before they are dropped
MAX_STOP_TEXT = MAX_STOP_ITEMS * (MAX_STOP_CHARS + 1)  # the form's one-per-line text
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class GenerationParams:
    """How to decode. ``temperature`` 0 is greedy; ``seed`` makes sampling repeatable."""

    temperature: float = 0.7
    top_p: float = 0.95
    max_new_tokens: int = 256
    repetition_penalty: float = 1.1  # local models only; API servers ignore it
    stop: tuple[str, ...] = field(default_factory=tuple)
    seed: int | None = 0

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
            stop = inputs.text(stop, "Stop sequences", allow_empty=True, max_chars=MAX_STOP_TEXT)
            stop = [line for line in stop.splitlines() if line]
        listed = inputs.string_list(
            stop, "Stop sequences", max_items=MAX_STOP_ITEMS, max_chars=MAX_STOP_CHARS
        )
        # A form has one line per sequence: "\\n" typed there stands for a line break.
        stops = tuple(s.replace("\\n", "\n") for s in listed if s)
        if len(stops) > MAX_STOPS:
            raise ConfigError(
                f"Use at most {MAX_STOPS} stop sequences of up to {MAX_STOP_CHARS} characters."
            )
        return cls(
            temperature=inputs.number(temperature, "Temperature", 0.0, 2.0),
            top_p=inputs.number(top_p, "Top-p", 0.01, 1.0),
            max_new_tokens=inputs.integer(max_new_tokens, "Max new tokens", 1, MAX_NEW_TOKENS),
            repetition_penalty=inputs.number(repetition_penalty, "Repetition penalty", 1.0, 2.0),
            stop=stops,
            seed=inputs.optional_integer(seed, "The seed", 0, MAX_SEED),
        )
