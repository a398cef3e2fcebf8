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
from models.core.i18n import Text
from models.core.settings import Settings, get_settings

RECORD = "record.json"
SELECTION_PART = "validation"  # the held-out half a default is chosen on
METHODS = {"full": Text("Full fine-tuning", "전체 미세 조정"), "lora": Text("LoRA", "LoRA")}
# A bank as a tuned encoder's name calls it (short: the list is narrow).
BANK_NAMES = {
    "chatbot_data": Text("Chatbot_data", "한국어 일상 대화"),
    "chatterbot": Text("ChatterBot", "ChatterBot"),
    "upload": Text("an uploaded bank", "올린 모음"),
}
LEXICAL_NAME = Text("character n-grams (no model)", "문자 n-그램(모델 없음)")
STATUSES = {
    "waiting": Text("waiting", "대기"), "training": Text("training", "학습 중"),
    "saving": Text("saving", "저장 중"), "indexing": Text("indexing", "색인 중"),
    "done": Text("done", "완료"), "stopped": Text("stopped", "멈춤"),
    "failed": Text("failed", "실패"),
}  # fmt: skip


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
    """A finished method's encoder: its plain name (``label``, a Text) and its folder."""

    label: str
    path: str


def method_name(method: str) -> Text:
    return METHODS.get(method, Text(method, method))


def trained_on(created: float) -> Text:
    """When a run was made: "25 Nov 22:44" / "11월 25일 22:44"."""
    t = time.localtime(created)
    return Text(
        time.strftime("%d %b %H:%M", t).lstrip("0"),
        f"{t.tm_mon}월 {t.tm_mday}일 {t.tm_hour:02d}:{t.tm_min:02d}",
    )


def encoder_title(record: TuneRecord, outcome: MethodOutcome) -> Text:
    """A tuned encoder by what it is: the bank, the method, when, and its validation hit@1
    ("Tuned for ChatterBot: LoRA, 25 Nov 22:44, validation hit@1 0.512"), never its folder."""
    bank = BANK_NAMES.get(record.bank, Text(record.bank, record.bank))
    hit = outcome.hit_at_1()
    score = (
        Text(", validation hit@1 {h:.3f}", ", 검증 hit@1 {h:.3f}", h=hit)
        if hit is not None
        else Text("", "")
    )
    return Text(
        "Tuned for {bank}: {method}, {day}{score}",
        "{bank}에 맞춘 {method}, {day} 학습{score}",
        bank=bank, method=method_name(outcome.method), day=trained_on(record.created),
        score=score,
    )  # fmt: skip


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
            title = encoder_title(record, outcome)
            if damage := manifest.fault(Path(outcome.checkpoint)):
                title = Text("{t} (damaged: {d})", "{t} (손상됨: {d})", t=title, d=damage)
            out.append(TunedEncoder(title, outcome.checkpoint))
    return out


def ranker_title(ref: str, settings: Settings | None = None) -> str:
    """A ranker reference as a person reads it: an encoder tuned here by its name, a folder by
    its last part, ``lexical`` and ``hybrid:<ref>`` in words; Hub ids and packaged names as
    they are. The full reference belongs in a details view."""
    ref = (ref or "").strip()
    if ref == "lexical":
        return LEXICAL_NAME
    if ref.startswith("hybrid:"):
        inner = ranker_title(ref.removeprefix("hybrid:"), settings)
        return Text("hybrid: {r} + n-grams", "하이브리드: {r} + n-그램", r=inner)
    for record in list_records(settings):
        for outcome in record.methods:
            if outcome.checkpoint and outcome.checkpoint == ref:
                return encoder_title(record, outcome)
    path = Path(ref)
    if path.is_absolute() or ref.startswith("."):
        return path.name or ref
    return ref


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
