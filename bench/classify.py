"""Classification: the offline defaults (training time, test accuracy, zero-shot beside) and the
speed of the default sentiment model against a bare transformers ``pipeline``.

``defaults``: for each task, ``python -m models.finetune --default-for TASK`` (3-minute budget,
whole process timed), then ``models.evaluate`` on the test split the model never saw, and the
zero-shot accuracy on the same rows. ``nsmc20``: the Korean sentiment default with a 20-minute
budget, on NSMC's test file.
``inference``: single-text latency p50/p95 and the throughput on 1,000 NSMC reviews of mixed
length, ours (length-sorted batches) vs ``pipeline(..., batch_size=32)`` and the pipeline's
default (one text at a time), same model, same process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import ROOT, Result, bench_env, benchmark

# (task key, dataset, test split, quality target)
DEFAULTS = [
    ("sentiment-ko", "nsmc", "test", 0.80),
    ("sentiment-en", "vader", "test", 0.80),
    ("nli", "kornli", "test", 0.55),
    ("intent", "snips", "test", 0.95),
    ("intent", "clinc150", "test", 0.85),
]
TASK = {"sentiment-ko": "sentiment", "sentiment-en": "sentiment", "nli": "nli", "intent": "intent"}


def _run(args: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def _evaluate(task: str, dataset: str, split: str, model: str, env: dict, out: Path) -> dict:
    _run(["-m", "models.evaluate", "--task", task, "--dataset", dataset, "--split", split,
          "--model", model, "--json", str(out)], env)  # fmt: skip
    return json.loads(out.read_text())


def _train_default(
    key: str, dataset: str, minutes: float, env: dict, out: Path
) -> tuple[float, dict, str]:
    """Train a task's default headless: (seconds, record, the folder that became the default)."""
    args = ["-m", "models.finetune", "--default-for", key, "--dataset", dataset,
            "--budget-minutes", str(minutes), "--quiet", "--json", str(out)]  # fmt: skip
    seconds, _ = _run(args, env)
    record = json.loads(out.read_text())
    method = record["methods"][0]
    return seconds, record, method["merged_checkpoint"] or method["checkpoint"]


@benchmark("defaults")
def defaults(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for key, dataset, split, target in DEFAULTS:
            env = bench_env(PLAYGROUND_RUNS=str(folder / f"runs-{key}-{dataset}"))
            seconds, record, model = _train_default(
                key, dataset, 3, env, folder / f"{key}-{dataset}.json"
            )
            method = record["methods"][0]
            yield Result(
                f"default {key} on {dataset}: training time (whole command)", "s", seconds,
                target="<= 180 s", met=seconds <= 180,
                notes=f"{method['method']} on {record['config']['base']}, "
                f"{record['data']['train_rows']:,} rows, "
                f"validation acc {method['eval_accuracy']:.4f}",
            )  # fmt: skip
            task = TASK[key]
            ours = _evaluate(task, dataset, split, model, env, folder / "eval.json")
            zero = _evaluate(task, dataset, split, "zero-shot", env, folder / "zero.json")
            yield Result(
                f"default {key}: {dataset} {split} accuracy (n={ours['n']})", "accuracy",
                ours["accuracy"], zero["accuracy"], target=f">= {target}",
                met=ours["accuracy"] >= target,
                notes=f"baseline = zero-shot (embeddings); macro-F1 {ours['macro_f1']:.4f}",
            )  # fmt: skip


@benchmark("nsmc20")
def nsmc_20_minutes(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(PLAYGROUND_RUNS=str(folder / "runs-ko-20"))
        seconds, record, model = _train_default(
            "sentiment-ko", "nsmc", 20, env, folder / "ko20.json"
        )
        method = record["methods"][0]
        ours = _evaluate("sentiment", "nsmc", "test", model, env, folder / "eval20.json")
        yield Result(
            f"NSMC test accuracy with a 20-minute budget (n={ours['n']})", "accuracy",
            ours["accuracy"], target=">= 0.86", met=ours["accuracy"] >= 0.86,
            notes=f"{method['method']}; {record['plan']['train_rows']:,} rows x "
            f"{record['plan']['epochs']:g} epochs; validation acc {method['eval_accuracy']:.4f}; "
            f"command took {seconds:.0f} s",
        )  # fmt: skip


def _inference_script(model: str, texts_path: Path) -> str:
    return f"""
import json, statistics, time
import torch
from transformers import pipeline
from models.classify import classify, get_classifier
texts = json.load(open({str(texts_path)!r}))
ours = get_classifier("sentiment", {model!r})
bare = pipeline("text-classification", model={model!r}, device="cpu", truncation=True,
                max_length=128)
singles = texts[:150]
def lat(fn):
    for t in singles[:10]: fn(t)
    out = []
    for t in singles:
        s = time.perf_counter(); fn(t); out.append(time.perf_counter() - s)
    out.sort(); return out[len(out)//2], out[int(len(out)*0.95)]
res = {{}}
for _ in range(2):  # alternate, keep the better of two
    o = lat(lambda t: classify("sentiment", t, model={model!r}))
    b = lat(lambda t: bare(t))
    for name, (p50, p95) in (("ours", o), ("bare", b)):
        res[name + "_p50"] = min(res.get(name + "_p50", 9e9), p50)
        res[name + "_p95"] = min(res.get(name + "_p95", 9e9), p95)
def thr(fn):
    s = time.perf_counter(); fn(texts); return len(texts) / (time.perf_counter() - s)
res["ours_tp"] = max(thr(lambda x: ours.predict_proba(x)) for _ in range(2))
res["bare32_tp"] = max(thr(lambda x: bare(x, batch_size=32)) for _ in range(2))
res["bare1_tp"] = thr(lambda x: bare(x))
print(json.dumps(res))
"""


@benchmark("inference")
def inference(repeat: int = 1) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_env(PLAYGROUND_RUNS=str(folder / "runs"))
        _, _, model = _train_default("sentiment-ko", "nsmc", 3, env, folder / "ko.json")
        code = (
            "import json\nfrom models.datasets.registry import load_dataset\n"
            "f = load_dataset('nsmc', 'test').frame.sample(1000, random_state=0)\n"
            f"json.dump(f['text'].tolist(), open({str(folder / 'texts.json')!r}, 'w'))\n"
        )
        _run(["-c", code], env)
        _, out = _run(["-c", _inference_script(model, folder / "texts.json")], env)
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
