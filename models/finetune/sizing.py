"""Size a prepared run: its workload, the estimates shown before training, and the budget.

The glue between a ``PreparedRun`` and the pure planner (``budget.py``) and cost model
(``estimate.py``): how much work the run's rows are, what each method should take in time and
memory, and the run re-cut to the rows, epochs and max length a time budget buys.
"""

from __future__ import annotations

from dataclasses import replace

from models.core.errors import ConfigError
from models.core.i18n import Text
from models.datasets.sampling import sample_rows
from models.finetune.budget import MAX_BUDGET_EPOCHS, plan_budget
from models.finetune.config import FinetuneConfig
from models.finetune.encode import curve_subset, encode
from models.finetune.estimate import (
    Calibration,
    Estimate,
    Workload,
    estimate_memory_mb,
    estimate_seconds,
)
from models.finetune.fitted import fitter_for
from models.finetune.methods import get_method
from models.finetune.prepared import PreparedRun


def workload_of(run: PreparedRun) -> Workload:
    """The run's rows, tokens and passes, as the cost model reads them."""
    return Workload(
        train_rows=len(run.train),
        train_tokens=sum(run.train.lengths),
        eval_rows=len(run.eval),
        eval_tokens=sum(run.eval.lengths),
        epochs=run.config.epochs,
        batch_size=run.config.batch_size,
        curve_points=run.config.curve_points,
    )


def checkpoint_bytes(run: PreparedRun, method: str, c: Calibration) -> int:
    """What saving ``method`` writes: the whole model, or the trained part (plus a merged copy)."""
    if not run.config.save_checkpoints:
        return 0
    form = get_method(method).checkpoint
    size = c.total_params * 4 if form == "transformers" else c.trainable_params * 4
    if run.config.merge_lora and get_method(method).mergeable:
        size += c.total_params * 4
    return size


def estimates_for(
    run: PreparedRun, calibrations: dict[str, Calibration], baseline_mb: float
) -> dict[str, Estimate]:
    """Time and memory per method for the run as configured."""
    from transformers import AutoConfig

    config = run.config
    lengths = run.train.lengths
    workload = workload_of(run)
    model_config = AutoConfig.from_pretrained(run.base.path)
    longest = max(lengths) if lengths else config.max_length

    def memory(method: str, c: Calibration) -> float:
        if not get_method(method).trainer:
            return baseline_mb + fitter_for(method).memory_mb(c, len(run.train))
        trains_encoder = method != "head"
        top = method == "top"
        return estimate_memory_mb(
            c, model_config, config.batch_size, longest, trains_encoder, baseline_mb,
            graph_layers=config.trained_layers if top else None,
            cached_tokens=workload.train_tokens + workload.eval_tokens if top else 0,
        )  # fmt: skip

    return {
        method: Estimate(
            method=method,
            seconds=estimate_seconds(c, workload),
            memory_mb=memory(method, c),
            trainable_params=c.trainable_params,
            total_params=c.total_params,
        )
        for method, c in calibrations.items()
    }


def fitted_on_all_rows(config: FinetuneConfig, method: str) -> bool:
    return config.fitted_all_rows and not get_method(method).trainer


def with_rows(run: PreparedRun, config: FinetuneConfig) -> PreparedRun:
    """``run`` cut to ``config.train_size`` of its training rows, re-encoded to its max length."""
    available = len(run.data.train)
    if config.budget_minutes is None and config.train_size > available:
        raise ConfigError(
            Text(
                "The dataset has {n:,} training rows; {asked:,} were asked. Choose at most {n:,}.",
                "데이터셋의 학습 행은 {n:,}개인데 {asked:,}개를 요청했습니다. {n:,}개 이하로 "
                "고르세요.",
                n=available,
                asked=config.train_size,
            )
        )
    rows = sample_rows(run.data.train, min(config.train_size, available), config.seed)
    data = replace(run.data, train=rows)
    train = encode(run.tokenizer, rows, data.labels, config.max_length, data.pair)
    evaluation = encode(run.tokenizer, data.eval, data.labels, config.max_length, data.pair)
    return replace(
        run, config=config, data=data, train=train, eval=evaluation,
        curve=curve_subset(evaluation, config.seed),
    )  # fmt: skip


def apply_budget(
    run: PreparedRun, calibrations: dict[str, Calibration], seconds_left: float
) -> tuple[PreparedRun, dict]:
    """Re-size the run's rows, epochs and max length to the budget; returns the run and plan."""
    config = run.config
    sized = {m: c for m, c in calibrations.items() if not fitted_on_all_rows(config, m)}
    if sized and len(sized) < len(calibrations):
        # Methods fitted on every row cost what they cost; the rest of the budget is planned.
        seconds_left -= sum(
            estimate_seconds(c, workload_of(run)) for m, c in calibrations.items() if m not in sized
        )
    sized = sized or calibrations
    # The run holds every row encoded at this max length: tokenising them again (7 s for
    # upstream NSMC's 150,000 reviews) would only cost budget.
    full_lengths = run.train.lengths
    plan = plan_budget(
        budget_s=seconds_left,
        calibrations=sized,
        train_lengths=full_lengths,
        eval_lengths=run.eval.lengths,
        batch_size=config.batch_size,
        max_length=config.max_length,
        curve_points=config.curve_points,
        min_rows=max(16 * len(run.data.labels), 64),
        # A fitted method (probe, n-grams) fits once: a second pass over the rows buys nothing.
        max_epochs=MAX_BUDGET_EPOCHS if any(get_method(m).trainer for m in sized) else 1,
    )
    if len(sized) < len(calibrations):
        plan.notes.append(
            Text(
                "fitted methods use all {n:,} training rows",
                "적합 방식의 방법은 학습 행 {n:,}개를 모두 씁니다",
                n=len(run.data.train),
            )
        )
    planned = replace(
        config,
        train_size=max(plan.train_rows, len(run.data.labels)),
        epochs=plan.epochs,
        max_length=plan.max_length,
    )
    return with_rows(run, planned), plan.as_dict()


def ensemble_seconds(run: PreparedRun, calibrations: dict[str, Calibration]) -> float:
    """Evaluating an ensemble: each member predicts the weighting and evaluation rows again."""
    workload = workload_of(run)
    # The weighting rows come from the same validation split: as long, on average.
    rows = len(run.eval) + len(run.data.weighting)
    tokens = workload.eval_tokens * rows / max(len(run.eval), 1)
    # A reloaded member is a plain model: a cached bottom (method "top") runs again in full.
    predict = sum(
        tokens * (c.eval_token_s + c.first_pass_token_s) + c.build_s for c in calibrations.values()
    )
    return predict + 3.0  # reading the saved members back
