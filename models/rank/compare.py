"""A tuning run's comparison as plain data: one row per ranker (the base model, the lexical
ranker, each method), the columns a reader compares first (method, hit@1, time, trainable %)
ahead of the rest, so they stay on screen when the table is narrower than its columns.

Keys are ``Text``s: the tab renders them in the page's language, a report or a script reads the
English.
"""

from __future__ import annotations

from typing import Any

from models.core.i18n import Text
from models.rank.encoders import (
    LEXICAL_NAME,
    STATUSES,
    MethodOutcome,
    TuneRecord,
    method_name,
    ranker_title,
)
from models.rank.evaluate import PARTS

METHOD = Text("method", "방법")
HIT_1 = Text("hit@1", "hit@1")
TIME = Text("time (s)", "시간(초)")
TRAINABLE = Text("trainable %", "학습 파라미터 %")
HIT_1_VALIDATION = Text("hit@1 validation", "hit@1 검증")
HIT_1_TEST = Text("hit@1 test", "hit@1 테스트")
HIT_5 = Text("hit@5", "hit@5")
MRR = Text("MRR", "MRR")
STATUS = Text("status", "상태")
STEPS = Text("steps", "스텝")
INDEX_S = Text("index s", "색인 시간(초)")
PEAK_MB = Text("peak memory MB", "최대 메모리 MB")
CHECKPOINT_MB = Text("checkpoint MB", "체크포인트 MB")
PARAMS = Text("trainable params", "학습 파라미터 수")
COLUMNS = (METHOD, HIT_1, TIME, TRAINABLE, HIT_1_VALIDATION, HIT_1_TEST, HIT_5, MRR, STATUS,
           STEPS, INDEX_S, PEAK_MB, CHECKPOINT_MB, PARAMS)  # fmt: skip
KEY_COLUMNS = COLUMNS[:4]


def _scores(metrics: dict[str, dict]) -> dict[Text, float | None]:
    every = metrics.get("all", {})
    values = {
        HIT_1: every.get("hit_at_1"),
        HIT_1_VALIDATION: metrics.get("validation", {}).get("hit_at_1"),
        HIT_1_TEST: metrics.get("test", {}).get("hit_at_1"),
        HIT_5: every.get("hit_at_5"),
        MRR: every.get("mrr"),
    }
    return {k: None if v is None else round(v, 4) for k, v in values.items()}


def _status(m: MethodOutcome) -> Text:
    if m.error:
        return Text("failed: {e}", "실패: {e}", e=m.error)
    return STATUSES.get(m.status, Text(m.status, m.status))


def _costs(m: MethodOutcome) -> dict[Text, Any]:
    share = 100 * m.trainable_params / m.total_params if m.total_params else None
    return {
        TIME: round(m.train_s, 1) or None,
        TRAINABLE: None if share is None else round(share, 2),
        STEPS: m.steps or None,
        INDEX_S: round(m.index_s, 1) or None,
        PEAK_MB: round(m.peak_memory_mb) or None,
        CHECKPOINT_MB: round(m.checkpoint_mb, 1) or None,
        PARAMS: m.trainable_params or None,
    }


def comparison_rows(record: TuneRecord) -> list[dict[Text, Any]]:
    """One row per ranker, every row with every column of ``COLUMNS`` in that order (None where
    it does not apply): scores on all held-out questions and on each half, then costs."""
    base = Text("base: {r}", "기준 모델: {r}", r=ranker_title(record.base_ref))
    rows = [
        {METHOD: base, STATUS: Text("before", "학습 전"), **_scores(record.base_metrics)},
        {METHOD: LEXICAL_NAME, STATUS: Text("no model", "모델 없음"),
         **_scores(record.lexical_metrics)},
    ]  # fmt: skip
    for m in record.methods:
        rows.append(
            {METHOD: method_name(m.method), STATUS: _status(m), **_scores(m.metrics), **_costs(m)}
        )
    return [{column: row.get(column) for column in COLUMNS} for row in rows]


def summary_lines(record: TuneRecord) -> list[str]:
    """The before / after table as text (the command prints it)."""

    def hits(metrics: dict[str, dict]) -> str:
        return "  ".join(
            f"{part} {metrics[part]['hit_at_1']:.4f}" for part in PARTS if part in metrics
        )

    lines = [f"hit@1 base {record.base_ref}: {hits(record.base_metrics)}",
             f"hit@1 lexical: {hits(record.lexical_metrics)}"]  # fmt: skip
    for m in record.methods:
        if m.status == "failed":
            lines.append(f"{m.title}: failed: {m.error}")
            continue
        lines.append(
            f"{m.title}: {m.status}; hit@1 {hits(m.metrics)}; {m.trainable_params:,} of "
            f"{m.total_params:,} parameters trained; {m.steps} steps ({m.pairs_seen:,} pairs) in "
            f"{m.train_s:.0f} s; indexed in {m.index_s:.0f} s; peak memory "
            f"{m.peak_memory_mb:,.0f} MB; checkpoint {m.checkpoint_mb:,.1f} MB"
        )
    return lines
