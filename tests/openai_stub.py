"""A small OpenAI-compatible HTTP server for tests, on 127.0.0.1, in a thread.

The model name picks the behaviour: ``stub-model`` answers (streamed or not, with usage),
``say:TEXT`` answers TEXT, ``needs-key`` answers 401 unless the key is ``good-key`` (its error
message quotes the key it got, as OpenAI's does), ``rate`` 429, ``boom`` 500, ``stall`` sends
one chunk then nothing, ``unknown`` 404.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

REPLY = ["Hello", ", ", "wor", "ld", "!"]
STALL_S = 30.0


def _chunk(content: str | None, finish: str | None = None, model: str = "stub-model") -> dict:
    delta = {} if content is None else {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }  # fmt: skip


class Handler(BaseHTTPRequestHandler):
    server_version = "stub/1"
    requests: ClassVar[list[dict]] = []  # every body received (tests read it)

    def log_message(self, *args: object) -> None:  # quiet
        return

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, code: str) -> None:
        self._json(status, {"error": {"message": message, "type": code, "code": code}})

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            model = {"id": "stub-model", "object": "model", "created": 0, "owned_by": "stub"}
            self._json(200, {"object": "list", "data": [model]})
        else:
            self._error(404, "not found", "not_found")

    def do_POST(self) -> None:
        try:
            self._post()
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: fine
            return

    def _post(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        Handler.requests.append(body)
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        model = body.get("model")
        if model == "needs-key" and key != "good-key":
            return self._error(401, f"Incorrect API key provided: {key}.", "invalid_api_key")
        if model == "rate":
            return self._error(429, "Rate limit reached for requests.", "rate_limit_exceeded")
        if model == "boom":
            return self._error(500, "The server had an error.", "server_error")
        if model == "unknown":
            return self._error(404, f"The model {model} does not exist.", "model_not_found")
        reply = [model[4:]] if model.startswith("say:") else REPLY
        if not body.get("stream"):
            return self._json(200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
                "model": "stub-model", "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "".join(reply)}}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16},
            })  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = reply[:1] if model == "stall" else reply
        named = model if model.startswith("gpt-") else "stub-model"  # priced names echo back
        for piece in pieces:
            self._event(_chunk(piece, model=named))
        if model == "stall":
            time.sleep(STALL_S)
            return
        self._event(_chunk(None, "stop", named))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}
            self._event({**_chunk(None, model=named), "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, data: dict) -> None:
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


class StubServer:
    """``with StubServer() as url:`` serves until the block ends; ``url`` ends in /v1."""

    def __enter__(self) -> str:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
