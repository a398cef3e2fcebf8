"""Follow a background job from a Gradio event: start it, poll its monitor, show how it ended.

The job lives in the user's ``gr.State``; closing the page leaves it running (the server's
training slot is released when it ends). Each tab says what to show at each stage; the polling
loop is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from models.core.errors import PlaygroundError
from models.core.jobs import Job

POLL_S = 1.0
Updates = dict[Any, Any]  # component -> new value or gr.update(...)


def follow_job(
    start: Callable[[], Job],
    started: Callable[[Job], Updates],
    progress: Callable[[dict], Updates],
    finished: Callable[[Job], Updates],
    refused: Callable[[str], Updates],
    failed: Callable[[str], Updates] | None = None,
    poll_s: float = POLL_S,
) -> Iterator[Updates]:
    """Yield the updates of a job's life: started, progress every ``poll_s``, then the end.

    Args:
        start: checks the settings and starts the job (a PlaygroundError refuses it).
        started: what to show once it runs (store the job in the session state here).
        progress: what to show for a monitor snapshot.
        finished: what to show when it ended with a result.
        refused: what to show when it could not start (the session's job is left alone).
        failed: what to show when it ended with an error (default: ``refused``).
    """
    try:
        job = start()
    except PlaygroundError as err:
        yield refused(str(err))
        return
    yield started(job)
    while job.running:
        job.wait(poll_s)
        yield progress(job.monitor.snapshot())
    if job.error or job.result is None:
        yield (failed or refused)(job.error or "The job ended without a result.")
        return
    yield finished(job)


def stop_job(job: Job | None, nothing: str, stopping: str) -> str:
    """Ask the session's job to stop; returns what to tell the user."""
    if job is None or not job.running:
        return nothing
    job.stop()
    return stopping
