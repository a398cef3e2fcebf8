"""Benchmark runner: ``python -m bench [--only NAME ...] [--json OUT]``.

Each benchmark measures ours and a baseline in the same run and reports both with their ratio
and the target from the issue. Benchmarks measure; they never fail a build.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from bench.common import BENCHMARKS, Result, load_all


def main(argv: list[str] | None = None) -> int:
    load_all()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions where it applies")
    args = parser.parse_args(argv)

    results: list[Result] = []
    for name in args.only or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        for result in BENCHMARKS[name](repeat=args.repeat):
            print("  " + result.line(), flush=True)
            results.append(result)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "python": sys.version.split()[0],
            "machine": platform.platform(),
            "results": [r.as_dict() for r in results],
        }
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
