"""Classification: the offline defaults (training time, test accuracy, zero-shot beside) and the
speed of the default sentiment model against a bare transformers ``pipeline``.

``defaults``: for each task, ``python -m models.finetune --default-for TASK`` (3-minute budget,
whole process timed), then ``models.classify.evaluate`` on the test split the model never saw, and
the zero-shot accuracy on the same rows (``BENCH_DEFAULTS=sentiment-ko,intent`` picks task keys).
``nsmc20``: the Korean sentiment default with a 20-minute budget, on NSMC's test file.
``inference``: single-text latency p50/p95 and the throughput on 1,000 NSMC reviews of mixed
length, ours (length-sorted batches) vs ``pipeline(..., batch_size=32)`` and the pipeline's
default (one text at a time), same model, same process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import ROOT, Result, bench_env, benchmark
from models.finetune.methods import METHODS
from models.finetune.recipes import default_result
from models.finetune.runs import RunRecord
from models.sources.task_models import task_models

# (task key, dataset, test split, quality target)
DEFAULTS = [
    ("sentiment-ko", "nsmc", "test", 0.80),
    ("sentiment-en", "vader", "test", 0.80),
    ("nli", "kornli", "test", 0.55),
    ("intent", "snips", "test", 0.95),
    ("intent", "clinc150", "test", 0.85),
]


def _run(args: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def _evaluate(task: str, dataset: str, split: str, model: str, env: dict, out: Path) -> dict:
    _run(["-m", "models.classify.evaluate", "--task", task, "--dataset", dataset, "--split", split,
          "--model", model, "--json", str(out)], env)  # fmt: skip
    return json.loads(out.read_text())


def _registered(record: dict) -> dict:
    """The method result that became the default (the ensemble when a recipe has one)."""
    return default_result(RunRecord.from_dict(record)).__dict__


def _peak_mb(record: dict) -> float:
    """The run's peak memory: the largest of its methods' (process RSS on CPU)."""
    return max((m.get("peak_mem_mb") or 0.0) for m in record["methods"])


def _members(record: dict) -> str:
    """Each method's validation accuracy (and an ensemble's weights), for the notes."""

    def weights(method: dict) -> str:
        chosen = (method.get("fit") or {}).get("weights") or []
        return f" (weights {', '.join(f'{w:g}' for w in chosen)})" if len(set(chosen)) > 1 else ""

    return ", ".join(
        f"{m['method']} {m['eval_accuracy']:.4f}{weights(m)}"
        for m in record["methods"]
        if m["eval_accuracy"] is not None
    )


def _train_default(
    key: str, dataset: str, minutes: float, env: dict, out: Path
) -> tuple[float, dict, str]:
    """Train a task's default headless: (seconds, record, the folder that became the default)."""
    args = ["-m", "models.finetune", "--default-for", key, "--dataset", dataset,
            "--budget-minutes", str(minutes), "--quiet", "--json", str(out)]  # fmt: skip
    seconds, _ = _run(args, env)
    record = json.loads(out.read_text())
    method = _registered(record)
    return seconds, record, method["merged_checkpoint"] or method["checkpoint"]


def _members_alone(
    record: dict, task: str, dataset: str, split: str, env: dict, folder: Path
) -> Iterator[Result]:
    """Each member of an ensemble default on its own, on the same test split."""
    if _registered(record)["method"] != "ensemble":
        return
    for member in record["methods"]:
        if member["method"] == "ensemble" or member["status"] != "done":
            continue
        path = member["merged_checkpoint"] or member["checkpoint"]
        alone = _evaluate(task, dataset, split, path, env, folder / "member.json")
        yield Result(
            f"  member {member['method']} alone: {dataset} {split} accuracy", "accuracy",
            alone["accuracy"], notes="for comparison with the ensemble above",
        )  # fmt: skip


