"""Decoding parameters, typed and bounded: one place for their ranges, shared by the tab, the API
and every backend."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from models.core.errors import ConfigError

MAX_NEW_TOKENS = 2048
MAX_STOPS = 4
MAX_STOP_CHARS = 64


def _number(name: str, value: object, low: float, high: float, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a number (got {value!r}).")
    if whole and float(value) != int(value):
        raise ConfigError(f"{name} must be a whole number (got {value!r}).")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g} (got {value:g}).")
    return value


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
            ConfigError: a value of the wrong type or out of range, named in the message.
        """
        if isinstance(stop, str):
            stop = [line for line in stop.splitlines() if line]
        if not isinstance(stop, list | tuple) or not all(isinstance(s, str) for s in stop):
            raise ConfigError("Stop sequences are text, one per line.")
        # A form has one line per sequence: "\\n" typed there stands for a line break.
        stops = tuple(s.replace("\\n", "\n") for s in stop if s)
        if len(stops) > MAX_STOPS or any(len(s) > MAX_STOP_CHARS for s in stops):
            raise ConfigError(
                f"Use at most {MAX_STOPS} stop sequences of up to {MAX_STOP_CHARS} characters."
            )
        if seed is not None and seed != "":
            seed = int(_number("The seed", seed, 0, 2**31 - 1, whole=True))
        else:
            seed = None
        return cls(
            temperature=float(_number("Temperature", temperature, 0.0, 2.0)),
            top_p=float(_number("Top-p", top_p, 0.01, 1.0)),
            max_new_tokens=int(_number("Max new tokens", max_new_tokens, 1, MAX_NEW_TOKENS, True)),
            repetition_penalty=float(_number("Repetition penalty", repetition_penalty, 1.0, 2.0)),
            stop=stops,
            seed=seed,
        )
