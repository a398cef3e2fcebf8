"""Encoders fine-tuned for a bank: their records, and which one answers a bank by default.

A tuning run lives in ``<PLAYGROUND_RUNS>/encoders/<run id>/``: ``record.json`` (settings, the
base model's and each method's scores, costs) and a folder per method (a sentence-transformers
model, or a LoRA adapter on the base). An encoder is tuned for one bank: it is offered for that
bank, and becomes the bank's ``auto`` choice only when it beats the base model on the validation
half of the held-out questions (never on the test half, which stays for reporting). A saved
encoder whose files are damaged (``core.manifest``, sizes only) is listed as damaged and is never
a bank's ``auto``: the base model answers instead.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from models.core import files, manifest
from models.core.settings import Settings, get_settings

RECORD = "record.json"
SELECTION_PART = "validation"  # the held-out half a default is chosen on


@dataclass
class MethodOutcome:
    """One method of a tuning run: what it cost and how well the tuned encoder ranks."""

    method: str
    title: str
    status: str = "waiting"  # training / indexing / done / stopped / failed
    learning_rate: float = 0.0
    trainable_params: int = 0
    total_params: int = 0
    steps: int = 0
    pairs_seen: int = 0
    train_s: float = 0.0
    index_s: float = 0.0
    peak_memory_mb: float = 0.0
    checkpoint_mb: float = 0.0
    checkpoint: str = ""
    last_loss: float | None = None
    metrics: dict[str, dict] = field(default_factory=dict)  # part -> hit@1, hit@5, MRR
    error: str = ""

    def hit_at_1(self, part: str = SELECTION_PART) -> float | None:
        return self.metrics.get(part, {}).get("hit_at_1")


@dataclass
class TuneRecord:
    """A tuning run: the bank, the base model, the pairs, and each method's outcome."""

    run_id: str
    bank: str
    bank_fingerprint: str
    base_ref: str
    created: float = field(default_factory=time.time)
    settings: dict = field(default_factory=dict)
    n_pairs: int = 0
    held_out_queries: int = 0
    base_metrics: dict[str, dict] = field(default_factory=dict)
    lexical_metrics: dict[str, dict] = field(default_factory=dict)
    methods: list[MethodOutcome] = field(default_factory=list)
    versions: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TuneRecord:
        methods = [MethodOutcome(**m) for m in data.get("methods", [])]
        return cls(**{**data, "methods": methods})

    def base_hit_at_1(self, part: str = SELECTION_PART) -> float | None:
        return self.base_metrics.get(part, {}).get("hit_at_1")


def encoders_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).runs_dir / "encoders"


def new_run_id(bank: str, base_ref: str) -> str:
    base = Path(base_ref.split(":")[-1].rstrip("/")).name or "encoder"
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{bank}-{base}"


def save_record(record: TuneRecord, settings: Settings | None = None) -> Path:
    return files.write_json(encoders_dir(settings) / record.run_id / RECORD, record.as_dict())


_parsed: dict[tuple[str, int], TuneRecord | None] = {}  # (path, mtime) -> record: a chat turn
# asks which encoder is a bank's auto; it reads each record once per change, not once per turn


def _read(path: Path) -> TuneRecord | None:
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return None
    if key not in _parsed:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            _parsed[key] = TuneRecord.from_dict(data)
        except (OSError, ValueError, TypeError):
            _parsed[key] = None
    return _parsed[key]


def list_records(settings: Settings | None = None) -> list[TuneRecord]:
    """Tuning runs, newest first; unreadable ones are skipped."""
    paths = sorted(encoders_dir(settings).glob(f"*/{RECORD}"), reverse=True)
    return [record for record in map(_read, paths) if record is not None]


@dataclass(frozen=True)
class TunedEncoder:
    """A finished method's encoder, as the model list shows it."""

    label: str
    path: str


def tuned_encoders(bank: str | None = None, settings: Settings | None = None) -> list[TunedEncoder]:
    """Every saved encoder (of one bank's runs when ``bank`` is given), newest first."""
    out = []
    for record in list_records(settings):
        if bank is not None and record.bank != bank:
            continue
        for outcome in record.methods:
            if outcome.status not in ("done", "stopped") or not outcome.checkpoint:
                continue
            if not Path(outcome.checkpoint).is_dir():
                continue
            hit = outcome.hit_at_1()
            score = f", validation hit@1 {hit:.3f}" if hit is not None else ""
            when = time.strftime("%d %b %H:%M", time.localtime(record.created))
            damage = manifest.fault(Path(outcome.checkpoint))
            state = f" (damaged: {damage})" if damage else ""
            out.append(
                TunedEncoder(
                    f"Tuned for {record.bank}: {outcome.title}, {when}{score}{state}",
                    outcome.checkpoint,
                )
            )
    return out


def best_tuned(bank: str, fingerprint: str, settings: Settings | None = None) -> str | None:
    """The encoder tuned on this very bank content that beats its base most on validation."""
    best: tuple[float, str] | None = None
    for record in list_records(settings):
        if record.bank != bank or record.bank_fingerprint != fingerprint:
            continue
        base = record.base_hit_at_1()
        for outcome in record.methods:
            hit = outcome.hit_at_1()
            if outcome.status != "done" or hit is None or base is None or hit <= base:
                continue
            if not Path(outcome.checkpoint).is_dir() or manifest.fault(Path(outcome.checkpoint)):
                continue
            if best is None or hit > best[0]:
                best = (hit, outcome.checkpoint)
    return best[1] if best else None
