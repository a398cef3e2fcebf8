"""What every benchmark shares: the result record, the registry, process helpers."""

from __future__ import annotations

import importlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "bench.startup",
    "bench.finetune",
    "bench.classify",
    "bench.ngram_curve",
    "bench.rank",
    "bench.generate",
    "bench.prepare",
    "bench.load_faults",
    "bench.language",
)


@dataclass
class Result:
    """One measured quantity: ours, the baseline measured in the same run, and the target."""

    name: str
    unit: str
    ours: float
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}

    def line(self) -> str:
        text = f"{self.name}: ours {self.ours:.3f} {self.unit}"
        if self.baseline is not None:
            text += f", baseline {self.baseline:.3f} {self.unit}, ratio {self.ratio:.2f}"
        if self.target:
            verdict = {True: "met", False: "NOT met", None: ""}[self.met]
            text += f"  [target {self.target}: {verdict}]"
        return text + (f"  ({self.notes})" if self.notes else "")


BENCHMARKS: dict[str, Callable[..., Iterable[Result]]] = {}


def benchmark(name: str) -> Callable:
    def register(fn: Callable[..., Iterable[Result]]) -> Callable[..., Iterable[Result]]:
        BENCHMARKS[name] = fn
        return fn

    return register


def load_all() -> None:
    for module in MODULES:
        importlib.import_module(module)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment our app and its baseline both run under (offline, no telemetry)."""
    env = dict(os.environ)
    shared = ROOT.parent / "shared" / "datasets"
    if "PLAYGROUND_DATA_HOME" not in env and shared.is_dir():
        env["PLAYGROUND_DATA_HOME"] = str(shared)  # benchmarks may read the shared datasets
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found")


def start_and_wait(
    args: list[str], port: int, env: dict[str, str], timeout: float = 120.0,
    log: Path | None = None,
):  # fmt: skip
    """Start a server process; return (process, seconds until GET / answered 200). ``log``: a
    file that receives the server's stderr (its tracebacks), appended to."""
    started = time.perf_counter()
    stderr = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child holds it
    process = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - started < timeout:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return process, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited with {process.returncode}") from None
            time.sleep(0.05)
    process.kill()
    raise TimeoutError(f"{args} did not answer within {timeout} s")


def median(values: list[float]) -> float:
    return statistics.median(values)
