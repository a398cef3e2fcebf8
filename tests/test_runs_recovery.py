"""Runs that survive a crash: interrupted runs are seen and recovered; owners; the runs folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from models.core.errors import ConfigError
from models.core.jobs import TRAINING_SLOT
from models.core.settings import get_settings
from models.finetune import engine
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.jobs import start_default, start_run
from models.finetune.runs import (
    INTERRUPTED_METHOD,
    RECORD,
    MethodResult,
    RunRecord,
    list_runs,
    load_record,
    recover_interrupted_runs,
    save_record,
    saved_classifiers,
    this_process,
)
from tests.conftest import ROOT

TINY = {"task": "intent", "dataset": "snips", "base": "packaged:all-MiniLM-L6-v2",
        "train_size": 64, "eval_size": 32, "epochs": 1.0, "batch_size": 8, "max_length": 32,
        "seed": 5}  # fmt: skip


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path / "runs"))
    return get_settings()


def dead_process() -> dict:
    """The process fields of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE, text=True)
    started = psutil.Process(child.pid).create_time()
    child.communicate("\n", timeout=60)
    return {"pid": child.pid, "host": this_process()["host"], "pid_started": started}


def make_record(settings, run_id: str, process: dict, owner: str = "", status="running"):
    """A run of probe (finished, with a checkpoint), lora (training) and full (waiting)."""
    checkpoint = settings.runs_dir / run_id / "probe"
    checkpoint.mkdir(parents=True)
    record = RunRecord(
        run_id=run_id, created="2026-01-01 10:00:00", status=status,
        config={"task": "intent", "dataset": "snips", "methods": ["probe", "lora", "full"]},
        data={}, labels=["a", "b"], device="cpu", versions={}, seed=1, owner=owner,
        methods=[MethodResult("probe", status="done", checkpoint=str(checkpoint),
                              eval_accuracy=0.9),
                 MethodResult("lora", status="training"), MethodResult("full")],
        **process,
    )  # fmt: skip
    save_record(record, settings)
    return record


def stored(settings, run_id: str) -> dict:
    return json.loads((settings.runs_dir / run_id / RECORD).read_text(encoding="utf-8"))


def test_a_dead_process_run_reads_as_interrupted_and_recovery_writes_it(settings):
    make_record(settings, "1-dead", dead_process())
    (shown,) = list_runs(settings)
    assert shown.status == "interrupted"
    assert [(m.method, m.status) for m in shown.methods] == [
        ("probe", "done"), ("lora", "interrupted"), ("full", "interrupted"),
    ]  # fmt: skip
    assert stored(settings, "1-dead")["status"] == "running"  # reading alone writes nothing
    assert load_record("1-dead", settings).status == "interrupted"

    assert recover_interrupted_runs(settings) == ["1-dead"]
    written = RunRecord.from_dict(stored(settings, "1-dead"))
    assert written.status == "interrupted"
    probe, lora, full = written.methods
    assert probe.status == "done" and Path(probe.checkpoint).is_dir()
    assert probe.eval_accuracy == 0.9
    assert lora.status == full.status == "interrupted"
    assert lora.error == full.error == INTERRUPTED_METHOD
    assert recover_interrupted_runs(settings) == []  # once is enough


def test_a_live_process_run_stays_running(settings):
    make_record(settings, "2-live", this_process())
    assert list_runs(settings)[0].status == "running"
    assert [m.status for m in list_runs(settings)[0].methods] == ["done", "training", "waiting"]
    assert recover_interrupted_runs(settings) == []
    assert stored(settings, "2-live")["status"] == "running"


def test_a_reused_pid_counts_as_dead(settings):
    """Same pid, but a process started at another time: not the run's process."""
    process = {**this_process(), "pid_started": this_process()["pid_started"] - 100}
    make_record(settings, "3-reused", process)
    assert list_runs(settings)[0].status == "interrupted"
    assert recover_interrupted_runs(settings) == ["3-reused"]


def test_other_hosts_and_legacy_records(settings):
    """Another host's process cannot be checked (taken as running); no pid at all: interrupted."""
    make_record(settings, "4-elsewhere", {**dead_process(), "host": "another-machine"})
    legacy = make_record(settings, "5-legacy", {})
    legacy.methods = legacy.methods[:1]  # old records listed only finished methods
    save_record(legacy, settings)
    shown = {r.run_id: r for r in list_runs(settings)}
    assert shown["4-elsewhere"].status == "running"
    assert shown["5-legacy"].status == "interrupted"
    assert [m.status for m in shown["5-legacy"].methods] == ["done", "interrupted", "interrupted"]
    assert recover_interrupted_runs(settings) == ["5-legacy"]


def test_saved_classifiers_filter_by_viewer_and_mark_interrupted(settings):
    make_record(settings, "1-operator", this_process(), owner="", status="done")
    make_record(settings, "2-alice", dead_process(), owner="alice")
    make_record(settings, "3-bob", this_process(), owner="bob", status="done")

    def runs(viewer):
        return {s["run_id"] for s in saved_classifiers(settings, viewer=viewer)}

    assert runs(None) == {"1-operator", "2-alice", "3-bob"}
    assert runs("alice") == {"1-operator", "2-alice"}
    assert runs("bob") == {"1-operator", "3-bob"}
    assert runs("mallory") == {"1-operator"}
    assert {r.run_id for r in list_runs(settings, viewer="bob")} == {"1-operator", "3-bob"}
    alice = next(s for s in saved_classifiers(settings) if s["run_id"] == "2-alice")
    assert alice["interrupted"] and alice["run_status"] == "interrupted"
    assert alice["method"] == "probe" and alice["status"] == "done"  # only the finished member
    bob = next(s for s in saved_classifiers(settings) if s["run_id"] == "3-bob")
    assert not bob["interrupted"] and bob["run_status"] == "done"


