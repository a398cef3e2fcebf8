"""Ready when opened: the start-up preparation, its command line, its faults and its notices.

The background machinery is tested with stand-in items whose child process is a few lines of
Python (no training), so order, failures, crashes, stopping and giving the training slot to a
user are checked in seconds; the real items run in the slow tests, on small data only.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from models.core.jobs import SlotBusy, TrainingSlot, start_job
from models.core.monitor import Monitor
from models.core.settings import get_settings
from models.prepare import background, status
from models.prepare.background import Preparation
from models.prepare.items import Context, Item, plan, select
from models.prepare.runner import do_item
from models.sources import task_models
from tests.conftest import ROOT

# The stand-in child: reports half-way, then does what its behaviour says, and leaves a marker
# file (the item's "model") when it succeeds. "slow-once" is slow on its first attempt only.
CHILD = """
import json, pathlib, sys, time
key, folder, behaviour = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
with open(folder / "spawned.txt", "a") as log:
    log.write(key + "\\n")
def emit(**event):
    print(json.dumps({"item": key, **event}), flush=True)
print("a library's stray line", flush=True)
emit(state="running", fraction=0.5, message="half way", eta_s=30.0)
attempted = folder / (key.replace(":", "_") + ".attempted")
if behaviour == "slow" or (behaviour == "slow-once" and not attempted.exists()):
    attempted.write_text("1")
    time.sleep(60)
if behaviour == "crash":
    sys.stderr.write("Traceback: boom\\n")
    sys.exit(7)
if behaviour == "fail":
    emit(state="failed", detail="The disk is full.")
    sys.exit(1)
