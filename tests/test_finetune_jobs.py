"""Training jobs belong to the browser that started them, their progress reads right (steps, time
left, a sweep's cells), and the views find them again after a reload."""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from demos.access import caller
from demos.browser import remember
from demos.jobs import attached, page_line, stop_mine
from models.core.i18n import Text, localize
from models.core.jobs import (
    ETA_RISE_MIN_S,
    ETA_RISE_PER_S,
    EtaSmoother,
    Job,
    TrainingSlot,
    remaining_s,
    running_job,
    start_job,
)
from models.core.monitor import Monitor
from models.finetune import sweep as sweep_module
from models.finetune.config import FinetuneConfig
from models.finetune.jobs import DEFAULT, RUN, SWEEP
from models.finetune.report import progress_markdown
from models.finetune.runs import MethodResult

READY = Text("Press Train.", "학습을 누르세요.")
YOURS = Text("Your run ({what}) is training.", "내 학습({what}) 진행 중.")


@dataclass
class FakeRequest:
    """What a handler's ``gr.Request`` offers: its page load's session and headers."""

    session_hash: str
    headers: dict = field(default_factory=dict)
    username: str | None = None
    session: dict = field(default_factory=dict)


def _page(browser_id: str, session: str) -> FakeRequest:
    """A page load of the browser ``browser_id`` (its id comes back from localStorage)."""
    request = FakeRequest(session)
    remember(request, {"id": browser_id, "lang": "en"})
    return request


def _until_stopped(monitor: Monitor) -> str:
    while not monitor.stop_requested:
        time.sleep(0.01)
    return "stopped"


@pytest.fixture
def slot():
    return TrainingSlot()


def _start(slot: TrainingSlot, owner: str, kind: str = RUN) -> Job:
    description = Text("lora on SNIPS", "SNIPS에서 lora")
    return start_job(description, Monitor(["lora"]), _until_stopped, slot=slot, owner=owner,
                     kind=kind, limit_s=0)  # fmt: skip


def test_a_run_is_found_by_a_new_page_of_the_browser_that_started_it_only(slot):
    first = _page("browser-x", "load-1")
    job = _start(slot, caller(first).owner)
    try:
        assert caller(first).owner == "browser:browser-x"
        reloaded, other = _page("browser-x", "load-2"), _page("browser-y", "load-3")
        assert running_job(caller(reloaded).owner, [RUN]) is job  # a reload follows it
        assert attached(caller(reloaded).owner, [RUN], slot).job is job
        assert running_job(caller(other).owner, [RUN]) is None
        seen = attached(caller(other).owner, [RUN], slot)
        assert seen.job is None and "lora on SNIPS" in seen.busy  # who holds the slot...
        assert "started" in seen.busy  # ... since when, and when it should end
        assert running_job(caller(reloaded).owner, [SWEEP]) is None  # another view's kind
        # Stop works from the reloaded page, not from someone else's.
        assert stop_mine(caller(other).owner, [RUN], "nothing", "stopping") == "nothing"
        assert job.running
        assert stop_mine(caller(reloaded).owner, [RUN], "nothing", "stopping") == "stopping"
        job.wait(5)
        assert not job.running and running_job(caller(first).owner, [RUN]) is None
    finally:
        job.stop()


def test_a_page_load_says_yours_busy_or_ready(slot):
    job = _start(slot, "browser:x", DEFAULT)
    try:
        line, followed = page_line("browser:x", [DEFAULT], "ko", READY, YOURS, slot=slot)
        assert followed is job and line == "내 학습(SNIPS에서 lora) 진행 중."
        line, followed = page_line("browser:y", [DEFAULT], "en", READY, YOURS, slot=slot)
        assert followed is None and "Another training run is in progress" in line
        assert "lora on SNIPS" in line and ("should end" in line or "not known" in line)
        line, _ = page_line("browser:y", [DEFAULT], "en", READY, YOURS, False, slot)
        assert line == "Press Train."
    finally:
        job.stop()
        job.wait(5)
    assert page_line("browser:x", [DEFAULT], "ko", READY, YOURS, slot=slot) == (
        "학습을 누르세요.",
        None,
    )


