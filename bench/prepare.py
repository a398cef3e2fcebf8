"""Ready when opened: how responsive the server stays while it prepares, and how long it takes.

``prepare``: ``python app.py`` twice on an empty runs folder (the packaged conversions reused from
the cache). First with ``PLAYGROUND_PREPARE=0``: the p50 / p95 latency of ``/classify`` (Korean
sentiment, the task's default, zero-shot until trained) with the server idle. Then with the
preparation on: the same requests while it trains a default in its child process. With
``BENCH_PREPARE_FULL=1`` it then waits until every item has ended and reports each item's time
(the whole first-launch preparation: about 15 minutes on 2 cores).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import Result, bench_env, benchmark, free_port, peak_rss_mb, start_and_wait

TEXTS = ["이 영화 정말 재밌어요", "시간 낭비였다", "배우들 연기가 최고", "스토리가 너무 지루해요",
         "다시 보고 싶은 영화", "최악의 결말"]  # fmt: skip
REQUESTS = 60


def _latencies(client, n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        client.predict(text=TEXTS[i % len(TEXTS)], task="sentiment", api_name="/classify")
        times.append(time.perf_counter() - started)
    return sorted(times)


def _quantiles(times: list[float]) -> tuple[float, float]:
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def _serve(env: dict[str, str]):
    from gradio_client import Client

    port = free_port()
    process, _ = start_and_wait(["app.py", "--port", str(port)], port, env)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
    client.predict(text="warm-up", task="sentiment", api_name="/classify")
    return process, client


def _running(view: dict, prefix: str) -> dict | None:
    """The item whose key starts with ``prefix`` while it runs and has done a little."""
    return next(
        (i for i in view["items"] if i["key"].startswith(prefix) and i["state"] == "running"
         and (i["fraction"] or 0) > 0.05),
        None,
    )  # fmt: skip


def _during(client, prefix: str, n: int) -> tuple[dict | None, list[float]]:
    """Wait until an item of ``prefix`` runs, then time ``n`` requests."""
    deadline = time.monotonic() + 900
    view = client.predict(api_name="/preparation")
    while _running(view, prefix) is None and time.monotonic() < deadline and view["running"]:
        time.sleep(0.5)
        view = client.predict(api_name="/preparation")
    return _running(view, prefix), _latencies(client, n)


@benchmark("prepare")
def prepare(repeat: int = 1) -> Iterator[Result]:
    from models.core.settings import get_settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = folder / "cache"
        cache.mkdir()
        # The conversions are reused (they take a minute once); the index and defaults are not.
        (cache / "models").symlink_to(get_settings().cache_dir / "models")
        idle_env = bench_env(PLAYGROUND_RUNS=str(folder / "idle-runs"), PLAYGROUND_CACHE=str(cache),
                             PLAYGROUND_PREPARE="0")  # fmt: skip
        process, client = _serve(idle_env)
        try:
            idle = _latencies(client, REQUESTS)
        finally:
            process.terminate()
            process.wait(30)
        idle_p50, idle_p95 = _quantiles(idle)

        busy_env = {**idle_env, "PLAYGROUND_RUNS": str(folder / "runs"), "PLAYGROUND_PREPARE": "1"}
        started = time.perf_counter()
        process, client = _serve(busy_env)
        try:
            for prefix, what in (("index:", "builds the answer index"),
                                 ("default:", "trains a default")):  # fmt: skip
                item, busy = _during(client, prefix, REQUESTS)
                p50, p95 = _quantiles(busy)
                notes = (
                    f"baseline = the same server with PLAYGROUND_PREPARE=0 (p95 {idle_p95:.3f} s);"
                    f" {REQUESTS} requests during {item['title'] if item else 'nothing (ended)'}; "
                    f"p95 {p95:.3f} s"
                )
                yield Result(f"/classify p50 while the preparation {what}", "s", p50, idle_p50,
                             notes=notes)  # fmt: skip
            if os.environ.get("BENCH_PREPARE_FULL") == "1":
                yield from _until_done(client, started, process.pid)
        finally:
            process.terminate()
            process.wait(30)


def _until_done(client, started: float, pid: int) -> Iterator[Result]:
    """Poll until every item ended; report when each one did."""
    ended: dict[str, float] = {}
    view = client.predict(api_name="/preparation")
    while view["running"]:
        for item in view["items"]:
            if item["state"] not in ("waiting", "running") and item["key"] not in ended:
                ended[item["key"]] = time.perf_counter() - started
        time.sleep(2)
        view = client.predict(api_name="/preparation")
    total = time.perf_counter() - started
    for item in view["items"]:
        at = ended.get(item["key"], total)
        yield Result(f"  {item['title']}: {item['state']}, since start", "s", at,
                     notes=item["detail"][:120])  # fmt: skip
    yield Result("every item prepared (first launch, app start to the last item)", "s", total,
                 notes=f"the server's own peak RSS {peak_rss_mb(pid):.0f} MB")  # fmt: skip
