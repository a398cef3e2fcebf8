"""Fine-tuning work started in the background: a run, a sweep, or a task's default model.

Each checks its settings first (instant feedback), then holds the server's training slot in a
background job (``models.core.jobs``) that the UI polls and can stop. ``owner`` is who started it:
"" for the operator, else an opaque session id from the UI; runs record it, so a hosted server
shows each visitor only the operator's runs and their own.
"""

from __future__ import annotations

from models.core.i18n import Text, join
from models.core.jobs import Job, start_job
from models.core.monitor import Monitor
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.names import dataset_title, key_title, method_name
from models.finetune.recipes import recipe_config, train_default
from models.finetune.runs import check_runs_folder
from models.finetune.sweep import cell_name, check_grid, run_sweep

# Which view follows a job: the Fine-tuning tab's run or sweep, the Classification tab's default.
RUN, SWEEP, DEFAULT = "finetune", "sweep", "default"


def start_run(config: FinetuneConfig, owner: str = "") -> Job:
    """Check the settings and the runs folder now, then train every method in the background."""
    config.check()
    if config.save_checkpoints:
        check_runs_folder()
    monitor = Monitor(config.methods)
    description = Text(
        "{methods} on {data}, base {base}", "{data}에서 {methods}, 기반 모델 {base}",
        methods=join([method_name(m) for m in config.methods], " vs "),
        data=dataset_title(config.dataset), base=config.base.removeprefix("packaged:"),
    )  # fmt: skip
    return start_job(
        description, monitor, lambda m: run_finetune(config, m, owner=owner), owner=owner,
        kind=RUN,
    )  # fmt: skip


def start_sweep(
    config: FinetuneConfig,
    method: str,
    batch_sizes: list[int],
    learning_rates: list[float],
    owner: str = "",
) -> Job:
    """A batch size x learning rate sweep in the background (nothing goes in the runs folder)."""
    config.check()
    check_grid(batch_sizes, learning_rates)
    cells = [cell_name(bs, lr) for bs in batch_sizes for lr in learning_rates]
    monitor = Monitor(cells)
    description = Text(
        "sweep of {method} on {data} ({n} cells)", "{data}에서 {method} 스윕({n}칸)",
        method=method_name(method), data=dataset_title(config.dataset), n=len(cells),
    )  # fmt: skip
    return start_job(
        description,
        monitor,
        lambda m: run_sweep(config, method, batch_sizes, learning_rates, m),
        owner=owner,
        kind=SWEEP,
    )


def start_default(model_key: str, budget_minutes: float, owner: str = "") -> Job:
    """Train ``model_key``'s default (its recipe, within the budget) in the background.

    The default serves everyone, so its run belongs to the operator; ``owner`` may stop the job.
    """
    config = recipe_config(model_key, budget_minutes)
    config.check()
    check_runs_folder()
    monitor = Monitor(config.methods)
    job = start_job(
        Text(
            "default model for {task} ({m:g} min)", "{task} 기본 모델({m:g}분)",
            task=key_title(model_key), m=config.budget_minutes,
        ),
        monitor,
        lambda m: train_default(model_key, config.budget_minutes, monitor=m),
        owner=owner,
        kind=DEFAULT,
    )  # fmt: skip
    job.subject = model_key
    return job
