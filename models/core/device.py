"""Which device models run on: CUDA when present, else CPU."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from pathlib import Path

from models.core.i18n import Text


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
        return Text(
            "no PyTorch installed (pip install torch)",
            "PyTorch가 설치되어 있지 않음(pip install torch)",
        )
    cpu_build = "+cpu" in version
    driver = Path("/proc/driver/nvidia/version").exists()
    cores = os.cpu_count() or 1
    if driver and not cpu_build:
        return Text(
            "CUDA (NVIDIA driver found; torch {v})",
            "CUDA(NVIDIA 드라이버 있음, torch {v})",
            v=version,
        )
    if driver and cpu_build:
        return Text(
            "CPU, {n} cores (an NVIDIA driver is present but torch {v} is CPU-only)",
            "CPU, 코어 {n}개(NVIDIA 드라이버는 있지만 torch {v}가 CPU 전용 빌드)",
            n=cores, v=version,
        )  # fmt: skip
    return Text("CPU, {n} cores (torch {v})", "CPU, 코어 {n}개(torch {v})", n=cores, v=version)


@functools.cache
def torch_device() -> str:
    """``"cuda"`` when a CUDA GPU is usable, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def is_main_process() -> bool:
    """False on the extra ranks of a distributed (accelerate / torchrun) run: they write nothing."""
    return int(os.environ.get("RANK", "0")) == 0
