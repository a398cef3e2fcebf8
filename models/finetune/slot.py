"""One training at a time per server: a slot that a run holds, and that others can describe.

This is one of the few things shared by all users of a server (like loaded models): the CPU or GPU
can only train one run well at a time. Everyone else is told what is running and when it should
end, and every other tab keeps working.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Holder:
    """Who holds the slot and how to tell when they will be done."""

    description: str
    started: float
    eta_s: Callable[[], float | None]


class TrainingSlot:
    """A non-blocking lock with a human-readable holder."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Holder | None = None

    def try_acquire(self, description: str, eta_s: Callable[[], float | None]) -> bool:
        """Take the slot if it is free; never waits."""
        if not self._lock.acquire(blocking=False):
            return False
        self._holder = Holder(description, time.time(), eta_s)
        return True

    def release(self) -> None:
        if self._holder is not None:
            self._holder = None
            self._lock.release()

    def busy_message(self) -> str | None:
        """None when free; else what is running, since when, and when it should end."""
        holder = self._holder
        if holder is None:
            return None
        started = time.strftime("%H:%M:%S", time.localtime(holder.started))
        eta = holder.eta_s()
        if eta is None:
            when = "its end time is not known yet"
        else:
            end = time.strftime("%H:%M", time.localtime(time.time() + eta))
            when = f"it should end around {end} (in ~{max(eta, 0) / 60:.1f} min)"
        return (
            f"Another training run is in progress on this server ({holder.description}), started "
            f"{started}; {when}. Only one run trains at a time; every other tab keeps working."
        )


TRAINING_SLOT = TrainingSlot()
