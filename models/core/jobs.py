"""Long work in the background: one training slot per server, and a job that holds it.

The slot is one of the few things shared by all users of a server (like loaded models): the CPU or
GPU can only train one run well at a time. Everyone else is told what is running and when it
should end, and every other tab keeps working. Background work (the start-up preparation) holds it
as a holder that gives way: a user's run asks it to stop and takes the slot first. A job runs its
work in a thread with a ``Monitor``; the UI keeps the job in the user's session state, polls the
monitor and asks it to stop. The thread releases the slot when it ends, even if the browser tab was
closed meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.core.errors import PlaygroundError
from models.core.monitor import Monitor
from models.core.settings import get_settings


class SlotBusy(PlaygroundError):
    """Another run holds the training slot; the message says which and until when."""


@dataclass
class Holder:
    """Who holds the slot and how to tell when they will be done."""

    description: str
    started: float
    eta_s: Callable[[], float | None]
    give_way: Callable[[], None] | None = None  # set by background work a user may interrupt


class TrainingSlot:
    """A non-blocking lock with a human-readable holder."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Holder | None = None
        self._users_waiting = 0  # users waiting for background work to give way
        self._waiting_lock = threading.Lock()

    def try_acquire(
        self,
        description: str,
        eta_s: Callable[[], float | None],
        give_way: Callable[[], None] | None = None,
    ) -> bool:
        """Take the slot if it is free; never waits. ``give_way``: how to ask this holder to stop
        and release the slot when a user wants it (background work only)."""
        if give_way is not None and self._users_waiting:
            return False  # a user is waiting for this slot: background work comes after
        if not self._lock.acquire(blocking=False):
            return False
        self._holder = Holder(description, time.time(), eta_s, give_way)
        return True

    def acquire_for_user(
        self, description: str, eta_s: Callable[[], float | None], wait_s: float = 20.0
    ) -> bool:
        """Take the slot for a user's run: free, or held by background work that gives way.

        Waits up to ``wait_s`` for background work to stop; never waits for another user.
        """
        if self.try_acquire(description, eta_s):
            return True
        holder = self._holder
        if holder is None or holder.give_way is None:
            return self.try_acquire(description, eta_s)  # it may have been released just now
        with self._waiting_lock:
            self._users_waiting += 1
        try:
            holder.give_way()
            if not self._lock.acquire(timeout=wait_s):
                return False
        finally:
            with self._waiting_lock:
                self._users_waiting -= 1
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


@dataclass
class Job:
    """Work running in a background thread, watched through its monitor."""

    monitor: Monitor
    description: str
    result: Any = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)
    owner: str = ""  # who may stop it through the API (an opaque session id; "" = nobody)
    time_limited: bool = False  # True once the server's time limit asked it to stop

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        self.monitor.request_stop()

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


_RUNNING: dict[str, Job] = {}  # owner -> their running job, for ``stop_owned``
_running_lock = threading.Lock()


def running_job(owner: str) -> Job | None:
    """The job ``owner`` started that is still running, if any."""
    with _running_lock:
        job = _RUNNING.get(owner) if owner else None
    return job if job is not None and job.running else None


def stop_owned(owner: str) -> Job | None:
    """Ask ``owner``'s running job to stop (finished methods are kept); returns it, or None."""
    job = running_job(owner)
    if job is not None:
        job.stop()
    return job


def _stop_after(job: Job, limit_s: float) -> None:
    """Ask ``job`` to stop once it has run ``limit_s``: nobody holds the one slot for hours."""
    if limit_s > 0 and job.thread is not None:
        job.thread.join(limit_s)
        if job.running:
            job.time_limited = True
            job.monitor.phase(f"Stopping: this server's limit is {limit_s / 60:g} minutes a run.")
            job.stop()


def start_job(
    description: str,
    monitor: Monitor,
    work: Callable[[Monitor], Any],
    slot: TrainingSlot = TRAINING_SLOT,
    owner: str = "",
    limit_s: float | None = None,
) -> Job:
    """Run ``work(monitor)`` in a thread while holding ``slot``.

    ``owner`` (an opaque id) may later stop it with ``stop_owned``. The job is asked to stop
    after ``limit_s`` seconds (default: ``PLAYGROUND_MAX_RUN_MINUTES``; 0: never), keeping what
    finished, so nobody holds the one training slot for hours.

    Raises:
        SlotBusy: someone else is training on this server.
    """
    if not slot.acquire_for_user(description, lambda: monitor.snapshot()["eta_s"]):
        raise SlotBusy(slot.busy_message() or "Another training run is in progress.")
    job = Job(monitor=monitor, description=description, owner=owner)

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
            with _running_lock:
                if _RUNNING.get(owner) is job:
                    del _RUNNING[owner]

    if owner:
        with _running_lock:
            _RUNNING[owner] = job
    job.thread = threading.Thread(target=target, name=f"training: {description}", daemon=True)
    job.thread.start()
    if limit_s is None:
        limit_s = get_settings().max_run_minutes * 60
    if limit_s > 0:
        threading.Thread(target=_stop_after, args=(job, limit_s), daemon=True).start()
    return job
