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
