"""Live state of a run, shared between the training thread and whoever watches it (UI, CLI).

The training thread writes through ``Monitor`` methods; readers take ``snapshot()`` copies. Stop is
a flag the Trainer callback turns into ``control.should_training_stop``.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

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
            self._state["messages"].append(f"{time.strftime('%H:%M:%S')} {text}")

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


def monitor_callback(monitor: Monitor, method: str, deadline: float | None = None) -> Any:
    """A TrainerCallback feeding progress and losses into ``monitor``.

    It honours the stop flag, and a time budget's ``deadline`` (a ``time.time()`` value): past
    it, training ends where it is, so the run finishes on time. Built on demand so that importing
    this module does not import transformers.
    """
    from transformers import TrainerCallback

    class MonitorCallback(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            monitor.method(method, status="training", total_steps=state.max_steps)

        def on_step_end(self, args, state, control, **kwargs):
            monitor.method(method, step=state.global_step)
            if monitor.stop_requested:
                control.should_training_stop = True
            elif deadline is not None and time.time() > deadline:
                monitor.method(method, budget_cut=True)
                control.should_training_stop = True
            return control

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            point = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
            if "loss" in logs:
                monitor.log(method, {**point, "train_loss": float(logs["loss"])})
            if "eval_loss" in logs:
                monitor.log(method, {**point, "eval_loss": float(logs["eval_loss"])})

    return MonitorCallback()


class PeakMemory:
    """Peak memory while a block runs: process RSS on CPU, allocated CUDA memory on a GPU."""

    def __init__(self, device: str, interval_s: float = 0.05) -> None:
        self.device = device
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        if self.device == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()
        else:
            import psutil

            process = psutil.Process()

            def sample() -> None:
                while not self._done.is_set():
                    self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
                    self._done.wait(self.interval_s)

            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device == "cuda":
            import torch

            self.peak_mb = torch.cuda.max_memory_allocated() / 2**20
        else:
            self._done.set()
            assert self._thread is not None
            self._thread.join()