@benchmark("defaults")
def defaults(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        picked = {k for k in os.environ.get("BENCH_DEFAULTS", "").split(",") if k}
        for key, dataset, split, target in DEFAULTS:
            if picked and key not in picked:
                continue
            env = bench_env(PLAYGROUND_RUNS=str(folder / f"runs-{key}-{dataset}"))
            seconds, record, model = _train_default(
                key, dataset, 3, env, folder / f"{key}-{dataset}.json"
            )
            method = _registered(record)
            yield Result(
                f"default {key} on {dataset}: training time (whole command)", "s", seconds,
                target="<= 180 s", met=seconds <= 180,
                notes=f"{method['method']} on {record['config']['base']}, "
                f"{record['data']['train_rows']:,} rows; validation acc {_members(record)}; "
                f"peak RSS {_peak_mb(record):,.0f} MB",
            )  # fmt: skip
            task = task_models()[key].task
            ours = _evaluate(task, dataset, split, model, env, folder / "eval.json")
            zero = _evaluate(task, dataset, split, "zero-shot", env, folder / "zero.json")
            yield Result(
                f"default {key}: {dataset} {split} accuracy (n={ours['n']})", "accuracy",
                ours["accuracy"], zero["accuracy"], target=f">= {target}",
                met=ours["accuracy"] >= target,
                notes=f"baseline = zero-shot (embeddings); macro-F1 {ours['macro_f1']:.4f}",
            )  # fmt: skip
            yield from _members_alone(record, task, dataset, split, env, folder)


@benchmark("nsmc20")
def nsmc_20_minutes(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(PLAYGROUND_RUNS=str(folder / "runs-ko-20"))
        seconds, record, model = _train_default(
            "sentiment-ko", "nsmc", 20, env, folder / "ko20.json"
        )
        method = _registered(record)
        ours = _evaluate("sentiment", "nsmc", "test", model, env, folder / "eval20.json")
        yield Result(
            f"NSMC test accuracy with a 20-minute budget (n={ours['n']})", "accuracy",
            ours["accuracy"], target=">= 0.86", met=ours["accuracy"] >= 0.86,
            notes=f"{method['method']}; {record['plan']['train_rows']:,} rows x "
            f"{record['plan']['epochs']:g} epochs; validation acc {_members(record)}; "
            f"command took {seconds:.0f} s; peak RSS {_peak_mb(record):,.0f} MB",
        )  # fmt: skip
        yield from _members_alone(record, "sentiment", "nsmc", "test", env, folder)


def _inference_script(model: str, texts_path: Path, default: str) -> str:
    return f"""
import json, statistics, time
import torch
from transformers import pipeline
from models.classify.loaders import get_classifier
from models.classify.predict import classify
texts = json.load(open({str(texts_path)!r}))
ours = get_classifier("sentiment", {model!r})
bare = pipeline("text-classification", model={model!r}, device="cpu", truncation=True,
                max_length=128)
singles = texts[:150]
def lat(fns):
    # p50/p95 per function; calls interleave text by text, so drift hits all of them alike
    for t in singles[:10]:
        for fn in fns: fn(t)
    out = [[] for _ in fns]
    for i, t in enumerate(singles):
        order = list(range(len(fns)))
        if i % 2: order.reverse()
        for k in order:
            s = time.perf_counter(); fns[k](t); out[k].append(time.perf_counter() - s)
    return [(sorted(o)[len(o)//2], sorted(o)[int(len(o)*0.95)]) for o in out]
res = {{}}
default = get_classifier("sentiment", {default!r})
for _ in range(2):  # keep the better of two passes
    o, b, d = lat([
        lambda t: classify("sentiment", t, model={model!r}),
        lambda t: bare(t),
        lambda t: classify("sentiment", t, model={default!r}),
    ])
    for name, (p50, p95) in (("ours", o), ("bare", b), ("default", d)):
        res[name + "_p50"] = min(res.get(name + "_p50", 9e9), p50)
        res[name + "_p95"] = min(res.get(name + "_p95", 9e9), p95)
def thr(fn):
    s = time.perf_counter(); fn(texts); return len(texts) / (time.perf_counter() - s)
res["ours_tp"] = max(thr(lambda x: ours.predict_proba(x)) for _ in range(2))
res["bare32_tp"] = max(thr(lambda x: bare(x, batch_size=32)) for _ in range(2))
res["bare1_tp"] = thr(lambda x: bare(x))
res["default_tp"] = max(thr(lambda x: default.predict_proba(x)) for _ in range(2))
print(json.dumps(res))
"""


def _pipeline_checkpoint(record: dict) -> str:
    """The member a bare ``pipeline`` can load: a transformers model, or LoRA's merged copy."""
    for member in record["methods"]:
        if member["merged_checkpoint"]:
            return member["merged_checkpoint"]
        method = METHODS.get(member["method"])  # the ensemble is not a method
        if method is not None and method.checkpoint == "transformers" and member["checkpoint"]:
            return member["checkpoint"]
    raise RuntimeError("the default has no member a transformers pipeline can load")


@benchmark("inference")
def inference(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(PLAYGROUND_RUNS=str(folder / "runs"))
        _, record, default = _train_default("sentiment-ko", "nsmc", 3, env, folder / "ko.json")
        model = _pipeline_checkpoint(record)
        code = (
            "import json\nfrom models.datasets.registry import load_dataset\n"
            "f = load_dataset('nsmc', 'test').frame.sample(1000, random_state=0)\n"
            f"json.dump(f['text'].tolist(), open({str(folder / 'texts.json')!r}, 'w'))\n"
        )
        _run(["-c", code], env)
        script = _inference_script(model, folder / "texts.json", default)
        _, out = _run(["-c", script], env)
        r = json.loads(out.strip().splitlines()[-1])
        for q in ("p50", "p95"):
            ours, bare = r[f"ours_{q}"] * 1000, r[f"bare_{q}"] * 1000
            yield Result(
                f"single-text latency {q} (default sentiment model)", "ms", ours, bare,
                target="ratio <= 1.1", met=ours / bare <= 1.1,
            )  # fmt: skip
        yield Result(
            "throughput on 1,000 mixed-length NSMC reviews", "texts/s",
            r["ours_tp"], r["bare32_tp"],
            target=">= 1.5x the pipeline", met=r["ours_tp"] / r["bare32_tp"] >= 1.5,
            notes=f"baseline = pipeline(batch_size=32); pipeline default (batch 1): "
            f"{r['bare1_tp']:.1f} texts/s, ours {r['ours_tp'] / r['bare1_tp']:.1f}x that",
        )  # fmt: skip
        if default != model:
            # The registered default is an ensemble: it also runs its other members per text.
            kind = _registered(record)["method"]
            for q in ("p50", "p95"):
                ours, bare = r[f"default_{q}"] * 1000, r[f"bare_{q}"] * 1000
                yield Result(
                    f"  the default itself ({kind}), single-text latency {q}", "ms", ours, bare,
                    target="ratio <= 1.1", met=ours / bare <= 1.1,
                    notes="baseline = the pipeline on its transformers member",
                )  # fmt: skip
            yield Result(
                f"  the default itself ({kind}), throughput", "texts/s", r["default_tp"],
                r["bare32_tp"], target=">= 1.5x the pipeline",
                met=r["default_tp"] / r["bare32_tp"] >= 1.5,
            )  # fmt: skip
