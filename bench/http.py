"""Call a running Gradio app the way an adversarial visitor would: raw HTTP, any event.

A private event (``api_visibility="private"``) is hidden from the API page and from
gradio_client, but the browser calls it, so anyone can: this finds it by the ``elem_id`` of
the button that triggers it and posts to ``/gradio_api/queue/join`` like the page does. The
load-and-fault benchmark and the hosting tests use it to show such events refuse by themselves.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any


def _get(url: str, timeout: float = 30.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def event_of(base_url: str, elem_id: str, trigger: str = "click") -> tuple[int, int]:
    """(fn_index, trigger component id) of the event ``trigger`` on the component ``elem_id``."""
    config = json.loads(_get(base_url.rstrip("/") + "/config"))
    ids = [c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id]
    if not ids:
        raise LookupError(f"no component with elem_id {elem_id!r}")
    for dependency in config["dependencies"]:
        for target, kind in dependency["targets"]:
            if target == ids[0] and kind == trigger:
                return dependency["id"], target
    raise LookupError(f"no {trigger} event on {elem_id!r}")


def call_event(
    base_url: str, fn_index: int, data: list[Any], trigger_id: int | None = None,
    session_hash: str | None = None, timeout: float = 120.0,
) -> dict[str, Any]:  # fmt: skip
    """Post one event as the page does; return the last message (``output`` or an error)."""
    base = base_url.rstrip("/")
    session = session_hash or uuid.uuid4().hex[:11]
    body = {"data": data, "event_data": None, "fn_index": fn_index, "trigger_id": trigger_id,
            "session_hash": session}  # fmt: skip
    request = urllib.request.Request(
        base + "/gradio_api/queue/join", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        json.loads(response.read())
    last: dict[str, Any] = {}
    url = f"{base}/gradio_api/queue/data?session_hash={session}"
    with urllib.request.urlopen(url, timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") in ("process_generating", "process_completed"):
                last = message
            if message.get("msg") in ("process_completed", "close_stream"):
                break
    return last


def outputs(message: dict[str, Any]) -> list[Any]:
    """The output values of a finished event's last message ([] when it failed)."""
    return (message.get("output") or {}).get("data") or []


def call_api(base_url: str, api_name: str, data: list[Any], timeout: float = 120.0) -> Any:
    """Call a named endpoint with raw JSON (``json.dumps`` escapes a lone surrogate as
    ``\\ud800``, which gradio_client's HTTP library refuses to send); returns its first output, or
    ``{"gradio_error": ...}`` when the server answered with an error event."""
    base = base_url.rstrip("/")
    request = urllib.request.Request(
        f"{base}/gradio_api/call/{api_name.strip('/')}", data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        event_id = json.loads(response.read())["event_id"]
    event = ""
    with urllib.request.urlopen(f"{base}/gradio_api/call/{api_name.strip('/')}/{event_id}",
                                timeout=timeout) as stream:  # fmt: skip
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                payload = json.loads(line[5:]) if line[5:].strip() not in ("", "null") else None
                if event == "error":
                    return {"gradio_error": payload}
                return payload[0] if isinstance(payload, list) and payload else payload
    return {"gradio_error": "no answer"}
