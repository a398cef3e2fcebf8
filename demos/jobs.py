"""Follow a background job from a Gradio event: start it, poll its monitor, show how it ended.

A job belongs to whoever started it (their browser, ``demos.access.caller(request).owner``), not
to the page: ``models.core.jobs.running_job`` finds it again. So a page that loads while its
browser's run trains follows it again (``attached``: live progress, and Stop works), and a page
whose browser has nothing running says who holds the training slot and until when. Closing the
page leaves the run going (the slot is released when it ends). Each tab says what to show at each
stage; the polling loop is the same everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.i18n import on_load, on_switch
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.jobs import TRAINING_SLOT, Job, TrainingSlot, running_job, stop_owned

POLL_S = 1.0
Updates = dict[Any, Any]  # component -> new value or gr.update(...)
NO_RESULT = Text("The job ended without a result.", "작업이 결과 없이 끝났습니다.")


def follow(
    job: Job,
    progress: Callable[[dict], Updates],
    finished: Callable[[Job], Updates],
    failed: Callable[[Any], Updates],
    poll_s: float = POLL_S,
) -> Iterator[Updates]:
    """Yield ``job``'s progress every ``poll_s`` (time left smoothed), then how it ended."""
    while job.running:
        job.wait(poll_s)
        yield progress(job.snapshot())
    if job.error or job.result is None:
        yield failed(job.error or NO_RESULT)
        return
    yield finished(job)


def follow_job(
    start: Callable[[], Job],
    started: Callable[[Job], Updates],
    progress: Callable[[dict], Updates],
    finished: Callable[[Job], Updates],
    refused: Callable[[Any], Updates],
    failed: Callable[[Any], Updates] | None = None,
    poll_s: float = POLL_S,
) -> Iterator[Updates]:
    """Yield the updates of a job's life: started, progress every ``poll_s``, then the end.

    Args:
        start: checks the settings and starts the job (a PlaygroundError refuses it).
        started: what to show once it runs.
        progress: what to show for a monitor snapshot.
        finished: what to show when it ended with a result.
        refused: what to show when it could not start, given the reason (a ``Text`` when the
            error carried one; ``str`` of it is the English).
        failed: what to show when it ended with an error (default: ``refused``).
    """
    try:
        job = start()
    except PlaygroundError as err:
        yield refused(error_text(err))
        return
    yield started(job)
    yield from follow(job, progress, finished, failed or refused, poll_s)


def stop_job(job: Job | None, nothing: str, stopping: str) -> str:
    """Ask the session's job to stop; returns what to tell the user."""
    if job is None or not job.running:
        return nothing
    job.stop()
    return stopping


def stop_mine(owner: str, kinds: Iterable[str], nothing: Any, stopping: Any) -> Any:
    """Ask ``owner``'s running job of one of ``kinds`` to stop, from any page of their browser."""
    return stopping if stop_owned(owner, kinds) is not None else nothing


@dataclass(frozen=True)
class Attached:
    """What a page finds when it loads: its browser's running job, else who holds the slot."""

    job: Job | None
    busy: Text | None  # the slot's holder and its expected end, when someone else trains


def attached(owner: str, kinds: Iterable[str], slot: TrainingSlot = TRAINING_SLOT) -> Attached:
    """``owner``'s running job of one of ``kinds`` (to follow and stop), else the busy slot's
    description when another run holds it, else nothing."""
    job = running_job(owner, kinds)
    if job is not None:
        return Attached(job, None)
    return Attached(None, slot.busy_message())


def page_line(
    owner: str,
    kinds: Iterable[str],
    lang: str,
    ready: Text,
    yours: Text,
    say_busy: bool = True,
    slot: TrainingSlot = TRAINING_SLOT,
) -> tuple[str, Job | None]:
    """What a view says when its page loads, and the job it should follow (None: none).

    The browser's own running job: ``yours`` (with its ``what``); else, when someone else holds
    the training slot, who and until when (unless ``say_busy`` is False); else ``ready``.
    """
    found = attached(owner, kinds, slot)
    if found.job is not None:
        return localize(Text(yours.en, yours.ko, what=found.job.description), lang), found.job
    busy = found.busy if say_busy else None
    # Public: the run may be the operator's, named by a folder on the server.
    return (f"ℹ️ {public_message(localize(busy, lang))}" if busy else localize(ready, lang)), None


def wire_attach(
    app: gr.Blocks,
    kinds: Iterable[str],
    status: gr.Markdown,
    token: gr.State,
    ready: Text,
    yours: Text,
    shown: Callable[[bool], Updates] = lambda running: {},
    say_busy: bool = True,
) -> None:
    """On page load, say what this view's slot holds (``page_line``); when it is the browser's
    own run, ``token`` changes so the view's follower starts. ``shown(running)`` adds updates,
    e.g. a Stop button's visibility. After a language switch, ``ready`` is said again in the new
    language."""
    kinds = list(kinds)
    extra = list(shown(False))

    def on_page(request: gr.Request) -> Updates:
        line, job = page_line(
            caller(request).owner, kinds, lang_of(request), ready, yours, say_busy
        )
        if job is None:
            return {status: line, **shown(False)}
        return {status: line, token: time.time(), **shown(True)}

    def relabel(current: str | None, request: gr.Request) -> Any:
        # Only the idle line: a run's own lines are re-rendered by its follower every second.
        return localize(ready, lang_of(request)) if current in (ready.en, ready.ko) else gr.update()

    on_load(app, on_page, outputs=[status, token, *extra], again_on_switch=False)
    if ready.en:  # (an empty idle line has nothing to re-render; at load on_page writes it)
        on_switch(app, relabel, inputs=status, outputs=status)
