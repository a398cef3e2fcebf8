"""The generation backends, in one registry: each streams a reply and can be stopped."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import PurePath

from models.core.i18n import Text
from models.generate.local import stream_local
from models.generate.remote import stream_remote
from models.generate.request import BackendFn, Request, Stream
from models.sources.packaged import PACKAGED_PREFIX
from models.sources.resolver import RUN_PREFIX


@dataclass(frozen=True)
class BackendSpec:
    """A backend as the tab lists it: its name, and a note on what to expect (Markdown)."""

    name: str
    title: Text
    note: Text
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
            "local", Text("Local model (runs here)", "로컬 모델 (이 서버에서 실행)"),
            Text(
                "Runs here. The packaged `SmolLM2-135M-Instruct` is small and English-only: "
                "expect simple English answers, and little Korean. Any causal LM Hub id or "
                "folder works.",
                "이 서버에서 실행됩니다. 기본 모델 `SmolLM2-135M-Instruct`는 작은 영어 전용 "
                "모델이라 간단한 영어 답은 하지만 한국어는 거의 못 합니다. 다른 생성 모델의 "
                "Hugging Face Hub ID나 폴더도 쓸 수 있습니다.",
            ),
            stream_local,
        ),
        BackendSpec(
            "openai", Text("OpenAI API", "OpenAI API"),
            Text(
                "Your key stays in this browser session: never written to disk, logs or outputs.",
                "API 키는 이 브라우저 세션에만 머물며 디스크, 로그, 결과 어디에도 기록되지 "
                "않습니다.",
            ),
            _openai, needs_key=True,
        ),
        BackendSpec(
            "openai-compatible", Text("OpenAI-compatible server", "OpenAI 호환 서버"),
            Text(
                "Any server with `/v1/chat/completions`: `vLLM`, `llama.cpp`'s server, "
                "`Ollama`, a gateway. Base URL such as `http://localhost:8000/v1`; a key only if "
                "it asks for one.",
                "`/v1/chat/completions`를 제공하는 서버면 됩니다: `vLLM`, `llama.cpp` 서버, "
                "`Ollama`, 게이트웨이 등. 기본 URL 예: `http://localhost:8000/v1`. 키는 서버가 "
                "요구할 때만 넣으세요.",
            ),
            _compatible, needs_url=True,
        ),
    )
}  # fmt: skip


def model_name(ref: str) -> Text | str:
    """A model named for a person: a packaged model or a folder by its own name, never a server
    path (the full reference belongs in a details view); a Hub id or an API model as it is."""
    ref = (ref or "").strip()
    if ref.startswith(PACKAGED_PREFIX):
        return Text("{name} (packaged)", "{name} (앱에 포함)", name=ref[len(PACKAGED_PREFIX) :])
    if ref.startswith(RUN_PREFIX):
        return Text("{name} (trained here)", "{name} (이 앱에서 학습)", name=PurePath(ref).name)
    if ref.startswith(("/", "./", "../", "~", "\\")) or (len(ref) > 1 and ref[1] == ":"):
        return Text("{name} (local folder)", "{name} (로컬 폴더)", name=PurePath(ref).name)
    return ref
