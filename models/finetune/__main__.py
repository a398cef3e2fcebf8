"""Headless fine-tuning: the same engine and record as the Fine-tuning tab.

    python -m models.finetune --task intent --dataset snips --base packaged:all-MiniLM-L6-v2 \\
        --methods full,lora,head --train-size 2000 --eval-size 500 --epochs 1 \\
        --lr full=1e-4,lora=2e-3,head=5e-3 --batch-size 8 --seed 42 --json run.json

Several GPUs: ``accelerate launch -m models.finetune ...`` (the Trainer distributes; only the
main process writes the checkpoints and the record). Ctrl-C stops cleanly: finished methods are
kept and the record says "stopped".
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import psutil

from models.core import files
from models.core.errors import PlaygroundError
from models.core.monitor import Monitor
from models.core.tasks import TRAINABLE_TASKS
from models.finetune.config import SCHEDULERS, FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.methods import METHODS, LoraSettings
from models.finetune.recipes import (
    DEFAULT_BUDGET_MINUTES,
    recipe_config,
    train_default,
)
from models.sources.task_models import classification_keys


def parse_learning_rates(text: str | None, methods: tuple[str, ...]) -> dict[str, float]:
    """``"2e-5"`` for every method, or ``"full=1e-4,lora=2e-3"`` per method."""
    if not text:
        return {}
    try:
        if "=" not in text:
            return dict.fromkeys(methods, float(text))
        pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError as err:
        raise PlaygroundError(
            f"--lr: '{text}' is not a number or a list like full=1e-4,lora=2e-3"
        ) from err


def build_parser() -> argparse.ArgumentParser:
    defaults = FinetuneConfig()
    p = argparse.ArgumentParser(prog="python -m models.finetune", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--task", choices=TRAINABLE_TASKS, default=defaults.task)
    p.add_argument("--dataset", default=defaults.dataset, help="registry name, or 'upload'")
    p.add_argument("--base", default=defaults.base, help="packaged:<name>, folder or Hub id")
    p.add_argument(
        "--methods", default=",".join(defaults.methods), help=f"from {', '.join(METHODS)}"
    )
    p.add_argument("--train-size", type=int, default=defaults.train_size)
    p.add_argument("--eval-size", type=int, default=defaults.eval_size)
    p.add_argument("--epochs", type=float, default=defaults.epochs)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size)
    p.add_argument("--lr", help="one rate for all, or per method: full=1e-4,lora=2e-3")
    p.add_argument("--warmup", type=float, default=defaults.warmup_ratio, help="share of steps")
    p.add_argument("--scheduler", choices=SCHEDULERS, default=defaults.scheduler)
    p.add_argument("--max-length", type=int, default=defaults.max_length)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--lora-rank", type=int, default=LoraSettings().rank)
    p.add_argument("--lora-alpha", type=float, default=LoraSettings().alpha)
    p.add_argument("--lora-dropout", type=float, default=LoraSettings().dropout)
    p.add_argument("--lora-targets", default="", help="comma-separated module names")
    p.add_argument(
        "--lora-top-layers", type=int, default=0, help="adapt only the top N layers (0: all)"
    )
    p.add_argument(
        "--top-layers", type=int, default=defaults.trained_layers,
        help="method top: encoder layers trained from the top (the rest frozen and cached)",
    )  # fmt: skip
    p.add_argument("--merge-lora", action="store_true", help="also save LoRA merged")
    p.add_argument(
        "--fitted-all-rows", action="store_true",
        help="probe and ngram fit on every training row (they take seconds)",
    )  # fmt: skip
    p.add_argument(
        "--ensemble", action="store_true",
        help="also save the weighted average of the finished methods (weights chosen on "
        "validation rows the evaluation never sees)",
    )  # fmt: skip
    p.add_argument("--budget-minutes", type=float, help="size the run to finish in ~N minutes")
    p.add_argument("--curve-points", type=int, default=defaults.curve_points)
    p.add_argument("--no-estimate", action="store_true", help="skip the calibration step")
    p.add_argument("--upload", help="CSV/TSV/JSONL to train on (with --dataset upload)")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label")
    p.add_argument("--pair-column", default="")
    p.add_argument(
        "--default-for",
        choices=classification_keys(),
        help="train this task's default classifier (its recipe; --budget-minutes, default 3, "
        "and --dataset may be given) and make it the Classification tab's default",
    )
    p.add_argument("--json", type=Path, help="write the run record here")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def config_from_args(args: argparse.Namespace) -> FinetuneConfig:
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    columns = {"text": args.text_column, "label": args.label_column}
    if args.pair_column:
        columns["text_pair"] = args.pair_column
    return FinetuneConfig(
        task=args.task,
        dataset=args.dataset,
        base=args.base,
        methods=methods,
        train_size=args.train_size,
        eval_size=args.eval_size,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rates=parse_learning_rates(args.lr, methods),
        warmup_ratio=args.warmup,
        scheduler=args.scheduler,
        max_length=args.max_length,
        seed=args.seed,
        lora=LoraSettings(
            rank=args.lora_rank,
            alpha=args.lora_alpha,
            dropout=args.lora_dropout,
            target_modules=tuple(t.strip() for t in args.lora_targets.split(",") if t.strip()),
            top_layers=args.lora_top_layers,
        ),
        trained_layers=args.top_layers,
        merge_lora=args.merge_lora,
        fitted_all_rows=args.fitted_all_rows,
        ensemble=args.ensemble,
        budget_minutes=args.budget_minutes,
        curve_points=args.curve_points,
        upload_path=args.upload,
        upload_columns=columns if args.dataset == "upload" else {},
    )


def _progress_line(snapshot: dict) -> str:
    parts = []
    for name, entry in snapshot["methods"].items():
        if entry["status"] == "training" and entry["total_steps"]:
            parts.append(f"{name} {entry['step']}/{entry['total_steps']}")
        else:
            parts.append(f"{name} {entry['status']}")
    eta = snapshot.get("eta_s")
    eta_text = f", ~{eta / 60:.1f} min left" if eta is not None else ""
    return f"[{snapshot['elapsed_s']:6.0f} s] {snapshot['phase']}: {'; '.join(parts)}{eta_text}"


def summary_table(record: dict) -> str:
    """The comparison table, as plain text."""
    header = (
        f"{'method':8} {'status':8} {'trainable':>12} {'%':>7} {'wall s':>7} {'samp/s':>7} "
        f"{'peak MB':>8} {'ckpt MB':>8} {'acc':>6} {'macroF1':>7} {'lr':>8}"
    )
    lines = [header]
    for m in record["methods"]:
        acc = f"{m['eval_accuracy']:.4f}" if m["eval_accuracy"] is not None else "-"
        f1 = f"{m['eval_macro_f1']:.4f}" if m["eval_macro_f1"] is not None else "-"
        lines.append(
            f"{m['method']:8} {m['status']:8} {m['trainable_params']:>12,} "
            f"{m['trainable_pct']:>6.2f}% {m['wall_s']:>7.1f} {m['samples_per_s']:>7.1f} "
            f"{m['peak_mem_mb']:>8.0f} {m['checkpoint_mb']:>8.2f} {acc:>6} {f1:>7} "
            f"{m['learning_rate']:>8.2g}"
        )
    return "\n".join(lines)


def run_command(
    config: FinetuneConfig,
    json_path: Path | None,
    quiet: bool,
    estimate: bool = True,
    default_for: str | None = None,
) -> int:
    monitor = Monitor(config.methods)
    # A headless budget covers the whole command, from the moment the process started: Python
    # start-up and the imports count against "--budget-minutes 3" as well.
    monitor.started = psutil.Process().create_time()
    outcome: dict = {}

    def work() -> None:
        try:
            if default_for:
                outcome["record"] = train_default(
                    default_for, config.budget_minutes, config.dataset, monitor
                )
            else:
                outcome["record"] = run_finetune(config, monitor, estimate=estimate)
        except PlaygroundError as err:
            outcome["error"] = str(err)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    last = 0.0
    while worker.is_alive():
        try:
            worker.join(timeout=1.0)
            if not quiet and time.time() - last > 5:
                print(_progress_line(monitor.snapshot()), flush=True)
                last = time.time()
        except KeyboardInterrupt:
            print("Stopping after the current step; finished methods are kept.", flush=True)
            monitor.request_stop()
    if "error" in outcome:
        print(f"error: {outcome['error']}", file=sys.stderr)
        return 2
    record = outcome["record"].as_dict()
    print(summary_table(record))
    if record.get("plan"):
        print("budget plan:", json.dumps(record["plan"]))
    print(f"run folder: {record['folder'] or '(not saved)'}")
    if default_for and outcome["record"].promotion:
        print(outcome["record"].promotion["message"])
    if json_path:
        files.write_json(json_path, record)
        print(f"record: {json_path}")
    return 0 if all(m["status"] != "failed" for m in record["methods"]) else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.default_for:
            dataset_given = "--dataset" in (argv if argv is not None else sys.argv)
            config = recipe_config(
                args.default_for,
                args.budget_minutes or DEFAULT_BUDGET_MINUTES,
                args.dataset if dataset_given else None,
            )
            config.check()
        else:
            config = config_from_args(args)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return run_command(
        config, args.json, args.quiet, not args.no_estimate, default_for=args.default_for
    )


if __name__ == "__main__":
    raise SystemExit(main())
