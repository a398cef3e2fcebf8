"""One shape for progress callbacks: ``progress(done, total, message)``.

``done`` and ``total`` are in whatever unit fits the work (rows, batches, layers, or a fraction
of 1 with ``total=1``); ``message`` says what is happening, or is empty. Long work takes a
``Progress`` and calls it as it goes; the UI turns it into a progress bar, the command line into
log lines, tests into a list.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, float, str], None]


def silent(done: float, total: float, message: str = "") -> None:
    """The progress callback for callers that do not watch."""


def share(done: float, total: float) -> float:
    """``done / total`` clipped to [0, 1] (0 when the total is unknown)."""
    return min(max(done / total, 0.0), 1.0) if total else 0.0


def scaled(progress: Progress, start: float, end: float) -> Progress:
    """A callback that reports its own 0..total as ``start..end`` of ``progress``'s 0..1."""

    def report(done: float, total: float, message: str = "") -> None:
        progress(start + (end - start) * share(done, total), 1.0, message)

    return report
