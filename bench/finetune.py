"""Fine-tuning on 2 CPU cores: MiniLM, SNIPS, 2,000 training rows, 1 epoch, batch 8.

1. Our engine (``python -m models.finetune``, whole process: imports, calibration for the
   estimates, training, evaluation, checkpoint) against a bare transformers ``Trainer`` script on
   the same rows and settings (``bench/bare_trainer.py``), alternating, median of ``repeat``.
2. LoRA vs full vs frozen-encoder head in one run of the engine, median per method of ``repeat``
   runs: speed, trainable share, checkpoint size, evaluation accuracy; at batch size 8 (the
   Trainer's default) and at 4. Full fine-tuning pays a fixed cost per step (AdamW, clipping and
   fresh gradients for all 22.7M weights) that LoRA does not, so LoRA's speed-up grows as the
   per-step compute shrinks: the two batch sizes show that.
   LoRA runs twice: on every layer (peft's default targets, query + value) and on the top 2 of
   MiniLM's 6 layers only. On a CPU the step is compute-bound, and LoRA on every layer still
   backpropagates through the whole encoder; on the top layers the backward pass stops below them.
Learning rates: full 1e-4, LoRA 2e-3, head 5e-3 (the engine's defaults).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import ROOT, Result, bench_env, benchmark

SETTINGS = {
    "dataset": "snips",
    "train_size": 2000,
    "eval_size": 500,
    "epochs": 1.0,
    "batch_size": 8,
    "seed": 42,
    "max_length": 128,
}
RATES = {"full": 1e-4, "lora": 2e-3, "head": 5e-3}
# LoRA on MiniLM's top 2 of 6 layers: the backward pass stops below them (see the module notes).
TOP_LAYERS = 2
TOP = f"lora-top{TOP_LAYERS}"


def _engine(
    methods: str, out: Path, env: dict, batch_size: int = 8, extra: tuple[str, ...] = ()
) -> tuple[float, dict]:
    lr = ",".join(f"{m}={RATES[m]}" for m in methods.split(","))
    args = [
        sys.executable, "-m", "models.finetune", "--task", "intent", "--dataset", "snips",
        "--base", "packaged:all-MiniLM-L6-v2", "--methods", methods,
        "--train-size", str(SETTINGS["train_size"]), "--eval-size", str(SETTINGS["eval_size"]),
        "--epochs", "1", "--batch-size", str(batch_size), "--lr", lr, "--seed", "42",
        "--max-length", "128", "--json", str(out), "--quiet", *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started, json.loads(out.read_text())


def _bare(method: str, rows: dict[str, Path], model: str, env: dict) -> tuple[float, dict]:
    args = [
        sys.executable, "bench/bare_trainer.py", "--model", model, "--train", str(rows["train"]),
        "--eval", str(rows["eval"]), "--method", method, "--lr", str(RATES[method]),
        "--batch-size", "8", "--epochs", "1", "--max-length", "128", "--seed", "42",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def _write_rows(folder: Path, env: dict) -> dict[str, Path]:
    """The exact rows the engine samples, for the bare script to read."""
    code = (
        "import json, sys\n"
        "from models.finetune.config import FinetuneConfig\n"
        "from models.finetune.data import prepare_data\n"
        f"data = prepare_data(FinetuneConfig(**{SETTINGS!r}))\n"
        "for name, frame in (('train', data.train), ('eval', data.eval)):\n"
        "    with open(sys.argv[1] + f'/{name}.jsonl', 'w') as out:\n"
        "        for row in frame[['text', 'label']].to_dict('records'):\n"
        "            out.write(json.dumps(row, ensure_ascii=False) + '\\n')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(folder)], cwd=ROOT, env=env, check=True)
    return {"train": folder / "train.jsonl", "eval": folder / "eval.jsonl"}


def _minilm_folder(env: dict) -> str:
    code = (
        "from models.sources.packaged import get_packaged, prepare\n"
        "print(prepare(get_packaged('all-MiniLM-L6-v2')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


@benchmark("finetune")
def finetune(repeat: int = 3) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(PLAYGROUND_RUNS=str(folder / "runs"))
        rows = _write_rows(folder, env)
        model = _minilm_folder(env)

        # 1. Engine vs bare Trainer, one method at a time, alternating.
        for method in ("full", "lora"):
            ours, bare, ours_acc, bare_acc = [], [], [], []
            for i in range(repeat):
                seconds, record = _engine(method, folder / f"ours-{method}-{i}.json", env)
                ours.append(seconds)
                ours_acc.append(record["methods"][0]["eval_accuracy"])
                seconds, printed = _bare(method, rows, model, env)
                bare.append(seconds)
                bare_acc.append(printed["accuracy"])
            o, b = statistics.median(ours), statistics.median(bare)
            yield Result(
                f"engine vs bare Trainer ({method}): whole process wall time",
                "s", o, b, target="ratio <= 1.10", met=o / b <= 1.10,
                notes=(
                    f"ours {[round(x, 1) for x in ours]} acc {statistics.median(ours_acc):.4f}; "
                    f"bare {[round(x, 1) for x in bare]} acc {statistics.median(bare_acc):.4f}"
                ),
            )  # fmt: skip

        # 2. LoRA vs full vs head, in one engine run each time, at two batch sizes.
        for batch_size in (8, 4):
            yield from _compare(folder, env, repeat, batch_size)


def _compare(folder: Path, env: dict, repeat: int, batch_size: int) -> Iterator[Result]:
    per_method: dict[str, list[dict]] = {}
    for i in range(repeat):
        out = folder / f"compare-{batch_size}-{i}.json"
        _, record = _engine("full,lora,head", out, env, batch_size)
        # LoRA on the top layers only: a second run (one run cannot hold two LoRA settings).
        top = ("--lora-top-layers", str(TOP_LAYERS))
        _, top_record = _engine("lora", folder / f"top-{batch_size}-{i}.json", env, batch_size, top)
        record["methods"].append({**top_record["methods"][0], "method": TOP})
        for m in record["methods"]:
            per_method.setdefault(m["method"], []).append(m)
    keys = ("wall_s", "train_s", "samples_per_s", "peak_mem_mb", "checkpoint_mb",
            "eval_accuracy", "eval_macro_f1", "trainable_pct")  # fmt: skip
    med = {
        name: {key: statistics.median(r[key] for r in results) for key in keys}
        for name, results in per_method.items()
    }
    for name, values in med.items():
        print(
            f"    bs {batch_size} {name}: " + ", ".join(f"{k} {v:.4g}" for k, v in values.items())
        )
    full = med["full"]
    for name, title in (("lora", "LoRA"), (TOP, f"LoRA, top {TOP_LAYERS} of 6 layers")):
        yield from _lora_targets(full, med[name], title, f"batch {batch_size}", med)


def _lora_targets(
    full: dict, lora: dict, title: str, tag: str, med: dict[str, dict]
) -> Iterator[Result]:
    speedup = full["wall_s"] / lora["wall_s"]
    yield Result(
        f"{title} speed-up over full, {tag} (method wall time: train + eval + save)",
        "x", speedup, target=">= 2", met=speedup >= 2,
        notes=f"train loop only: {full['train_s'] / lora['train_s']:.2f}x; "
        f"full {full['wall_s']:.1f} s, {title} {lora['wall_s']:.1f} s",
    )  # fmt: skip
    yield Result(
        f"{title} trainable parameters, {tag}", "% of total", lora["trainable_pct"],
        target="<= 2%", met=lora["trainable_pct"] <= 2,
    )  # fmt: skip
    share = lora["checkpoint_mb"] / full["checkpoint_mb"]
    yield Result(
        f"{title} checkpoint size, {tag}", "share of full", share, target="<= 1/20",
        met=share <= 0.05,
        notes=f"{title} {lora['checkpoint_mb']:.2f} MB, full {full['checkpoint_mb']:.1f} MB",
    )  # fmt: skip
    gap = 100 * (full["eval_accuracy"] - lora["eval_accuracy"])
    yield Result(
        f"{title} accuracy below full (evaluation rows), {tag}", "points", gap,
        target="<= 2", met=gap <= 2,
        notes=f"full {full['eval_accuracy']:.4f}, {title} {lora['eval_accuracy']:.4f}, "
        f"head {med['head']['eval_accuracy']:.4f}",
    )  # fmt: skip
