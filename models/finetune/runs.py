"""Run records and the runs folder: ``<PLAYGROUND_RUNS>/<run id>/record.json``, a folder per method.

Each method's folder holds its checkpoint and a ``playground.json`` naming the base model, labels
and task, so the resolver (and the Classification tab) can load it.

A record says "running" while its run trains, with the process that runs it (pid, host, and the
process's start time, so a reused pid is not taken for it). When that process is gone the run was
interrupted (a crash, a kill, a restart): reading the record says so at once, and
``recover_interrupted_runs`` writes it down, keeping the methods that finished.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import psutil

from models.core import files
from models.core.errors import ConfigError
from models.core.i18n import Text
from models.core.metrics import classification_metrics
from models.core.settings import Settings, get_settings

RECORD = "record.json"
FINISHED = ("done", "stopped", "failed", "skipped")  # a method in these states ran its course
INTERRUPTED_METHOD = Text(
    "The server stopped before this method finished.", "이 방법이 끝나기 전에 서버가 멈췄습니다."
)


@dataclass
class MethodResult:
    """The measured outcome of one method (the same fields in the tab, the CLI and the JSON)."""

    method: str
    status: str = "waiting"  # done / stopped / failed / skipped
    learning_rate: float = 0.0
    trainable_params: int = 0
    total_params: int = 0
    trainable_pct: float = 0.0
    wall_s: float = 0.0
    train_s: float = 0.0
    samples_per_s: float = 0.0
    peak_mem_mb: float = 0.0
    checkpoint_mb: float = 0.0
    checkpoint: str = ""
    merged_checkpoint: str = ""
    eval_accuracy: float | None = None
    eval_macro_f1: float | None = None
    confusion_matrix: list[list[int]] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    estimate: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    steps_done: int = 0
    steps_total: int = 0
    error: str = ""

    def record_metrics(self, predicted: Sequence[int], truth: Sequence[int], n_labels: int) -> None:
        """Accuracy, macro-F1 and the confusion matrix of label indices (scikit-learn)."""
        metrics = classification_metrics(truth, predicted, list(range(n_labels)))
        self.eval_accuracy = metrics["accuracy"]
        self.eval_macro_f1 = metrics["macro_f1"]
        self.confusion_matrix = metrics["confusion_matrix"]


@dataclass
class RunRecord:
    """Everything about a run: config, data, plan, environment and every method's result."""

    run_id: str
    created: str
    status: str
    config: dict
    data: dict
    labels: list[str]
    device: str
    versions: dict
    seed: int
    plan: dict | None = None
    calibration_s: float = 0.0
    methods: list[MethodResult] = field(default_factory=list)
    folder: str = ""
    owner: str = ""  # "" = the operator (command line, local use); else an opaque session id
    pid: int = 0  # the process that trains it, while it runs
    host: str = ""
    pid_started: float = 0.0  # that process's start time: tells a reused pid apart
    promotion: dict | None = None  # a default's run: did it replace the current default, and why

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunRecord:
        known = {f.name for f in fields(cls)} - {"methods"}  # a newer version's fields are left
        methods = [MethodResult(**m) for m in data.get("methods", [])]
        return cls(**{k: v for k, v in data.items() if k in known}, methods=methods)

    def result(self, method: str) -> MethodResult | None:
        return next((m for m in self.methods if m.method == method), None)


def new_run_id(dataset: str, base: str) -> str:
    """A sortable, readable, unique-enough folder name."""
    short = re.sub(r"[^A-Za-z0-9]+", "-", base.rsplit("/", 1)[-1].removeprefix("packaged:"))
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{dataset}-{short}".strip("-")[:80]


def run_folder(run_id: str, settings: Settings | None = None) -> Path:
    return (settings or get_settings()).runs_dir / run_id


def check_runs_folder(settings: Settings | None = None) -> None:
    """Refuse a run now, before any training, when its checkpoints could not be saved.

    Raises:
        ConfigError: the runs folder cannot be created or written.
    """
    folder = (settings or get_settings()).runs_dir
    try:
        files.check_writable(folder)
    except OSError as err:
        raise ConfigError(
            Text(
                "The runs folder {folder} cannot be written ({why}), so nothing was trained: "
                "point PLAYGROUND_RUNS at a writable folder with room.",
                "학습 결과 폴더 {folder}에 쓸 수 없어({why}) 아무것도 학습하지 않았습니다: "
                "PLAYGROUND_RUNS를 공간이 있는 쓰기 가능한 폴더로 지정하세요.",
                folder=str(folder),
                why=str(err.strerror or err),
            )
        ) from err


