"""The start-up preparation beside a running app: every item in order, one child process each.

A child process (``python -m models.prepare --only ITEM --events --nice 10``) rather than a
thread, because training in the server's process would hold the GIL and share its CPU priority:
in a child at a lower priority, other users' requests are served first, the memory goes back to
the system when the item ends, and an item can be interrupted at any moment without harming the
server (every write is atomic, so a killed item leaves the previous model or none).

Training items hold the server's training slot as work that gives way: a user who starts a run
takes the slot, the item is stopped and waits, then starts over once the slot is free. Each
item's line (waiting / running with ETA / ready / failed with the reason) is what the Models &
data tab and the tabs' notices show.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from models.core.i18n import Text
from models.core.jobs import TRAINING_SLOT, TrainingSlot
from models.core.settings import Settings, get_settings
from models.prepare.items import Item, plan
from models.prepare.runner import Outcome, State, check_item
from models.prepare.wire import wired

NICE = 10  # the child's CPU priority below the server's (0): requests first, training after
KILL_AFTER_S = 5.0  # a stopped item that has not ended by then is killed (safe: writes are atomic)
NOT_BEGUN = Text("Stopped before it began.", "시작하기 전에 중지했습니다.")
STOPPED = Text(
    "Stopped; press Prepare to do it again.", "중지했습니다. 다시 하려면 준비를 누르세요."
)
GAVE_WAY = Text(
    "Gave the training slot to a user's run.", "사용자의 학습에 학습 자리를 양보했습니다."
)
log = logging.getLogger(__name__)


@dataclass
class Line:
    """One item as the UI shows it."""

    key: str
    title: str
    expected_s: float
    state: State = "waiting"
    detail: str = ""
    fraction: float | None = None
    eta_s: float | None = None
    updated: float = 0.0

    def remaining_s(self) -> float:
        """Seconds until this line is done (0 once it ended)."""
        if self.state == "running":
            if self.eta_s is not None:
                return max(self.eta_s - (time.time() - self.updated), 0.0)
            return self.expected_s
        return self.expected_s if self.state == "waiting" else 0.0


def child_command(item: Item, budget_minutes: float) -> list[str]:
    return [
        sys.executable, "-m", "models.prepare", "--only", item.key, "--events",
        "--nice", str(NICE), "--budget-minutes", f"{budget_minutes:g}",
        "--parent", str(os.getpid()),
    ]  # fmt: skip


class Preparation:
    """Prepares ``items`` in order in a background thread; ``lines()`` says where each stands."""

    def __init__(
        self,
        items: list[Item],
        settings: Settings | None = None,
        budget_minutes: float | None = None,
        slot: TrainingSlot = TRAINING_SLOT,
        command: Callable[[Item, float], list[str]] = child_command,
        poll_s: float = 1.0,
    ) -> None:
        self.items = items
        self.settings = settings or get_settings()
        self.budget_minutes = (
            self.settings.prepare_minutes if budget_minutes is None else budget_minutes
        )
        self.slot = slot
        self.command = command
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._giving_way = threading.Event()
        self._process: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._lines = {item.key: self._blank(item) for item in items}
        self.started_once = False

    def _blank(self, item: Item) -> Line:
        expected = self.budget_minutes * 60 + 30 if item.trains else item.expected_s
        return Line(item.key, item.title, expected)

    # -- what the UI reads ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def lines(self) -> list[Line]:
        """A copy of every line; lines not started yet are checked now (cheap, loads nothing)."""
        if not self.started_once:
            self.refresh_checks()
        with self._lock:
            return [replace(line) for line in self._lines.values()]

    def line(self, key: str) -> Line | None:
        return next((line for line in self.lines() if line.key == key), None)

    def wait_s(self, key: str) -> float:
        """Seconds until ``key`` should be ready: every line before it, and its own."""
        total = 0.0
        for line in self.lines():
            total += line.remaining_s()
            if line.key == key:
                return total
        return total

    def refresh_checks(self) -> None:
        """Mark ready / skipped / failed-to-check lines from their checks (waiting otherwise)."""
        for item in self.items:
            state, detail = check_item(item, self.settings)
            self._set(item.key, state="waiting" if state == "missing" else state, detail=detail)

    # -- control --------------------------------------------------------------------------------

    def start(self) -> bool:
        """Start (or resume) in the background; False when it is running already."""
        if self.running:
            return False
        self._stop.clear()
        self.started_once = True
        for item in self.items:
            self._set(item.key, fraction=None, eta_s=None)
        self.refresh_checks()  # what is ready shows so at once; the rest waits
        self._thread = threading.Thread(target=self._run, name="start-up preparation", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop the running item (its work is dropped) and every item after it."""
        self._stop.set()
        self._end_child()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the work -------------------------------------------------------------------------------

    def _set(self, key: str, **fields: object) -> None:
        with self._lock:
            line = self._lines[key]
            for name, value in fields.items():
                setattr(line, name, value)
            line.updated = time.time()

    def _run(self) -> None:
        for item in self.items:
            state, detail = check_item(item, self.settings)
            if state != "missing":
                self._set(item.key, state=state, detail=detail)
                continue
            if self._stop.is_set():
                self._set(item.key, state="stopped", detail=NOT_BEGUN)
                continue
            outcome = self._prepare(item)
            self._set(item.key, state=outcome.state, detail=outcome.detail, eta_s=None)

    def _prepare(self, item: Item) -> Outcome:
        while True:
            state, detail = check_item(item, self.settings)
            if state != "missing":  # e.g. the user's run that took the slot trained this default
                return Outcome(state, detail)
            if item.trains and not self._take_slot(item):
                return Outcome("stopped", NOT_BEGUN)
            self._giving_way.clear()
            try:
                outcome = self._spawn(item)
            finally:
                if item.trains:
                    self.slot.release()
            if not self._giving_way.is_set() or self._stop.is_set():
                return outcome
            # A user's run took the slot: wait for it, then start this item over.
            detail = Text(
                "Gave the training slot to a user's run; starts over after it.",
                "사용자의 학습에 학습 자리를 양보했습니다. 그 학습이 끝나면 처음부터 다시 합니다.",
            )
            self._set(item.key, state="waiting", fraction=None, eta_s=None, detail=detail)

    def _take_slot(self, item: Item) -> bool:
        line = self._lines[item.key]
        while not self._stop.is_set():
            taken = self.slot.try_acquire(
                Text("start-up preparation: {title}", "시작 준비: {title}", title=item.title),
                line.remaining_s,
                give_way=self._give_way,
            )
            if taken:
                return True
            busy = self.slot.busy_message() or ""
            waiting = Text(
                "Waiting for the training slot. {busy}",
                "학습 자리가 비기를 기다리는 중입니다. {busy}", busy=busy,
            )  # fmt: skip
            self._set(item.key, state="waiting", detail=waiting)
            self._stop.wait(self.poll_s)
        return False

    def _give_way(self) -> None:
        self._giving_way.set()
        self._end_child()

    def _end_child(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # the child stops its training at the next step
        timer = threading.Timer(KILL_AFTER_S, lambda: process.poll() is None and process.kill())
        timer.daemon = True
        timer.start()

    def _spawn(self, item: Item) -> Outcome:
        starting = Text("Starting…", "시작하는 중…")
        self._set(item.key, state="running", detail=starting, fraction=0.0, eta_s=None)
        try:
            process = subprocess.Popen(
                self.command(item, self.budget_minutes), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
            )  # fmt: skip
        except OSError as err:
            return Outcome(
                "failed",
                Text("Could not start the preparation process: {err}",
                     "준비 프로세스를 시작하지 못했습니다: {err}", err=str(err)),
            )  # fmt: skip
        self._process = process
        if self._stop.is_set():  # stopped while it was starting
            self._end_child()
        errors: collections.deque[str] = collections.deque(maxlen=8)
        drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
        drain.start()
        final: Outcome | None = None
        for raw in process.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # a library's stray print, not an event
            if not isinstance(event, dict) or event.get("item") != item.key:
                continue
            if event.get("state") == "running":
                self._set(item.key, state="running", detail=wired(event, "message") or "",
                          fraction=event.get("fraction"), eta_s=event.get("eta_s"))  # fmt: skip
            else:
                final = Outcome(event.get("state", "failed"), wired(event, "detail") or "")
        code = process.wait()
        drain.join(timeout=5)
        self._process = None
        if self._stop.is_set():
            return Outcome("stopped", STOPPED)
        if self._giving_way.is_set():
            return Outcome("waiting", GAVE_WAY)
        if final is not None:
            return final
        tail = " ".join(line.strip() for line in errors if line.strip())[-300:]
        why = (
            Text("it was killed (out of memory?)", "강제로 종료됨(메모리 부족?)")
            if code < 0
            else Text("exit code {code}", "종료 코드 {code}", code=code)
        )
        ended = Text(
            "The preparation process ended without a result ({why}). {tail}",
            "준비 프로세스가 결과 없이 끝났습니다({why}). {tail}", why=why, tail=tail,
        )  # fmt: skip
        return Outcome("failed", ended)


_current: Preparation | None = None
_current_lock = threading.Lock()


def get_preparation() -> Preparation:
    """This server's preparation (created on first use, not started)."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Preparation(plan())
        return _current


def start_preparation(settings: Settings | None = None) -> Preparation | None:
    """Start the background preparation unless ``PLAYGROUND_PREPARE=0``."""
    settings = settings or get_settings()
    if not settings.prepare:
        return None
    preparation = get_preparation()
    preparation.start()
    return preparation
