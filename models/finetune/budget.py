"""Size a run to a time budget from the calibration: rows first, then epochs, then max length.

More distinct rows beat more passes over fewer rows, so the planner buys rows until the data runs
out and only then adds epochs. If even a small run does not fit, it cuts the max length (long rows
are rare; their tails are what it drops) before cutting rows further.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from models.core.i18n import Text
from models.finetune.estimate import Calibration, Workload, estimate_seconds

MAX_BUDGET_EPOCHS = 3
# Plan for slightly less than the budget: estimates are within ~10-15% of measured time on a
# shared machine, and a deadline ends training on time when an estimate was optimistic.
SAFETY = 0.95
UNUSED_NOTE_S = 60  # below this, leftover budget is not worth a remark


@dataclass
class Plan:
    """What the budget bought, recorded with the run."""

    budget_s: float
    train_rows: int
    eval_rows: int
    epochs: float
    max_length: int
    estimated_s: float
    notes: list[Text] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _workload(
    lengths: np.ndarray, rows: int, eval_tokens: float, eval_rows: int, epochs: float,
    batch_size: int, curve_points: int, max_length: int,
) -> Workload:  # fmt: skip
    per_row = float(np.minimum(lengths, max_length).mean())
    return Workload(
        train_rows=rows,
        train_tokens=int(per_row * rows),
        eval_rows=eval_rows,
        eval_tokens=int(eval_tokens),
        epochs=epochs,
        batch_size=batch_size,
        curve_points=curve_points,
    )


def _cost(calibrations: dict[str, Calibration], workload: Workload) -> float:
    return sum(estimate_seconds(c, workload) for c in calibrations.values())


def plan_budget(
    budget_s: float,
    calibrations: dict[str, Calibration],
    train_lengths: list[int],
    eval_lengths: list[int],
    batch_size: int,
    max_length: int,
    curve_points: int,
    min_rows: int,
    max_epochs: int = MAX_BUDGET_EPOCHS,
) -> Plan:
    """Choose rows, epochs and max length so the methods together take about ``budget_s``.

    Args:
        budget_s: seconds left for training and evaluating every method.
        calibrations: measured costs per method.
        train_lengths: token counts of every available training row.
        eval_lengths: token counts of the evaluation rows the user asked for.
        batch_size: rows per step.
        max_length: the user's max length (the plan never exceeds it).
        curve_points: evaluation points per epoch.
        min_rows: fewest training rows worth training on.
    """
    usable = budget_s * SAFETY
    lengths = np.asarray(train_lengths)
    available = len(lengths)
    notes: list[Text] = []
    eval_rows = len(eval_lengths)
    eval_array = np.asarray(eval_lengths)

    candidates = [max_length]
    for q in (95, 90, 75, 50):
        cut = int(math.ceil(np.percentile(lengths, q) / 8) * 8)
        if cut < candidates[-1]:
            candidates.append(max(cut, 16))
    best: Plan | None = None
    for length in candidates:
        eval_tokens = float(np.minimum(eval_array, length).sum())

        def cost(
            rows: int, epochs: float, length: int = length, eval_tokens: float = eval_tokens
        ) -> float:
            return _cost(
                calibrations,
                _workload(
                    lengths, rows, eval_tokens, eval_rows, epochs, batch_size, curve_points, length
                ),
            )

        # Cost is linear in rows for one epoch: solve for the rows that fill the budget.
        fixed = cost(0, 1.0)
        per_row = (cost(1000, 1.0) - fixed) / 1000
        rows = int((usable - fixed) / per_row) if per_row > 0 else available
        epochs = 1.0
        if rows >= available:
            rows = available
            # Cost is linear in epochs too; buy passes in tenths (the last one partial, its
            # batches drawn at random) rather than leave most of an epoch's time unused.
            one, two = cost(rows, 1.0), cost(rows, 2.0)
            if two > one and usable > one:
                extra = math.floor(10 * (usable - one) / (two - one)) / 10
                epochs = min(float(max_epochs), 1.0 + extra)
        plan = Plan(budget_s, max(rows, 0), eval_rows, epochs, length, cost(max(rows, 0), epochs))
        if rows >= min_rows:
            best = plan
            break
        if best is None or plan.train_rows >= best.train_rows:
            best = plan  # nothing fits yet: keep the candidate that buys the most rows
    assert best is not None
    if best.max_length < max_length:
        notes.append(
            Text(
                "max length cut from {a} to {b} tokens to fit the budget",
                "예산에 맞추려고 최대 길이를 {a}에서 {b} 토큰으로 줄였습니다",
                a=max_length,
                b=best.max_length,
            )
        )
    if best.train_rows < min_rows:
        best.train_rows = min(min_rows, available)
        best.estimated_s = _cost(
            calibrations,
            _workload(
                lengths, best.train_rows, float(np.minimum(eval_array, best.max_length).sum()),
                eval_rows, best.epochs, batch_size, curve_points, best.max_length,
            ),
        )  # fmt: skip
        notes.append(
            Text(
                "the budget is too small even for {least} rows; training on {rows} rows takes "
                "about {m:.1f} min",
                "예산이 {least}행에도 모자랍니다. {rows}행으로 학습하면 약 {m:.1f}분 걸립니다",
                least=min_rows,
                rows=best.train_rows,
                m=best.estimated_s / 60,
            )
        )
    if best.train_rows == available:
        note = Text(
            "all {n:,} training rows fit; {e:g} epoch{s}",
            "학습 행 {n:,}개가 모두 들어갑니다. {e:g}에폭",
            n=available, e=best.epochs, s="" if best.epochs == 1 else "s",
        )  # fmt: skip
        spare_s = budget_s - best.estimated_s
        if best.epochs >= max_epochs and spare_s >= UNUSED_NOTE_S:
            # Say so rather than look like a run that ran out of time.
            note = Text(
                "{note} (the planner's cap: more passes over the same rows rarely help), so about "
                "{m:.0f} min of the budget stays unused; more rows would use it",
                "{note}(계획의 상한입니다: 같은 행을 더 여러 번 도는 것은 거의 도움이 되지 "
                "않습니다). 그래서 예산 중 약 {m:.0f}분이 남습니다. 행이 더 있으면 쓸 수 있습니다",
                note=note, m=spare_s / 60,
            )  # fmt: skip
        notes.append(note)
    best.notes = notes
    return best
