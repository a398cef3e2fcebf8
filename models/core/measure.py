"""What a method costs: peak memory while it runs, memory handed back between methods, versions."""

from __future__ import annotations

import platform
import threading


class PeakMemory:
    """Peak memory while a block runs: process RSS on CPU, allocated CUDA memory on a GPU."""

    def __init__(self, device: str, interval_s: float = 0.05) -> None:
        self.device = device
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        if self.device == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()
        else:
            import psutil

            process = psutil.Process()

            def sample() -> None:
                while not self._done.is_set():
                    self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
                    self._done.wait(self.interval_s)

            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device == "cuda":
            import torch

            self.peak_mb = torch.cuda.max_memory_allocated() / 2**20
        else:
            self._done.set()
            assert self._thread is not None
            self._thread.join()


def release_memory() -> None:
    """Return freed memory to the OS, so a method's peak RSS is its own, not an earlier one's."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the peak may include earlier methods
        return


def library_versions() -> dict[str, str]:
    """The versions a run's record keeps, so a result can be reproduced."""
    import importlib.metadata as md

    names = ("torch", "transformers", "peft", "accelerate", "scikit-learn", "sentence-transformers")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
