"""The character n-grams' learning curve on NSMC: validation accuracy, fit time and peak memory.

``nsmc-curve``: the recipe's n-grams (``models.classify.ngram.fit_ngram``) fitted on nested
random subsets of NSMC's training split, from 1,125 reviews to all of them (135,000 with upstream's
file), each scored on the same validation reviews (never the test file). Each fit runs in a
fresh process so its peak RSS is its own. ``BENCH_CURVE_SIZES=1125,4500`` picks the sizes and
``BENCH_CURVE_VALIDATION`` how many validation reviews judge (default: all).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.classify import _run
from bench.common import Result, bench_env, benchmark

SIZES = (1_125, 2_250, 4_500, 9_000, 18_000, 36_000, 72_000, 0)  # 0 = every training review

_FIT = """
import json, resource, sys, time
from models.classify.ngram import fit_ngram
from models.datasets.registry import load_dataset
size, n_validation = int(sys.argv[1]), int(sys.argv[2])
train = load_dataset("nsmc", "train").frame
if size:
    train = train.sample(n=min(size, len(train)), random_state=0)
valid = load_dataset("nsmc", "validation").frame
if n_validation:
    valid = valid.sample(n=min(n_validation, len(valid)), random_state=1)
labels = sorted(set(train["label"]))
start = time.perf_counter()
model = fit_ngram(train["text"].tolist(), labels, train["label"].tolist())
fit_s = time.perf_counter() - start
probs = model.predict_proba(valid["text"].tolist())
predicted = [labels[i] for i in probs.argmax(1)]
accuracy = sum(p == t for p, t in zip(predicted, valid["label"])) / len(valid)
print(json.dumps({"rows": len(train), "validation": len(valid), "accuracy": accuracy,
                  "fit_s": fit_s, "features": len(model.vocabulary),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@benchmark("nsmc-curve")
def nsmc_curve(repeat: int = 1) -> Iterator[Result]:
    picked = os.environ.get("BENCH_CURVE_SIZES")
    sizes = [int(s) for s in picked.split(",")] if picked else list(SIZES)
    n_validation = int(os.environ.get("BENCH_CURVE_VALIDATION", "0"))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "fit.py"
        script.write_text(_FIT)
        for size in sizes:
            _, out = _run([str(script), str(size), str(n_validation)], bench_env())
            point = json.loads(out.strip().splitlines()[-1])
            yield Result(
                f"n-grams on {point['rows']:,} NSMC reviews: validation accuracy", "accuracy",
                point["accuracy"],
                notes=f"{point['validation']:,} validation reviews; fit {point['fit_s']:.1f} s; "
                f"{point['features']:,} n-grams; peak RSS {point['peak_mb']:.0f} MB",
            )  # fmt: skip
