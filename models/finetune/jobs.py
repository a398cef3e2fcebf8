"""Training in the background: a job holds the server's training slot, a thread and a monitor.

The UI keeps the job in the user's session state, polls its monitor, and asks it to stop; the
thread releases the slot when it ends, even if the browser tab was closed meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.errors import PlaygroundError
from models.finetune.config import FinetuneConfig
from models.finetune.monitor import Monitor
from models.finetune.slot import TRAINING_SLOT, TrainingSlot


class SlotBusy(PlaygroundError):
    """Another run holds the training slot; the message says which and until when."""


@dataclass
class Job:
    """A run or sweep in a background thread."""

    monitor: Monitor
    description: str
    result: Any = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        self.monitor.request_stop()

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


def start_job(
    description: str,
    monitor: Monitor,
    work: Callable[[Monitor], Any],
    slot: TrainingSlot = TRAINING_SLOT,
) -> Job:
    """Run ``work(monitor)`` in a thread while holding ``slot``.

    Raises:
        SlotBusy: someone else is training on this server.
    """
    if not slot.try_acquire(description, lambda: monitor.snapshot()["eta_s"]):
        raise SlotBusy(slot.busy_message() or "Another training run is in progress.")
    job = Job(monitor=monitor, description=description)

    def target() -> None:
        try:
            job.result = work(monitor)
        except PlaygroundError as err:
            job.error = str(err)
            monitor.phase(f"Not started: {err}")
        except Exception as err:  # a bug, not bad input: say so rather than die silently
            logging.getLogger(__name__).exception("training failed: %s", description)
            job.error = (
                f"Training failed ({type(err).__name__}: {err}). The server log has details."
            )
            monitor.phase(job.error)
        finally:
            slot.release()

    job.thread = threading.Thread(target=target, name=f"training: {description}", daemon=True)
    job.thread.start()
    return job


def start_run(config: FinetuneConfig) -> Job:
    """Check the settings now (instant feedback), then train in the background."""
    from models.finetune.engine import run_finetune

    config.check()
    monitor = Monitor(config.methods)
    description = f"{' vs '.join(config.methods)} on {config.dataset}, base {config.base}"
    return start_job(description, monitor, lambda m: run_finetune(config, m))


def start_sweep(
    config: FinetuneConfig, method: str, batch_sizes: list[int], learning_rates: list[float]
) -> Job:
    """A batch size x learning rate sweep in the background."""
    from models.finetune.sweep import cell_name, check_grid, run_sweep

    config.check()
    check_grid(batch_sizes, learning_rates)
    cells = [cell_name(bs, lr) for bs in batch_sizes for lr in learning_rates]
    monitor = Monitor(cells)
    description = f"sweep of {method} on {config.dataset} ({len(cells)} cells)"
    return start_job(
        description,
        monitor,
        lambda m: run_sweep(config, method, batch_sizes, learning_rates, m),
    )
