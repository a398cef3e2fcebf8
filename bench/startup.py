"""Start-up time and idle memory of ``python app.py`` against a bare 4-tab ``gr.Blocks`` app."""

from __future__ import annotations

import time
from collections.abc import Iterator

from bench.common import (
    Result,
    bench_env,
    benchmark,
    free_port,
    median,
    peak_rss_mb,
    start_and_wait,
)

BARE_APP = "bench/bare_app.py"


def _measure(script: str) -> tuple[float, float]:
    port = free_port()
    process, seconds = start_and_wait([script, "--port", str(port)], port, bench_env())
    time.sleep(2)  # let it settle: what an idle app holds, not a start-up transient
    try:
        rss = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return seconds, rss


@benchmark("startup")
def startup(repeat: int = 3) -> Iterator[Result]:
    ours_s, base_s, ours_mb, base_mb = [], [], [], []
    for _ in range(max(repeat, 1)):
        # Alternate so that disk-cache warm-up does not favour one side.
        seconds, rss = _measure("app.py")
        ours_s.append(seconds)
        ours_mb.append(rss)
        seconds, rss = _measure(BARE_APP)
        base_s.append(seconds)
        base_mb.append(rss)
    ours, base = median(ours_s), median(base_s)
    yield Result(
        "startup: python app.py to HTTP 200 on /",
        "s",
        ours,
        base,
        target="ratio <= 1.3",
        met=ours / base <= 1.3,
        notes=f"median of {len(ours_s)}; ours {ours_s}, bare {base_s}",
    )
    yield Result(
        "idle app peak RSS",
        "MB",
        max(ours_mb),
        max(base_mb),
        target="< 400 MB",
        met=max(ours_mb) < 400,
    )
