"""Run records and the runs folder: ``<PLAYGROUND_RUNS>/<run id>/record.json``, a folder per method.

Each method's folder holds its checkpoint and a ``playground.json`` naming the base model, labels
and task, so the resolver (and the Classification tab) can load it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from models.core import files
from models.core.metrics import classification_metrics
from models.core.settings import Settings, get_settings

RECORD = "record.json"


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

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunRecord:
        methods = [MethodResult(**m) for m in data.get("methods", [])]
        return cls(**{**data, "methods": methods})

    def result(self, method: str) -> MethodResult | None:
        return next((m for m in self.methods if m.method == method), None)


def new_run_id(dataset: str, base: str) -> str:
    """A sortable, readable, unique-enough folder name."""
    short = re.sub(r"[^A-Za-z0-9]+", "-", base.rsplit("/", 1)[-1].removeprefix("packaged:"))
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{dataset}-{short}".strip("-")[:80]


def run_folder(run_id: str, settings: Settings | None = None) -> Path:
    return (settings or get_settings()).runs_dir / run_id


def save_record(record: RunRecord, settings: Settings | None = None) -> Path:
    """Write ``record.json`` atomically into the run's folder."""
    folder = run_folder(record.run_id, settings)
    record.folder = str(folder)
    return files.write_json(folder / RECORD, record.as_dict())


def load_record(run_id_or_folder: str, settings: Settings | None = None) -> RunRecord:
    folder = Path(run_id_or_folder)
    if not (folder / RECORD).is_file():
        folder = run_folder(run_id_or_folder, settings)
    return RunRecord.from_dict(json.loads((folder / RECORD).read_text(encoding="utf-8")))


def list_runs(settings: Settings | None = None) -> list[RunRecord]:
    """Past runs, newest first; unreadable folders are skipped."""
    root = (settings or get_settings()).runs_dir
    records = []
    for path in sorted(root.glob(f"*/{RECORD}"), reverse=True):
        try:
            records.append(RunRecord.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            continue
    return records


def saved_classifiers(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every checkpoint saved by a finished or stopped method, for the Classification tab."""
    choices = []
    for record in list_runs(settings):
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
                        }
                    )
    return choices
