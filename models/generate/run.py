"""One generation, measured: the technique's messages to a backend, the reply as it streams, and
latency, time to first token, tokens per second, token counts and an estimated cost.

``generate_stream`` yields the growing ``Generation`` after each piece of text and once more at
the end (``done``); ``generate`` returns the last one. Both are pure of any UI.
"""

from __future__ import annotations

import collections
import functools
import json
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.generate.backends import BACKENDS
from models.generate.params import GenerationParams
from models.generate.request import Delta, Done, Request
from models.generate.techniques import Message, Technique

PRICES_FILE = Path(__file__).with_name("prices.toml")


@dataclass(frozen=True)
class Price:
    input: float  # USD per million prompt tokens
    output: float  # USD per million completion tokens
    date: str
    source: str = ""


@functools.cache
def load_prices(path: Path = PRICES_FILE) -> dict[str, Price]:
    """The dated prices (read once per process; do not modify the dict)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {model: Price(**entry) for model, entry in data.items()}


def price_for(model: str, prices: dict[str, Price]) -> Price | None:
    """The listed price of ``model``, or of the listed name it starts with (dated snapshots)."""
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(f"{name}-")]
    return prices[max(matches, key=len)] if matches else None


@dataclass
class Generation:
    """A reply so far, and what it took."""

    messages: list[Message]
    backend: str
    model: str
    text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float = 0.0
    ttft_s: float | None = None
    tokens_per_s: float | None = None
    cost_usd: float | None = None
    price_note: str = ""  # a Text: the price the cost is computed at, and its date
    finish_reason: str = ""
    tokens_estimated: bool = False
    json_value: object = None
    json_error: str | None = None  # a Text: why the reply is not a JSON object
    done: bool = False

    def as_api(self) -> dict:
        return {
            "text": self.text, "messages": self.messages,
            "usage": {"prompt_tokens": self.prompt_tokens,
                      "completion_tokens": self.completion_tokens},
            "latency_s": round(self.latency_s, 4),
            "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 4),
            "tokens_per_s": None if self.tokens_per_s is None else round(self.tokens_per_s, 2),
            "model": self.model, "cost_usd": self.cost_usd,
            "json_error": None if self.json_error is None else str(self.json_error),
            "tokens_estimated": self.tokens_estimated,
        }  # fmt: skip


def _trim_stop(text: str, stops: tuple[str, ...]) -> str:
    """The reply before the first stop sequence (the local model includes it; APIs do not)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return text[:cut] if cut >= 0 else text


def check_json(text: str) -> tuple[object, str | None]:
    """The JSON object in a reply, or why it is not one (a ```json fence is tolerated)."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(body)
    except ValueError as err:
        return None, Text("The reply is not valid JSON: {err}.",
                          "답이 올바른 JSON이 아닙니다: {err}.", err=str(err))  # fmt: skip
    if not isinstance(value, dict):
        return value, Text("The reply is JSON, but a {kind}, not an object.",
                           "답이 JSON이기는 하지만 객체가 아니라 {kind}입니다.",
                           kind=type(value).__name__)  # fmt: skip
    return value, None


def _finish(gen: Generation, done: Done, technique: Technique, stops: tuple[str, ...]) -> None:
    gen.model = done.model or gen.model
    gen.prompt_tokens, gen.completion_tokens = done.prompt_tokens, done.completion_tokens
    gen.finish_reason, gen.tokens_estimated = done.finish_reason, done.estimated
    gen.text = _trim_stop(gen.text, stops)
    decoding = gen.latency_s - (gen.ttft_s or 0.0)
    if gen.completion_tokens and decoding > 0:
        # After the first token: the rate of decoding itself, apart from reading the prompt.
        gen.tokens_per_s = max(gen.completion_tokens - 1, 1) / decoding
    price = price_for(gen.model, load_prices()) if gen.backend == "openai" else None
    if price and gen.prompt_tokens is not None and gen.completion_tokens is not None:
        gen.cost_usd = round(
            (gen.prompt_tokens * price.input + gen.completion_tokens * price.output) / 1e6, 8
        )
        gen.price_note = Text(
            "at ${i}/${o} per 1M tokens ({date})", "100만 토큰당 ${i}/${o} 기준, {date}",
            i=price.input, o=price.output, date=price.date,
        )  # fmt: skip
    if technique.output == "json":
        gen.json_value, gen.json_error = check_json(gen.text)
    gen.done = True


def generate_stream(
    text: str, technique: Technique, backend: str = "local", model: str = "",
    params: GenerationParams | None = None, base_url: str = "", api_key: str = "",
    stop: threading.Event | None = None, stream: bool = True,
) -> Iterator[Generation]:  # fmt: skip
    """Stream one reply: the ``Generation`` after each new piece of text, then finished.

    Raises:
        PlaygroundError: bad input, an unknown backend, or the backend's own clear error.
    """
    if backend not in BACKENDS:
        raise PlaygroundError(
            Text("Unknown backend '{backend}'. Choose one of: {names}.",
                 "알 수 없는 백엔드 '{backend}'입니다. 다음 중에서 고르세요: {names}.",
                 backend=backend, names=", ".join(BACKENDS))
        )  # fmt: skip
    params = params or GenerationParams()
    messages = technique.messages(text)
    request = Request(messages, params, (model or "").strip(), (base_url or "").strip(),
                      api_key or "", stream)  # fmt: skip
    stop = stop or threading.Event()
    gen = Generation(messages, backend, request.model)
    start = time.perf_counter()
    for event in BACKENDS[backend].run(request, stop):
        gen.latency_s = time.perf_counter() - start
        if isinstance(event, Delta):
            gen.ttft_s = gen.latency_s if gen.ttft_s is None else gen.ttft_s
            gen.text += event.text
            yield replace(gen)
        else:
            _finish(gen, event, technique, params.stop)
    if not gen.done:  # a backend that ended without Done
        _finish(gen, Done(gen.model), technique, params.stop)
    yield gen


def generate(
    text: str, technique: Technique, backend: str = "local", **kwargs: object
) -> Generation:
    """The finished reply (``generate_stream`` run to its end)."""
    updates = collections.deque(generate_stream(text, technique, backend, **kwargs), maxlen=1)
    return updates[0]
