"""Long work in the background: one training slot per server, and a job that holds it.

The slot is one of the few things shared by all users of a server (like loaded models): the CPU or
GPU can only train one run well at a time. Everyone else is told what is running and when it
should end, and every other tab keeps working. Background work (the start-up preparation) holds it
as a holder that gives way: a user's run asks it to stop and takes the slot first. A job runs its
work in a thread with a ``Monitor``. It belongs to its owner (a browser, which outlives a page
load), not to the page that started it: ``running_job(owner, kinds)`` finds it again after a
reload or in a second tab, to follow its progress and stop it. The thread releases the slot when
it ends, even if every page was closed meanwhile.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text
from models.core.monitor import Monitor
from models.core.settings import get_settings

# Time left is shown smoothed: a new estimate moves the shown one by 1 - exp(-dt / tau) of the
# difference (damping), and the shown one may rise by at most this share per second (a bound),
# so it never leaps up: the first steps of a method are slow (warm-up) and made it jump.
ETA_TAU_S = 15.0
ETA_RISE_PER_S = 0.01
ETA_RISE_MIN_S = 2.0  # ... or this many seconds per second (a net 1 s/s up), when little is left


def remaining_s(snapshot: dict[str, Any], now: float | None = None) -> float | None:
    """Seconds left from a monitor snapshot: each method still to come by its estimate, and the
    one training by its estimate and its measured step rate, the measurement weighing more as
    more of its steps are done (its first steps are slow: warm-up, and they jumped the ETA).
    None when nothing is known yet."""
    now = time.time() if now is None else now
    remaining, known = 0.0, False
    for entry in snapshot.get("methods", {}).values():
        prior = entry.get("estimate_s")
        if entry["status"] in ("waiting", "calibrating") and prior:
            remaining, known = remaining + prior, True
        elif entry["status"] == "training" and entry.get("started"):
            elapsed = max(now - entry["started"], 0.0)
            step, total = entry.get("step") or 0, max(entry.get("total_steps") or 0, 1)
            share = min(step / total, 1.0)
            measured = elapsed / step * (total - step) if step else None
            guess = max(prior - elapsed, 0.0) if prior else None
            if measured is not None and guess is not None:
                remaining += share * measured + (1 - share) * guess
            elif measured is not None or guess is not None:
                remaining += measured if measured is not None else guess
            else:
                continue
            known = True
    return remaining if known else None


class SlotBusy(PlaygroundError):
    """Another run holds the training slot; the message says which and until when."""


@dataclass
class Holder:
    """Who holds the slot and how to tell when they will be done."""

    description: str
    started: float
    eta_s: Callable[[], float | None]
    give_way: Callable[[], None] | None = None  # set by background work a user may interrupt
    owner: str = ""


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
        owner: str = "",
    ) -> bool:
        """Take the slot if it is free; never waits. ``give_way``: how to ask this holder to stop
        and release the slot when a user wants it (background work only)."""
        if give_way is not None and self._users_waiting:
            return False  # a user is waiting for this slot: background work comes after
        if not self._lock.acquire(blocking=False):
            return False
        self._holder = Holder(description, time.time(), eta_s, give_way, owner)
        return True

    def acquire_for_user(
        self,
        description: str,
        eta_s: Callable[[], float | None],
        wait_s: float = 20.0,
        owner: str = "",
    ) -> bool:
        """Take the slot for a user's run: free, or held by background work that gives way.

        Waits up to ``wait_s`` for background work to stop; never waits for another user.
        """
        if self.try_acquire(description, eta_s, owner=owner):
            return True
        holder = self._holder
        if holder is None or holder.give_way is None:
            # it may have been released just now
            return self.try_acquire(description, eta_s, owner=owner)
        with self._waiting_lock:
            self._users_waiting += 1
        try:
            holder.give_way()
            if not self._lock.acquire(timeout=wait_s):
                return False
        finally:
            with self._waiting_lock:
                self._users_waiting -= 1
        self._holder = Holder(description, time.time(), eta_s, owner=owner)
        return True

    def release(self) -> None:
        if self._holder is not None:
            self._holder = None
            self._lock.release()

    def holder_owner(self) -> str | None:
        """Who holds the slot ("" for the operator or background work); None when it is free."""
        holder = self._holder
        return None if holder is None else holder.owner

    def busy_message(self) -> Text | None:
        """None when free; else what is running, since when, and when it should end."""
        holder = self._holder
        if holder is None:
            return None
        started = time.strftime("%H:%M:%S", time.localtime(holder.started))
        eta = holder.eta_s()
        if eta is None:
            when = Text("its end time is not known yet", "끝나는 시각은 아직 알 수 없습니다")
        else:
            end = time.strftime("%H:%M", time.localtime(time.time() + eta))
            when = Text(
                "it should end around {end} (in ~{m:.1f} min)",
                "{end}쯤 끝날 예정입니다(약 {m:.1f}분 남음)", end=end, m=max(eta, 0) / 60,
            )  # fmt: skip
        return Text(
            "Another training run is in progress on this server ({what}), started {started}; "
            "{when}. Only one run trains at a time; every other tab keeps working.",
            "이 서버에서 다른 학습({what})이 진행 중입니다. {started}에 시작했고 {when}. 학습은 "
            "한 번에 하나만 할 수 있으며, 다른 탭은 모두 그대로 쓸 수 있습니다.",
            what=holder.description, started=started, when=when,
        )  # fmt: skip


TRAINING_SLOT = TrainingSlot()


class EtaSmoother:
    """Time left as a person should see it: counting down between estimates, moved towards each
    new estimate with damping, and never leaping up (``ETA_*``). Safe to call from any thread,
    as often as wanted: every move is in proportion to the time since the last one."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._shown: float | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def update(self, raw: float | None) -> float | None:
        """The time left to show, given the latest raw estimate (None: not known yet)."""
        with self._lock:
            now = self._clock()
            if self._shown is None:
                if raw is not None:
                    self._shown, self._at = max(raw, 0.0), now
                return self._shown
            dt = max(now - self._at, 0.0)
            expected = max(self._shown - dt, 0.0)  # the clock ran down meanwhile
            if raw is None:
                shown = expected
            else:
                damped = expected + (1 - math.exp(-dt / ETA_TAU_S)) * (raw - expected)
                rise = dt * max(ETA_RISE_PER_S * expected, ETA_RISE_MIN_S)
                shown = min(damped, expected + rise)
            self._shown, self._at = max(shown, 0.0), now
            return self._shown


