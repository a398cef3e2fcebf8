"""Train several methods on the same rows with the same seed, and measure each.

One code path serves the Fine-tuning tab, ``python -m models.finetune`` and the benchmarks:
``run_finetune(config, monitor)`` validates everything first, calibrates every method (the
estimates, and the budget plan if asked), then trains the methods one after another with the
transformers ``Trainer``, evaluates each on the same rows, saves its checkpoint and record.
Under ``accelerate launch`` the Trainer distributes; only the main process writes files.
Preparing the rows lives in ``prepared.py``; sizing the run (its estimates, and the rows a time
budget buys) in ``sizing.py``; the methods fitted in one go in ``fitted.py``; the ensemble in
``combine.py``.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from models.core.device import is_main_process
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, join
from models.core.measure import PeakMemory, library_versions, release_memory
from models.core.monitor import Monitor
from models.core.settings import Settings, get_settings
from models.finetune.analysis import fit_note
from models.finetune.arguments import training_args
from models.finetune.callback import monitor_callback
from models.finetune.checkpoint import folder_mb, save_checkpoint
from models.finetune.combine import ensemble_result
from models.finetune.config import FinetuneConfig
from models.finetune.estimate import Calibration, Estimate, calibrate, finish_seconds
from models.finetune.fitted import fitter_for, train_fitted
from models.finetune.methods import get_method
from models.finetune.prepared import PreparedRun, build_model, prepare_run
from models.finetune.runs import (
    MethodResult,
    RunRecord,
    check_runs_folder,
    close_unfinished,
    new_run_id,
    run_folder,
    save_record,
    this_process,
    with_pending,
)
from models.finetune.sizing import (
    apply_budget,
    checkpoint_bytes,
    ensemble_seconds,
    estimates_for,
    fitted_on_all_rows,
    with_rows,
    workload_of,
)


def train_method(
    run: PreparedRun,
    method: str,
    monitor: Monitor,
    folder: Path | None,
    estimate: Estimate | None = None,
    run_id: str = "",
    deadline: float | None = None,
    entry: str | None = None,
) -> MethodResult:
    """Train, evaluate and (if ``folder``) save one method. Failures are recorded, not raised.

    ``entry`` is the monitor's item it reports to (default: the method; a sweep's cell).
    """
    entry = entry or method
    if not get_method(method).trainer:
        release_memory()
        return train_fitted(run, method, monitor, folder, estimate, run_id)
    from transformers import Trainer
    from transformers.trainer_callback import PrinterCallback

    spec = get_method(method)
    config = run.config
    learning_rate = config.learning_rate(method, spec.default_lr)
    result = MethodResult(
        method=method,
        learning_rate=learning_rate,
        estimate=estimate.as_dict() if estimate else {},
    )
    release_memory()
    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="playground-trainer-")
    try:
        with PeakMemory(run.device) as memory:
            model, _ = build_model(run, method)
            result.total_params = sum(p.numel() for p in model.parameters())
            result.trainable_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
            result.trainable_pct = 100.0 * result.trainable_params / max(result.total_params, 1)
            trainer = Trainer(
                model=model,
                args=training_args(run, learning_rate, scratch),
                train_dataset=run.train,
                eval_dataset=run.curve,
                data_collator=run.collator,
                callbacks=[monitor_callback(monitor, entry, deadline)],
            )
            trainer.remove_callback(PrinterCallback)  # progress goes to the monitor instead
            train_started = time.perf_counter()
            trainer.train()
            result.train_s = time.perf_counter() - train_started
            state = trainer.state
            result.steps_done, result.steps_total = state.global_step, state.max_steps
            stopped = monitor.stop_requested and state.global_step < state.max_steps
            evaluated = [p for p in state.log_history if "eval_loss" in p]
            if config.curve_points and (
                not evaluated or evaluated[-1]["step"] != state.global_step
            ):
                trainer.evaluate()  # the curve's last point, at the step training ended
            monitor.method(entry, status="evaluating")
            predictions = trainer.predict(run.eval)
            result.record_metrics(
                predictions.predictions.argmax(-1), predictions.label_ids, len(run.data.labels)
            )
            seen = min(
                state.global_step * config.batch_size, math.ceil(len(run.train) * config.epochs)
            )
            result.samples_per_s = seen / result.train_s if result.train_s else 0.0
            if folder is not None and is_main_process():
                monitor.method(entry, status="saving")
                meta = {
                    "base_ref": config.base,
                    "labels": run.data.labels,
                    "task": config.task,
                    "dataset": config.dataset,
                    "method": method,
                    "run_id": run_id,
                    "pair": run.data.pair,
                    "max_length": config.max_length,
                    "eval_accuracy": result.eval_accuracy,
                    "eval_macro_f1": result.eval_macro_f1,
                }
                saved, merged = save_checkpoint(
                    model, run.tokenizer, spec, folder, meta, config.merge_lora
                )
                result.checkpoint = str(saved)
                result.checkpoint_mb = folder_mb(saved)
                result.merged_checkpoint = str(merged) if merged else ""
        result.peak_mem_mb = memory.peak_mb
        result.status = "stopped" if stopped else "done"
    except (PlaygroundError, RuntimeError, ValueError, OSError) as err:
        result.status, result.error = "failed", failure(err)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.wall_s = time.perf_counter() - started
    state = monitor.snapshot()["methods"].get(entry, {})
    result.history = state.get("history", [])
    result.fit = fit_note(result.history, result.eval_accuracy, len(run.data.labels))
    if state.get("budget_cut"):
        result.fit["note"] = join([result.fit["note"], budget_cut_note(result)], " ")
    monitor.method(entry, status=result.status)
    return result


def failure(err: BaseException) -> Text:
    """A method's error as recorded: the exception's kind and its message (a Text if it had one)."""
    return Text("{kind}: {err}", "{kind}: {err}", kind=type(err).__name__, err=error_text(err))


def budget_cut_note(result: MethodResult) -> Text:
    return Text(
        "The time budget ended training after {done} of {total} planned steps.",
        "시간 예산 때문에 계획한 {total}스텝 중 {done}스텝에서 학습을 끝냈습니다.",
        done=result.steps_done, total=result.steps_total,
    )  # fmt: skip


def estimate_methods(run: PreparedRun, monitor: Monitor) -> tuple[dict[str, Calibration], float]:
    """Calibrate every method (short real steps, no weight changes); returns the seconds spent."""
    started = time.perf_counter()
    calibrations = {}
    for method in run.config.methods:
        if monitor.stop_requested:
            break
        monitor.method(method, status="calibrating")
        if not get_method(method).trainer:
            calibrations[method] = fitter_for(method).calibrate(run)
            monitor.method(method, status="waiting")
            continue
        model, build_s = build_model(run, method)
        calibration = calibrate(
            model, run.train, run.collator, run.config.batch_size, run.device, build_s
        )
        calibration.save_bytes = checkpoint_bytes(run, method, calibration)
        calibrations[method] = calibration
        del model
        release_memory()
        monitor.method(method, status="waiting")
    return calibrations, time.perf_counter() - started


def _size_run(
    run: PreparedRun,
    full_run: PreparedRun,
    record: RunRecord,
    monitor: Monitor,
    baseline_mb: float,
) -> tuple[PreparedRun, dict[str, Estimate], dict[str, Calibration]]:
    """Calibrate every method for the estimates; with a time budget, cut the run to fit it."""
    config = run.config
    monitor.phase(
        Text(
            "Calibrating each method (a few real steps) for the estimates",
            "추정을 위해 방법마다 보정하는 중입니다(실제 스텝 몇 번)",
        )
    )
    calibrations, record.calibration_s = estimate_methods(run, monitor)
    if config.budget_minutes is not None:
        # The budget runs from when the run was asked for (the monitor's birth), so loading
        # the libraries, the data and the calibration count against it too.
        left = config.budget_minutes * 60 - (time.time() - monitor.started)
        left -= ensemble_seconds(run, calibrations) if config.ensemble else 0.0
        run, record.plan = apply_budget(run, calibrations, left)
        record.config = run.config.to_dict()
        record.data = run.data.summary()
    estimates = estimates_for(run, calibrations, baseline_mb)
    fitted = {m: c for m, c in calibrations.items() if fitted_on_all_rows(config, m)}
    estimates.update(estimates_for(full_run, fitted, baseline_mb))
    for method, value in estimates.items():
        monitor.method(method, estimate_s=value.seconds, estimate=value.as_dict())
    monitor.set_estimate(sum(e.seconds for e in estimates.values()))
    return run, estimates, calibrations


def _train_methods(
    run: PreparedRun,
    full_run: PreparedRun,
    record: RunRecord,
    monitor: Monitor,
    folder: Path | None,
    estimates: dict[str, Estimate],
    calibrations: dict[str, Calibration],
    save: Callable[[str], None],
) -> None:
    """Train the methods one after another into ``record``, saving it around each."""
    config = run.config
    end = monitor.started + config.budget_minutes * 60 if config.budget_minutes else None
    for i, method in enumerate(config.methods):
        if monitor.stop_requested:
            record.methods.append(
                MethodResult(
                    method=method,
                    status="skipped",
                    error=Text(
                        "the run was stopped before its turn", "차례가 오기 전에 학습을 멈췄습니다"
                    ),
                )
            )
            monitor.method(method, status="skipped")
            continue
        monitor.phase(Text("Training {m}", "{m} 학습 중", m=get_method(method).title))
        deadline = None
        if end is not None:
            # Leave time for this method's evaluation and save, and for the methods after it.
            later = sum(estimates[m].seconds for m in config.methods[i + 1 :])
            later += ensemble_seconds(run, calibrations) if config.ensemble else 0.0
            deadline = end - later - finish_seconds(calibrations[method], workload_of(run)) - 3.0
        method_run = run
        if fitted_on_all_rows(config, method):
            method_run = replace(full_run, config=config)
        save(method)
        result = train_method(
            method_run, method, monitor, folder / method if folder else None,
            estimates.get(method), record.run_id, deadline,
        )  # fmt: skip
        record.methods.append(result)
        save("")


def run_finetune(
    config: FinetuneConfig,
    monitor: Monitor | None = None,
    settings: Settings | None = None,
    estimate: bool = True,
    on_prepared: Callable[[RunRecord], None] | None = None,
    owner: str = "",
) -> RunRecord:
    """Run every method of ``config`` and return (and save) the record.

    While it trains, the saved record says "running", names this process (so a crash shows as an
    interrupted run) and lists the methods still to come.

    Args:
        config: what to train; checked before anything loads.
        monitor: receives progress, losses and the stop request.
        settings: where runs are saved.
        estimate: calibrate first for the estimates (always on with a time budget).
        on_prepared: called with the record (estimates filled) before the first method trains.
        owner: who started it: "" for the operator, else the session id the UI passes.

    Raises:
        PlaygroundError: a config, dataset or model problem, or a runs folder that cannot be
            written, before any training.
    """
    import psutil

    settings = settings or get_settings()
    monitor = monitor or Monitor(config.methods)
    monitor.phase(
        Text(
            "Checking the settings, the data and the base model",
            "설정, 데이터, 기반 모델을 확인하는 중입니다",
        )
    )
    if config.save_checkpoints and is_main_process():
        check_runs_folder(settings)  # now, not after every method trained
    # With a budget the planner chooses the rows: prepare every row, then cut to the plan.
    # Methods fitted on every row keep the uncut rows.
    keep_all = config.budget_minutes is not None or config.fitted_all_rows
    run = full_run = prepare_run(config, settings, all_rows=keep_all)
    if config.fitted_all_rows and config.budget_minutes is None:
        run = with_rows(run, config)
    release_memory()
    baseline_mb = psutil.Process().memory_info().rss / 2**20
    run_id = new_run_id(config.dataset, config.base)
    record = RunRecord(
        run_id=run_id,
        created=time.strftime("%Y-%m-%d %H:%M:%S"),
        status="running",
        config=config.to_dict(),
        data=run.data.summary(),
        labels=run.data.labels,
        device=run.device,
        versions=library_versions(),
        seed=config.seed,
        owner=owner,
        **this_process(),
    )
    folder = run_folder(run_id, settings) if config.save_checkpoints else None
    saving = folder is not None and is_main_process()
    planned = [*config.methods, *(["ensemble"] if config.ensemble and folder else [])]

    def save(current: str = "") -> None:
        """The record so far: what finished, ``current`` training, the rest waiting."""
        if saving:
            save_record(with_pending(record, planned, current), settings)

    estimates: dict[str, Estimate] = {}
    calibrations: dict[str, Calibration] = {}
    try:
        save()  # from here on a crash leaves a record that shows as interrupted
        if estimate or config.budget_minutes is not None:
            run, estimates, calibrations = _size_run(run, full_run, record, monitor, baseline_mb)
            save()
        if on_prepared is not None:
            on_prepared(record)
        _train_methods(run, full_run, record, monitor, folder, estimates, calibrations, save)
        if config.ensemble and folder is not None and not monitor.stop_requested:
            monitor.phase(
                Text(
                    "Evaluating the ensemble of the finished methods",
                    "끝난 방법들의 앙상블을 평가하는 중입니다",
                )
            )
            save("ensemble")
            record.methods.append(ensemble_result(run, record, folder / "ensemble", monitor))
    except Exception:
        # A bug, not a crash of the process: say so in the record instead of "running" forever.
        if saving:
            error = Text(
                "The run ended with an error before this method finished.",
                "이 방법이 끝나기 전에 학습이 오류로 끝났습니다.",
            )
            save_record(close_unfinished(with_pending(record, planned), "failed", error), settings)
        raise
    record.status = "stopped" if monitor.stop_requested else "done"
    if saving:
        save_record(record, settings)
    monitor.phase(
        Text("Stopped: finished methods are kept", "멈췄습니다: 끝난 방법은 남겨 둡니다")
        if monitor.stop_requested
        else Text("Done", "완료")
    )
    return record
