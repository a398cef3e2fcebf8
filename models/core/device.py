"""Which device models run on: CUDA when present, else CPU."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from pathlib import Path


def _torch_version() -> str | None:
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def cuda_present() -> bool:
    """Whether a CUDA GPU is likely usable, without importing torch (for building the UI)."""
    version = _torch_version()
    if version is None or "+cpu" in version:
        return False
    if "torch" in sys.modules:  # already paid for: ask torch itself
        return torch_device() == "cuda"
    return Path("/proc/driver/nvidia/version").exists()


def describe_device() -> str:
    """A one-line description for the UI, without importing torch (start-up must stay fast)."""
    version = _torch_version()
    if version is None:
        return "no PyTorch installed (pip install torch)"
    cpu_build = "+cpu" in version
    driver = Path("/proc/driver/nvidia/version").exists()
    cores = os.cpu_count() or 1
    if driver and not cpu_build:
        return f"CUDA (NVIDIA driver found; torch {version})"
    if driver and cpu_build:
        return f"CPU, {cores} cores (an NVIDIA driver is present but torch {version} is CPU-only)"
    return f"CPU, {cores} cores (torch {version})"


@functools.cache
def torch_device() -> str:
    """``"cuda"`` when a CUDA GPU is usable, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def is_main_process() -> bool:
    """False on the extra ranks of a distributed (accelerate / torchrun) run: they write nothing."""
    return int(os.environ.get("RANK", "0")) == 0
