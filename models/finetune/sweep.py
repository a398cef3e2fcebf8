"""Batch size x learning rate: a small grid for one method, to see how the two interact.

Bigger batches average away gradient noise but take fewer steps per epoch, so they usually want a
larger learning rate; the heatmap of evaluation accuracy shows where the good region lies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from models.core.errors import ConfigError
from models.core.i18n import Text
from models.core.monitor import Monitor
from models.core.settings import Settings, get_settings
from models.finetune.config import FinetuneConfig
from models.finetune.engine import train_method
from models.finetune.methods import get_method
from models.finetune.prepared import prepare_run

MAX_CELLS = 25


@dataclass
class SweepResult:
    """Evaluation accuracy per (batch size, learning rate); None where a cell did not run."""

    method: str
    batch_sizes: list[int]
    learning_rates: list[float]
    accuracy: list[list[float | None]]
    macro_f1: list[list[float | None]]
    seconds: list[list[float | None]]
    train_rows: int
    eval_rows: int
    status: str = "done"
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def cells(self) -> list[dict]:
        """Long format, one row per cell: for a heatmap or a table."""
        return [
            {
                "batch_size": bs,
                "learning_rate": lr,
                "accuracy": self.accuracy[i][j],
                "macro_f1": self.macro_f1[i][j],
                "seconds": self.seconds[i][j],
            }
            for i, bs in enumerate(self.batch_sizes)
            for j, lr in enumerate(self.learning_rates)
        ]


def cell_name(batch_size: int, learning_rate: float) -> str:
    return f"bs={batch_size} lr={learning_rate:g}"


def check_grid(batch_sizes: list[int], learning_rates: list[float]) -> None:
    """Reject an empty, oversized or invalid grid."""
    if not batch_sizes or not learning_rates:
        raise ConfigError(
            Text(
                "Give at least one batch size and one learning rate.",
                "배치 크기와 학습률을 하나 이상씩 주세요.",
            )
        )
    if len(batch_sizes) * len(learning_rates) > MAX_CELLS:
        raise ConfigError(
            Text(
                "The grid has more than {n} cells; pick fewer values.",
                "격자가 {n}칸보다 큽니다. 값을 줄이세요.",
                n=MAX_CELLS,
            )
        )
    if any(bs < 1 for bs in batch_sizes):
        raise ConfigError(
            Text("Batch sizes must be at least 1.", "배치 크기는 1 이상이어야 합니다.")
        )
    if any(not lr > 0 for lr in learning_rates):
        raise ConfigError(Text("Learning rates must be above 0.", "학습률은 0보다 커야 합니다."))


def run_sweep(
    config: FinetuneConfig,
    method: str,
    batch_sizes: list[int],
    learning_rates: list[float],
    monitor: Monitor | None = None,
    settings: Settings | None = None,
) -> SweepResult:
    """Train ``method`` once per cell on the same rows and seed; nothing is saved.

    Raises:
        ConfigError: an empty or oversized grid, or a bad value in it, before training.
    """
    check_grid(batch_sizes, learning_rates)
    if not get_method(method).trainer:
        raise ConfigError(
            Text(
                "{m} is fitted in one go: it has no batch size or learning rate to sweep.",
                "{m}은(는) 한 번에 적합하므로 훑어볼 배치 크기나 학습률이 없습니다.",
                m=get_method(method).title,
            )
        )
    settings = settings or get_settings()
    base = replace(config, methods=(method,), save_checkpoints=False, curve_points=0)
    cells = [cell_name(bs, lr) for bs in batch_sizes for lr in learning_rates]
    monitor = monitor or Monitor(cells)
    for cell in cells:
        monitor.method(cell, status="waiting")
    run = prepare_run(base, settings)
    shape = [[None] * len(learning_rates) for _ in batch_sizes]
    result = SweepResult(
        method, list(batch_sizes), list(learning_rates),
        [row[:] for row in shape], [row[:] for row in shape], [row[:] for row in shape],
        len(run.train), len(run.eval),
    )  # fmt: skip
    for i, batch_size in enumerate(batch_sizes):
        for j, rate in enumerate(learning_rates):
            cell = cell_name(batch_size, rate)
            if monitor.stop_requested:
                monitor.method(cell, status="skipped")  # not left "waiting" forever
                result.status = "stopped"
                continue
            monitor.phase(Text("Sweep cell {cell}", "스윕 칸 {cell}", cell=cell))
            cell_config = replace(base, batch_size=batch_size, learning_rates={method: rate})
            # The cell is the monitor's item: its own status, step count and clock.
            outcome = train_method(
                replace(run, config=cell_config), method, monitor, None, entry=cell
            )
            if outcome.status == "failed":
                result.errors.append(
                    Text("{cell}: {err}", "{cell}: {err}", cell=cell, err=outcome.error)
                )
                continue
            result.accuracy[i][j] = outcome.eval_accuracy
            result.macro_f1[i][j] = outcome.eval_macro_f1
            result.seconds[i][j] = outcome.wall_s
    if monitor.stop_requested:
        result.status = "stopped"
    return result