(folder / key.replace(":", "_")).write_text("made")
emit(state="ready", detail="made it")
"""


def _item(key: str, folder: Path, trains: bool = False) -> Item:
    def check(settings):
        return ("ready", "made") if (folder / key.replace(":", "_")).exists() else ("missing", "")

    def run(context):
        raise AssertionError("the background preparation runs items in a child process")

    return Item(key, f"Item {key}", 1.0, trains, check, run)


def _preparation(folder: Path, behaviours: dict[str, str], trains=(), slot=None) -> Preparation:
    items = [_item(key, folder, key in trains) for key in behaviours]

    def command(item: Item, budget_minutes: float) -> list[str]:
        return [sys.executable, "-c", CHILD, item.key, str(folder), behaviours[item.key]]

    return Preparation(
        items, budget_minutes=0.1, slot=slot or TrainingSlot(), command=command, poll_s=0.05
    )


def _states(preparation: Preparation) -> dict[str, tuple[str, str]]:
    return {line.key: (line.state, line.detail) for line in preparation.lines()}


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_items_run_in_order_ready_ones_are_skipped_and_a_failure_does_not_stop_the_rest(tmp_path):
    (tmp_path / "a_ready").write_text("made")  # prepared by an earlier start
    preparation = _preparation(
        tmp_path, {"a:ready": "ok", "b:crash": "crash", "c:fail": "fail", "d:ok": "ok"}
    )
    assert preparation.start()
    preparation.wait(60)
    states = _states(preparation)
    assert states["a:ready"] == ("ready", "made")
    assert states["b:crash"][0] == "failed"
    assert "exit code 7" in states["b:crash"][1] and "boom" in states["b:crash"][1]
    assert states["c:fail"] == ("failed", "The disk is full.")
    assert states["d:ok"] == ("ready", "made it")
    # Only what was missing ran, in the plan's order.
    spawned = (tmp_path / "spawned.txt").read_text().split()
    assert spawned == ["b:crash", "c:fail", "d:ok"]
    assert "Failed: Item b:crash, Item c:fail" in status.summary(preparation, True)

    # The next start resumes: what is ready stays, the failed items are tried again.
    preparation.start()
    preparation.wait(60)
    assert (tmp_path / "spawned.txt").read_text().split()[3:] == ["b:crash", "c:fail"]


def test_a_running_item_shows_progress_and_a_notice_and_stop_ends_it_and_the_rest(tmp_path):
    preparation = _preparation(tmp_path, {"a:slow": "slow", "b:ok": "ok"})
    preparation.start()
    _wait_for(lambda: preparation.line("a:slow").detail == "half way")
    line = preparation.line("a:slow")
    assert line.state == "running" and line.fraction == 0.5
    assert 0 < line.remaining_s() <= 30
    row = status.rows(preparation)[0]
    assert row["state"].endswith("running") and row["progress"].startswith("50% · ~")
    assert "left" in row["progress"]
    # The tab whose default it is says so, and what it uses meanwhile; a queued one too.
    text = status.notice(preparation, "a:slow", "zero-shot is used meanwhile")
    assert "Item a:slow is being prepared in the background" in text
    assert "zero-shot is used meanwhile" in text
    assert "is queued" in status.notice(preparation, "b:ok", "zero-shot is used meanwhile")
    # Stopping kills the running child at once: no minute of sleep waited for.
    started = time.monotonic()
    preparation.stop()
    preparation.wait(30)
    assert time.monotonic() - started < 20
    states = _states(preparation)
    assert states["a:slow"][0] == "stopped"
    assert states["b:ok"] == ("stopped", "Stopped before it began.")
    assert not (tmp_path / "a_slow").exists()
    assert status.notice(preparation, "a:slow", "zero-shot") == ""  # nothing pending now


def test_a_users_run_takes_the_training_slot_and_the_item_starts_over_after_it(tmp_path):
    slot = TrainingSlot()
    preparation = _preparation(tmp_path, {"a:train": "slow-once"}, trains={"a:train"}, slot=slot)
    preparation.start()
    _wait_for(lambda: preparation.line("a:train").detail == "half way")
    assert "start-up preparation" in (slot.busy_message() or "")

    release = threading.Event()
    job = start_job("someone's LoRA vs full", Monitor(), lambda m: release.wait(60), slot=slot)
    assert job.running  # the user's run was not refused
    assert "someone's LoRA vs full" in slot.busy_message()
    _wait_for(lambda: "Waiting for the training slot" in preparation.line("a:train").detail)
    assert preparation.line("a:train").state == "waiting"
    # A second user is refused as before: only background work gives way.
    with pytest.raises(SlotBusy):
        start_job("a second user", Monitor(), lambda m: None, slot=slot)

    release.set()
    job.wait(30)
    preparation.wait(60)
    assert preparation.line("a:train").state == "ready"
    assert (tmp_path / "spawned.txt").read_text().split() == ["a:train", "a:train"]
    assert slot.busy_message() is None


def test_preparation_is_off_with_playground_prepare_0(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_PREPARE", "0")
    assert background.start_preparation() is None
    assert not background.get_preparation().running
    text = status.summary(Preparation([]), enabled=False)
    assert text == "**Everything the tabs need is prepared.**"  # nothing to do at all
    preparation = Preparation([_item("x:missing", Path("/nonexistent"))])
    assert "PLAYGROUND_PREPARE=0" in status.summary(preparation, enabled=False)
    assert status.rows(preparation)[0]["state"] == "⏳ not started"


def test_the_plan_is_in_the_order_the_tabs_need_it():
    keys = [item.key for item in plan()]
    assert keys == [
        "convert:multilingual-e5-small", "convert:SmolLM2-135M-Instruct", "index:chatbot_data",
        "default:sentiment-ko", "default:sentiment-en", "default:intent", "default:nli",
    ]  # fmt: skip
    assert [item.trains for item in plan()] == [False] * 3 + [True] * 4
    assert [item.key for item in select(plan(), ["nli", "index:chatbot_data"])] == [
        "index:chatbot_data", "default:nli",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/data/runs/7"), "The disk is full"),
        (PermissionError(errno.EACCES, "Permission denied", "/data"), "cannot be written"),
        (MemoryError(), "Out of memory"),
        (RuntimeError("oops"), "RuntimeError: oops (a bug"),
    ],
)
def test_each_fault_becomes_the_items_line(error, words):
    def run(context):
        raise error

    item = Item("x:y", "X", 1.0, False, lambda s: ("missing", ""), run)
    context = Context(get_settings(), 0.1, lambda *a: None, threading.Event())
    outcome = do_item(item, context)
    assert outcome.state == "failed"
    assert words in outcome.detail


def _prepare(args: list[str], env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "models.prepare", *args], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_the_command_lists_refuses_unknown_items_and_reports_each_fault(tmp_path):
    done = _prepare(["--only", "bogus"], {})
    assert done.returncode == 2
    assert done.stderr.startswith("error: Nothing to prepare is called 'bogus'. Choose: ")

    # No data home and no downloads: the ranking index is built on the built-in sample bank, and
    # the NLI default refuses to train on a sample (it would be worse than zero-shot).
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(get_settings().cache_dir / "models")  # conversions reused
    env = {"PLAYGROUND_DATA_HOME": str(tmp_path / "empty"), "PLAYGROUND_CACHE": str(cache),
           "PLAYGROUND_RUNS": str(tmp_path / "runs"), "PLAYGROUND_DOWNLOADS": "0"}  # fmt: skip
    done = _prepare(["--only", "index:chatbot_data", "nli", "--list"], env)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "· Answer-ranking index: missing (index:chatbot_data).",
        "· Default model: NLI (premise + hypothesis) (kornli): missing (default:nli).",
    ]
    done = _prepare(["--only", "index:chatbot_data", "nli"], env)
    assert done.returncode == 1, done.stderr
    index_line, nli_line = done.stdout.splitlines()
    assert index_line.startswith("✓ Answer-ranking index: ready. ")
    assert "index of 60 questions (the built-in sample: no dataset in the data home)" in index_line
    assert nli_line.startswith("✗ Default model: NLI (premise + hypothesis) (kornli): failed. ")
    assert "KorNLI (XNLI dev/test, Korean) is needed to train this default" in nli_line
    assert "zero-shot is used meanwhile" in nli_line
    # A second run resumes: the index is ready, only the NLI default is tried again.
    done = _prepare(["--only", "index:chatbot_data", "nli"], env)
    assert done.stdout.splitlines()[0].startswith("✓ Answer-ranking index: ready. ")

    # A runs folder that cannot be written fails before any training, with its reason.
    runs = tmp_path / "runs-is-a-file"
    runs.write_text("")
    done = _prepare(["--only", "sentiment-en"], {"PLAYGROUND_RUNS": str(runs)})
    assert done.returncode == 1
    assert "A file stands where a folder is needed" in done.stdout
    assert str(runs) in done.stdout


@pytest.mark.slow
def test_a_killed_training_leaves_no_model_and_the_next_start_resumes_it(tmp_path, monkeypatch):
    """The NLI default (a probe on e5 features, the quickest recipe) trained by the background
    preparation, killed mid-way as an out-of-memory kill would, then resumed."""
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path / "runs"))
    settings = get_settings()
    preparation = Preparation(select(plan(), ["nli"]), settings, budget_minutes=0.5, poll_s=0.2)
    assert task_models.trained_model("nli", settings) is None
    preparation.start()
    _wait_for(lambda: (preparation.line("default:nli").fraction or 0) > 0.05, timeout=300)
    process = preparation._process
    assert process is not None
    process.kill()
    preparation.wait(60)
    line = preparation.line("default:nli")
    assert line.state == "failed" and "it was killed (out of memory?)" in line.detail
    assert task_models.trained_model("nli", settings) is None  # never half a model
    index = task_models.trained_index_file(settings)
    assert not index.exists() or "nli" not in json.loads(index.read_text())

    preparation.start()  # the next start resumes what is missing
    preparation.wait(600)
    line = preparation.line("default:nli")
    assert line.state == "ready", line.detail
    assert line.detail.startswith("validation accuracy ")
    folder = task_models.trained_model("nli", settings)
    assert folder is not None and (folder / "playground.json").is_file()
    # Live without a restart: the next request with the task's default uses it.
    assert task_models.choose_model("nli", settings).mode == "trained"


def test_the_classification_and_ranking_tabs_say_what_is_being_prepared(
    tmp_path, isolated_settings, monkeypatch
):
    from demos.classify.choices import model_status
    from demos.rank.chat import preparing_notice

    preparation = _preparation(
        tmp_path, {"index:chatbot_data": "slow", "default:sentiment-ko": "ok"}
    )
    monkeypatch.setattr(background, "_current", preparation)
    preparation.start()
    try:
        _wait_for(lambda: preparation.line("index:chatbot_data").detail == "half way")
        text = model_status("sentiment", "auto")
        korean, english = text.split("\n\n")
        assert "Item default:sentiment-ko is queued in the background (ready in ~" in korean
        assert "zero-shot is used meanwhile" in korean and "Zero-shot model: `" in korean
        assert "No trained model for Sentiment (English) yet" in english  # not in the plan here
        notice, timer = preparing_notice("chatbot_data")
        assert "Item index:chatbot_data is being prepared in the background" in notice
        assert timer.active is True
        assert preparing_notice("chatterbot")[0] == ""  # another bank: nothing to wait for
    finally:
        preparation.stop()
        preparation.wait(30)
    assert "is queued" not in model_status("sentiment", "auto")


@pytest.mark.slow
def test_the_app_prepares_on_start_and_keeps_serving(tmp_path):
    """``python app.py`` with preparation on: every line ends ready or with its reason (no data
    home here, so the defaults refuse the built-in samples), and the page answers meanwhile."""
    from gradio_client import Client

    from tests.test_app import _free_port, _wait_for_page

    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(get_settings().cache_dir / "models")
    port = _free_port()
    env = {**os.environ, "PLAYGROUND_PREPARE": "1", "PLAYGROUND_CACHE": str(cache),
           "PLAYGROUND_DATA_HOME": str(tmp_path / "empty"), "PLAYGROUND_RUNS": str(tmp_path / "r"),
           "GRADIO_SERVER_PORT": str(port)}  # fmt: skip
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        _wait_for_page(process, port)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
        deadline = time.monotonic() + 300
        view = client.predict(api_name="/preparation")
        while view["running"] and time.monotonic() < deadline:
            time.sleep(1)
            view = client.predict(api_name="/preparation")
        states = {item["key"]: (item["state"], item["detail"]) for item in view["items"]}
        assert states["convert:multilingual-e5-small"][0] == "ready"
        assert states["index:chatbot_data"][0] == "ready"
        for key in ("sentiment-ko", "sentiment-en", "intent", "nli"):
            state, detail = states[f"default:{key}"]
            assert state == "failed" and "is needed to train this default" in detail
        assert "Failed: Default model: Sentiment (Korean) (nsmc)" in view["summary"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in text  # a zombie has ended; only its parent's wait() is missing


def test_a_preparation_child_ends_when_the_app_is_gone(tmp_path):
    """The app killed outright (no chance to stop its child): the child notices and ends."""
    launcher = (
        "import subprocess, sys\n"
        "import os\n"
        "child = subprocess.Popen([sys.executable, '-m', 'models.prepare', '--only', 'nli',\n"
        "                          '--events', '--budget-minutes', '3',\n"
        "                          '--parent', str(os.getpid())],\n"
        "                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(child.pid)\n"
    )
    env = {**os.environ, "PLAYGROUND_RUNS": str(tmp_path / "runs")}
    done = subprocess.run([sys.executable, "-c", launcher], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    pid = int(done.stdout.strip())
    _wait_for(lambda: not _alive(pid), timeout=60)
    assert task_models.trained_model("nli", get_settings()) is None
