"""The generation backends, in one registry: each streams a reply and can be stopped."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from models.generate.local import stream_local
from models.generate.remote import stream_remote
from models.generate.request import BackendFn, Request, Stream


@dataclass(frozen=True)
class BackendSpec:
    """A backend as the tab lists it."""

    name: str
    title: str
    note: str
    run: BackendFn
    needs_key: bool = False
    needs_url: bool = False


def _openai(request: Request, stop: threading.Event) -> Stream:
    return stream_remote(request, stop, compatible=False)


def _compatible(request: Request, stop: threading.Event) -> Stream:
    return stream_remote(request, stop, compatible=True)


BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec
    for spec in (
        BackendSpec(
            "local", "Local model (transformers)",
            "Runs here. The packaged SmolLM2-135M-Instruct is small and English-only: expect "
            "simple English answers, and little Korean. Any causal LM Hub id or folder works.",
            stream_local,
        ),
        BackendSpec(
            "openai", "OpenAI API",
            "Your key stays in this browser session: never written to disk, logs or outputs.",
            _openai, needs_key=True,
        ),
        BackendSpec(
            "openai-compatible", "OpenAI-compatible server",
            "Any server with /v1/chat/completions: vLLM, llama.cpp's server, Ollama, a gateway. "
            "Base URL such as http://localhost:8000/v1; a key only if it asks for one.",
            _compatible, needs_url=True,
        ),
    )
}  # fmt: skip