def this_process() -> dict[str, Any]:
    """The fields that name the running process in a record: pid, host, start time."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "pid_started": psutil.Process().create_time(),
    }


def _process_alive(pid: int, started: float) -> bool:
    """Whether ``pid`` is still the process that started at ``started`` (not a reuse, no zombie)."""
    try:
        process = psutil.Process(pid)
        same = abs(process.create_time() - started) < 1.0
        return same and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def is_interrupted(record: RunRecord) -> bool:
    """A run that says "running" but whose process is gone.

    A process on another host cannot be checked from here, so such a run is taken as running. A
    running record without a pid was left by a version that did not record one: nothing runs it.
    """
    if record.status != "running":
        return False
    if record.host and record.host != socket.gethostname():
        return False
    return not record.pid or not _process_alive(record.pid, record.pid_started)


def with_pending(record: RunRecord, planned: Iterable[str], current: str = "") -> RunRecord:
    """A copy listing the planned methods not finished yet: ``current`` training, others waiting."""
    listed = {m.method for m in record.methods}
    pending = [
        MethodResult(method, status="training" if method == current else "waiting")
        for method in planned
        if method not in listed
    ]
    return replace(record, methods=[*record.methods, *pending])


def close_unfinished(record: RunRecord, status: str, error: str) -> RunRecord:
    """A copy with the run's ``status`` and every unfinished method marked ``status``, ``error``.

    Finished methods keep their status and checkpoint; planned methods the record does not list
    yet are added, so what was lost is named.
    """
    closed = with_pending(record, record.config.get("methods", []))
    methods = [
        m
        if m.status in FINISHED
        else replace(m, status=status, error=error, checkpoint="", merged_checkpoint="")
        for m in closed.methods
    ]
    return replace(record, status=status, methods=methods)


def _as_read(record: RunRecord) -> RunRecord:
    """The record as the UI should see it: an interrupted run says so before recovery wrote it."""
    if is_interrupted(record):
        return close_unfinished(record, "interrupted", INTERRUPTED_METHOD)
    return record


def save_record(record: RunRecord, settings: Settings | None = None) -> Path:
    """Write ``record.json`` atomically into the run's folder."""
    folder = run_folder(record.run_id, settings)
    record.folder = str(folder)
    return files.write_json(folder / RECORD, record.as_dict())


def load_record(run_id_or_folder: str, settings: Settings | None = None) -> RunRecord:
    folder = Path(run_id_or_folder)
    if not (folder / RECORD).is_file():
        folder = run_folder(run_id_or_folder, settings)
    return _as_read(_read(folder / RECORD))


def _read(path: Path) -> RunRecord:
    return RunRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _stored_records(settings: Settings | None) -> list[tuple[Path, RunRecord]]:
    """Every readable record file with its record as written, newest first."""
    root = (settings or get_settings()).runs_dir
    records = []
    for path in sorted(root.glob(f"*/{RECORD}"), reverse=True):
        try:
            records.append((path, _read(path)))
        except (OSError, ValueError, TypeError):
            continue  # a folder that is not a run (or a damaged record) is not listed
    return records


def visible_to(record: RunRecord, viewer: str | None) -> bool:
    """``viewer`` None sees every run (local use); a session sees the operator's and its own."""
    return viewer is None or record.owner in ("", viewer)


def list_runs(settings: Settings | None = None, viewer: str | None = None) -> list[RunRecord]:
    """Past runs ``viewer`` may see, newest first (interrupted ones say so, unreadable skipped)."""
    return [_as_read(r) for _, r in _stored_records(settings) if visible_to(r, viewer)]


def recover_interrupted_runs(settings: Settings | None = None) -> list[str]:
    """Rewrite the records of runs whose process is gone as "interrupted"; returns their ids.

    Methods that finished keep their status and checkpoint; the others are marked interrupted.
    A record that cannot be rewritten (read-only folder) is left as it is: reading it still says
    interrupted.
    """
    recovered = []
    for path, record in _stored_records(settings):
        if not is_interrupted(record):
            continue
        try:
            files.write_json(path, _as_read(record).as_dict())
        except OSError:
            continue
        recovered.append(record.run_id)
    return recovered


def saved_classifiers(
    settings: Settings | None = None, viewer: str | None = None
) -> list[dict[str, Any]]:
    """Every checkpoint saved by a finished or stopped method, for the Classification tab.

    Args:
        settings: where the runs are.
        viewer: None for every run (local use), else a session id: the operator's runs and its own.

    Returns:
        One dict per checkpoint: path, run_id, method, task, dataset, labels, accuracy, status (the
        method's), run_status, and interrupted (whether its run was cut short by a crash).
    """
    choices = []
    for record in list_runs(settings, viewer):
        for result in record.methods:
            for path in (result.checkpoint, result.merged_checkpoint):
                if path and Path(path).is_dir():
                    choices.append(
                        {
                            "path": path,
                            "run_id": record.run_id,
                            "method": result.method,
                            "task": record.config.get("task"),
                            "dataset": record.config.get("dataset"),
                            "labels": record.labels,
                            "accuracy": result.eval_accuracy,
                            "status": result.status,
                            "run_status": record.status,
                            "interrupted": record.status == "interrupted",
                        }
                    )
    return choices