# -- time left: damped, never leaping up ----------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_time_left_is_smoothed_and_never_leaps_up():
    """2.4 -> 6.9 -> 4.1 min in 20 s (what the raw estimate did) is shown without the jump."""
    clock = Clock()
    eta = EtaSmoother(clock)
    shown = [eta.update(2.4 * 60)]
    for raw in (6.9 * 60, 4.1 * 60):
        clock.now += 10
        before = shown[-1]
        shown.append(eta.update(raw))
        bound = before - 10 + 10 * max(ETA_RISE_PER_S * (before - 10), ETA_RISE_MIN_S)
        assert shown[-1] <= bound + 1e-9
    assert max(shown) < 3.2 * 60  # never near 6.9 min
    # A steady estimate is followed: the shown time converges to it, counting down meanwhile.
    for _ in range(60):
        clock.now += 5
        shown.append(eta.update(5 * 60))
    assert shown[-1] == pytest.approx(5 * 60, rel=0.05)
    clock.now += 3  # no new estimate: the clock runs down
    assert eta.update(None) == pytest.approx(shown[-1] - 3)


def test_time_left_trusts_the_measured_rate_as_the_steps_go_by():
    """A method estimated at 100 s whose first steps run slow is not taken for 10x slower."""
    now = 1000.0

    def left(step: int, elapsed: float) -> float:
        entry = {"status": "training", "step": step, "total_steps": 100,
                 "started": now - elapsed, "estimate_s": 100.0}  # fmt: skip
        waiting = {"status": "waiting", "step": 0, "total_steps": 0, "estimate_s": 30.0}
        return remaining_s({"methods": {"a": entry, "b": waiting}}, now)

    early = left(2, 20.0)  # 10 s a step so far: measured alone says 980 s
    assert 30 + 80 < early < 30 + 120  # mostly the estimate: 80 s of it left
    late = left(90, 180.0)  # 2 s a step, measured over 90 steps: 20 s left
    assert late == pytest.approx(30 + 0.9 * 20 + 0.1 * 0, abs=1)
    assert remaining_s({"methods": {"a": {"status": "done", "step": 1, "total_steps": 1}}}) is None


def test_a_jobs_snapshot_shows_the_smoothed_time_left():
    raw = iter([150.0, 420.0])

    class Scripted(Monitor):
        def snapshot(self) -> dict[str, Any]:
            return {**super().snapshot(), "eta_s": next(raw)}

    job = Job(Scripted(), "run")
    first = job.snapshot()["eta_s"]
    assert first == 150.0 and job.snapshot()["eta_s"] < 160.0  # not 420 a moment later


# -- steps and a sweep's cells ------------------------------------------------------------------


def test_a_progress_line_never_shows_more_steps_than_planned():
    snapshot = {
        "phase": "Sweep cell bs=32 lr=0.002", "elapsed_s": 20.0, "eta_s": 60.0,
        "methods": {"lora": {"status": "training", "step": 4, "total_steps": 2}},
    }  # fmt: skip
    line = str(progress_markdown(snapshot))
    assert "4/2" not in line and "200%" not in line and "step 4/4 (100%)" in line


def test_a_method_trained_again_starts_its_step_count_afresh():
    pytest.importorskip("transformers")
    from models.finetune.callback import monitor_callback

    monitor = Monitor(["lora"])
    monitor.method("lora", status="training", step=4, total_steps=4, started=1.0)
    callback = monitor_callback(monitor, "lora")
    callback.on_train_begin(None, SimpleNamespace(max_steps=2), None)
    entry = monitor.snapshot()["methods"]["lora"]
    assert (entry["step"], entry["total_steps"]) == (0, 2) and entry["started"] > 1.0
    callback.on_step_end(None, SimpleNamespace(global_step=3, max_steps=2), SimpleNamespace())
    entry = monitor.snapshot()["methods"]["lora"]
    assert entry["step"] <= entry["total_steps"]


