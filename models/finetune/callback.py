"""The transformers ``TrainerCallback`` that feeds a run's progress and losses into its monitor."""

from __future__ import annotations

import time
from typing import Any

from models.core.monitor import Monitor


def monitor_callback(monitor: Monitor, method: str, deadline: float | None = None) -> Any:
    """A TrainerCallback feeding progress and losses into ``monitor``'s item ``method``.

    It honours the stop flag, and a time budget's ``deadline`` (a ``time.time()`` value): past
    it, training ends where it is, so the run finishes on time. Built on demand so that importing
    this module does not import transformers.
    """
    from transformers import TrainerCallback

    class MonitorCallback(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            # A fresh count and clock: an item trained again must not show the last run's step.
            monitor.method(
                method, status="training", total_steps=state.max_steps, step=0, started=time.time()
            )

        def on_step_end(self, args, state, control, **kwargs):
            # The planned total is an estimate: never show more steps done than planned.
            total = max(state.max_steps, state.global_step)
            monitor.method(method, step=state.global_step, total_steps=total)
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