def test_the_tabs_mark_interrupted_runs(settings):
    from demos.classify.choices import model_choices
    from demos.finetune.results import interrupted_markdown, runs_dropdown

    make_record(settings, "1-lost", dead_process(), owner="alice")
    make_record(settings, "2-fine", this_process(), owner="bob", status="done")
    labels = dict((value, label) for label, value in model_choices("intent"))
    lost = "run:1-lost/probe"  # offered by name, not by server path
    assert labels[lost].endswith("(from an interrupted run)")
    assert not labels["run:2-fine/probe"].endswith("interrupted run)")
    assert lost not in dict((v, k) for k, v in model_choices("intent", viewer="bob"))

    runs = dict((value, label) for label, value in runs_dropdown()["choices"])
    kept_lost = (
        "interrupted: sentence embeddings + logistic regression kept; LoRA, full fine-tuning lost"
    )
    assert kept_lost in runs["1-lost"]
    assert "interrupted" not in runs["2-fine"]
    assert set(dict((v, k) for k, v in runs_dropdown("alice")["choices"])) == {"1-lost"}
    notes = interrupted_markdown(load_record("1-lost", settings).as_dict())
    assert "Interrupted" in notes and "Lost: LoRA" in notes and "kept: Sentence embeddings" in notes
    assert interrupted_markdown(load_record("2-fine", settings).as_dict()) == ""


def _refuses_before_training(monkeypatch, runs_dir: Path) -> None:
    monkeypatch.setenv("PLAYGROUND_RUNS", str(runs_dir))

    def no_preparation(*args, **kwargs):
        raise AssertionError("the run was prepared although it could not be saved")

    monkeypatch.setattr(engine, "prepare_run", no_preparation)
    config = FinetuneConfig(**TINY, methods=("probe",))
    for start in (lambda: start_run(config), lambda: start_default("intent", 1.0)):
        with pytest.raises(ConfigError, match="runs folder .* cannot be written"):
            start()
        assert TRAINING_SLOT.busy_message() is None  # refused before taking the slot
    with pytest.raises(ConfigError, match="PLAYGROUND_RUNS"):
        run_finetune(config, estimate=False)


def test_a_file_where_the_runs_folder_should_be_is_refused_before_training(tmp_path, monkeypatch):
    blocker = tmp_path / "runs"
    blocker.write_text("not a folder")
    _refuses_before_training(monkeypatch, blocker)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_runs_folder_is_refused_before_training(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    runs.mkdir()
    runs.chmod(0o555)
    try:
        _refuses_before_training(monkeypatch, runs)
    finally:
        runs.chmod(0o755)


@pytest.mark.slow
def test_a_bug_mid_run_leaves_a_failed_record_not_a_running_one(settings, monkeypatch):
    def bug(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(engine, "train_method", bug)
    with pytest.raises(KeyError):
        run_finetune(FinetuneConfig(**TINY, methods=("probe", "head")), estimate=False)
    (record,) = list_runs(settings)
    assert stored(settings, record.run_id)["status"] == "failed"
    assert [(m.method, m.status) for m in record.methods] == [
        ("probe", "failed"), ("head", "failed"),
    ]  # fmt: skip


@pytest.mark.slow
def test_a_killed_command_line_run_keeps_its_finished_method(tmp_path, settings):
    """kill -9 mid-run: recovery keeps the probe (it loads and classifies), flags the LoRA."""
    from models.classify.predict import classify

    env = {**os.environ, "PLAYGROUND_RUNS": str(settings.runs_dir)}
    args = [
        sys.executable, "-m", "models.finetune", "--task", "intent", "--dataset", "snips",
        "--base", "packaged:all-MiniLM-L6-v2", "--methods", "probe,lora", "--train-size", "400",
        "--eval-size", "32", "--epochs", "20", "--batch-size", "8", "--max-length", "32",
        "--no-estimate", "--quiet",
    ]  # fmt: skip
    child = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        seen: list[str] = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            records = [
                stored(settings, p.parent.name) for p in settings.runs_dir.glob(f"*/{RECORD}")
            ]
            seen = [m["status"] for r in records for m in r["methods"]]
            if seen and seen[0] == "done":
                break
            time.sleep(0.1)
        assert seen[:1] == ["done"], child.stderr.read() if child.poll() is not None else seen
        assert seen[1] in ("waiting", "training")  # LoRA had not finished
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
    (record,) = list_runs(settings)
    assert record.status == "interrupted"
    assert recover_interrupted_runs(settings) == [record.run_id]
    probe, lora = load_record(record.run_id, settings).methods
    assert probe.status == "done" and lora.status == "interrupted"
    assert lora.error == INTERRUPTED_METHOD and not lora.checkpoint
    prediction = classify("intent", "play some jazz music by miles davis", model=probe.checkpoint)
    assert "PlayMusic" in prediction.scores
    assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-4)
