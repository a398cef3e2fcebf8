"""What every generation backend takes and yields.

A backend is a function ``(request, stop) -> iterator of Delta, then one Done``. ``stop`` is a
``threading.Event``: when set, the backend ends its stream at the next token. Backends raise
``PlaygroundError`` with one clear sentence for anything the user can fix (a key, a URL, a model
name, a prompt too long), and never put the API key in a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from models.generate.params import GenerationParams
from models.generate.techniques import Message


@dataclass(frozen=True)
class Request:
    """What to generate, with which model and where. The key is never shown or stored."""

    messages: list[Message]
    params: GenerationParams
    model: str = ""
    base_url: str = ""
    api_key: str = field(default="", repr=False)
    stream: bool = True  # False: one reply at the end (for servers that cannot stream)


@dataclass(frozen=True)
class Delta:
    """New text of the reply."""

    text: str


@dataclass(frozen=True)
class Done:
    """The end of a reply: token counts (None when a server does not report them)."""

    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str = ""
    estimated: bool = False  # completion tokens counted from the stream (no usage reported)


Stream = Iterator[Delta | Done]
BackendFn = Callable[[Request, threading.Event], Stream]