@dataclass
class Job:
    """Work running in a background thread, watched through its monitor."""

    monitor: Monitor
    description: str
    result: Any = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)
    owner: str = ""  # who may follow and stop it: "browser:<id>", "session:<hash>", "" = nobody
    time_limited: bool = False  # True once the server's time limit asked it to stop
    kind: str = ""  # what it is ("finetune", "sweep", "default", ...): which view follows it
    subject: str = ""  # what it works on, for its view (a default's model key)
    started: float = field(default_factory=time.time)
    eta: EtaSmoother = field(default_factory=EtaSmoother, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        self.monitor.request_stop()

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        """The monitor's snapshot, with the time left smoothed (``EtaSmoother``)."""
        snapshot = self.monitor.snapshot()
        raw = remaining_s(snapshot) if snapshot.get("methods") else snapshot.get("eta_s")
        snapshot["eta_s"] = self.eta.update(raw)
        return snapshot

    def eta_s(self) -> float | None:
        return self.snapshot()["eta_s"]


_RUNNING: dict[str, Job] = {}  # owner -> their running job, for ``running_job`` / ``stop_owned``
_running_lock = threading.Lock()


def running_job(owner: str, kinds: Iterable[str] | None = None) -> Job | None:
    """The job ``owner`` started that is still running, if any (of one of ``kinds``, if given)."""
    with _running_lock:
        job = _RUNNING.get(owner) if owner else None
    if job is None or not job.running:
        return None
    return job if kinds is None or job.kind in set(kinds) else None


def stop_owned(owner: str, kinds: Iterable[str] | None = None) -> Job | None:
    """Ask ``owner``'s running job to stop (finished methods are kept); returns it, or None."""
    job = running_job(owner, kinds)
    if job is not None:
        job.stop()
    return job


def _stop_after(job: Job, limit_s: float) -> None:
    """Ask ``job`` to stop once it has run ``limit_s``: nobody holds the one slot for hours."""
    if limit_s > 0 and job.thread is not None:
        job.thread.join(limit_s)
        if job.running:
            job.time_limited = True
            job.monitor.phase(
                Text(
                    "Stopping: this server's limit is {m:g} minutes a run.",
                    "멈추는 중입니다: 이 서버에서는 한 번의 학습이 {m:g}분까지입니다.",
                    m=limit_s / 60,
                )
            )
            job.stop()


def start_job(
    description: str,
    monitor: Monitor,
    work: Callable[[Monitor], Any],
    slot: TrainingSlot = TRAINING_SLOT,
    owner: str = "",
    limit_s: float | None = None,
    kind: str = "",
) -> Job:
    """Run ``work(monitor)`` in a thread while holding ``slot``.

    ``owner`` (an opaque id) may later find it with ``running_job`` and stop it with
    ``stop_owned``; ``kind`` says which view follows it. The job is asked to stop after
    ``limit_s`` seconds (default: ``PLAYGROUND_MAX_RUN_MINUTES``; 0: never), keeping what
    finished, so nobody holds the one training slot for hours.

    Raises:
        SlotBusy: someone else is training on this server.
    """
    job = Job(monitor=monitor, description=description, owner=owner, kind=kind)
    if not slot.acquire_for_user(description, job.eta_s, owner=owner):
        raise SlotBusy(
            slot.busy_message()
            or Text("Another training run is in progress.", "다른 학습이 진행 중입니다.")
        )
    job.started = time.time()

    def target() -> None:
        try:
            job.result = work(monitor)
        except PlaygroundError as err:
            job.error = error_text(err)
            monitor.phase(Text("Not started: {err}", "시작하지 못했습니다: {err}", err=job.error))
        except Exception as err:  # a bug, not bad input: say so rather than die silently
            logging.getLogger(__name__).exception("training failed: %s", description)
            job.error = Text(
                "Training failed ({kind}: {err}). The server log has details.",
                "학습에 실패했습니다({kind}: {err}). 자세한 내용은 서버 로그에 있습니다.",
                kind=type(err).__name__, err=str(err),
            )  # fmt: skip
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
