"""The app against a real OpenAI-compatible server: llama.cpp's, serving the packaged SmolLM2 GGUF.

``llama-cpp-python[server]`` builds from source (about 8 minutes on 2 cores), so it is not part
of the test set-up: point ``PLAYGROUND_LLAMA_PYTHON`` at a Python that has it (its own venv), or
this test is skipped with that reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from models.generate.run import generate
from models.generate.techniques import load_techniques
from models.sources.smollm2 import gguf_path

PYTHON = os.environ.get("PLAYGROUND_LLAMA_PYTHON", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not PYTHON or not Path(PYTHON).is_file(),
        reason="no llama.cpp server: set PLAYGROUND_LLAMA_PYTHON to a Python with "
        "llama-cpp-python[server] (a source build, ~12 min on 2 cores)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_url():
    port = _free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "llama_cpp.server", "--model", str(gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_a_real_llama_cpp_server_streams_a_reply_with_usage(llama_url):
    technique = load_techniques()["zero-shot"]
    reply = generate("Name three colours.", technique, "openai-compatible", base_url=llama_url,
                     params=None)  # fmt: skip
    assert reply.text.strip() and reply.done
    # llama.cpp's server streams no usage: the completion is counted from the stream, and says so.
    assert reply.completion_tokens and reply.tokens_estimated
    assert reply.ttft_s is not None and reply.ttft_s < reply.latency_s
