"""Live state of a long job, shared between the thread doing it and whoever watches it (UI, CLI).

A job has a phase, a message log and named items (a run's methods, a sweep's cells), each with a
status, a step count and a history of points (losses). The working thread writes through
``Monitor`` methods; readers take ``snapshot()`` copies. Stop is a flag the work checks (a
training callback turns it into ``control.should_training_stop``).
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from models.core.i18n import Text

STATUSES = (
    "waiting", "calibrating", "training", "evaluating", "saving", "done", "stopped", "failed",
    "skipped",
)  # fmt: skip


class Monitor:
    """Progress of every method of a run, a message log, and the stop flag."""

    def __init__(self, methods: list[str] | tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.started = time.time()
        self._state: dict[str, Any] = {
            "phase": "starting",
            "messages": [],
            "methods": {m: self._blank() for m in methods},
            "estimated_total_s": None,
        }

    @staticmethod
    def _blank() -> dict[str, Any]:
        return {"status": "waiting", "step": 0, "total_steps": 0, "history": [], "started": None}

    # -- writers (training thread) ------------------------------------------------------------
    def phase(self, text: str) -> None:
        with self._lock:
            self._state["phase"] = text
            # A Text stays one, so the log reads in the page's language.
            line = Text("{t} {m}", "{t} {m}", t=time.strftime("%H:%M:%S"), m=text)
            self._state["messages"].append(line)

    def method(self, name: str, **fields: Any) -> None:
        with self._lock:
            entry = self._state["methods"].setdefault(name, self._blank())
            if fields.get("status") == "training" and entry["started"] is None:
                entry["started"] = time.time()
            entry.update(fields)

    def log(self, name: str, point: dict[str, float]) -> None:
        with self._lock:
            self._state["methods"].setdefault(name, self._blank())["history"].append(point)

    def set_estimate(self, total_seconds: float) -> None:
        with self._lock:
            self._state["estimated_total_s"] = total_seconds

    # -- stop -----------------------------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # -- readers --------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            state = copy.deepcopy(self._state)
        state["elapsed_s"] = time.time() - self.started
        state["eta_s"] = self._eta(state)
        state["stop_requested"] = self.stop_requested
        return state

    @staticmethod
    def _eta(state: dict[str, Any]) -> float | None:
        """Seconds left: the current method's step rate, and the estimate for methods not begun."""
        remaining = 0.0
        known = False
        for entry in state["methods"].values():
            if entry["status"] == "training" and entry["step"] and entry["started"]:
                rate = (time.time() - entry["started"]) / entry["step"]
                remaining += rate * max(entry["total_steps"] - entry["step"], 0)
                known = True
            elif entry["status"] in ("waiting", "calibrating") and entry.get("estimate_s"):
                remaining += entry["estimate_s"]
                known = True
        return remaining if known else None