@dataclass
class FakeRun:
    config: FinetuneConfig
    train: list = field(default_factory=lambda: [0] * 40)
    eval: list = field(default_factory=lambda: [0] * 20)


def test_a_sweeps_cells_each_say_how_they_ended(monkeypatch):
    """Each cell is its own item in the monitor: none stays "waiting" once it finished."""
    trained = []

    def fake_train(run, method, monitor, folder, estimate=None, run_id="", deadline=None,
                   entry=None):  # fmt: skip
        name = entry or method
        monitor.method(name, status="training", step=0, total_steps=3)
        monitor.method(name, step=3)
        monitor.method(name, status="done")
        trained.append(name)
        return MethodResult(method, status="done", eval_accuracy=0.5, eval_macro_f1=0.4)

    monkeypatch.setattr(sweep_module, "prepare_run", lambda config, settings: FakeRun(config))
    monkeypatch.setattr(sweep_module, "train_method", fake_train)
    monitor = Monitor()
    result = sweep_module.run_sweep(FinetuneConfig(), "lora", [8, 16], [1e-3, 2e-3], monitor)
    cells = monitor.snapshot()["methods"]
    assert set(cells) == {"bs=8 lr=0.001", "bs=8 lr=0.002", "bs=16 lr=0.001", "bs=16 lr=0.002"}
    assert {c["status"] for c in cells.values()} == {"done"}
    assert sorted(trained) == sorted(cells) and result.accuracy == [[0.5, 0.5], [0.5, 0.5]]


def test_a_stopped_sweep_marks_the_cells_it_never_reached(monkeypatch):
    def fake_train(run, method, monitor, folder, *args, entry=None, **kwargs):
        monitor.method(entry, status="done")
        monitor.request_stop()
        return MethodResult(method, status="done", eval_accuracy=0.5, eval_macro_f1=0.4)

    monkeypatch.setattr(sweep_module, "prepare_run", lambda config, settings: FakeRun(config))
    monkeypatch.setattr(sweep_module, "train_method", fake_train)
    monitor = Monitor()
    result = sweep_module.run_sweep(FinetuneConfig(), "lora", [8, 16], [1e-3], monitor)
    statuses = {k: v["status"] for k, v in monitor.snapshot()["methods"].items()}
    assert result.status == "stopped"
    assert statuses == {"bs=8 lr=0.001": "done", "bs=16 lr=0.001": "skipped"}


def test_a_fitted_method_cannot_be_swept():
    from models.core.errors import ConfigError

    with pytest.raises(ConfigError, match="no batch size or learning rate") as err:
        sweep_module.run_sweep(FinetuneConfig(), "probe", [8], [1e-3], Monitor())
    assert "학습률" in localize(err.value.args[0], "ko")


def test_following_again_without_a_run_leaves_the_page_load_line_alone():
    """A page load's follower finds no run of this browser: it must not blank the line the page
    load wrote (a generator that yields nothing sets its outputs to nothing)."""
    import gradio as gr

    import app

    page = app.create_app()
    followers = [f for f in page.fns.values()
                 if f.name == "reattach" and inspect.isgeneratorfunction(f.fn)]  # fmt: skip
    assert {f.fn.__module__ for f in followers} == {
        "demos.finetune.training", "demos.finetune.sweep", "demos.classify.train_default"
    }  # fmt: skip
    request = SimpleNamespace(session_hash="reattach-test", headers={}, username=None)
    for follower in followers:
        extra = [None] * (len(follower.inputs) - 1)  # the task, for a task's default
        yielded = list(follower.fn(None, *extra, request=request))
        assert yielded, follower.fn.__module__
        for update in yielded:
            assert all(value == gr.skip() for value in update.values()), update
