"""Train, follow and stop a Fine-tuning run; a run belongs to the browser that started it.

Train starts the caller's run and follows it. A page that loads while its browser's run trains
(a reload, a second tab) follows it again: the same live progress, curves and per-method lines,
and Stop works from any of them. Anyone else is told who holds the training slot and until when.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.finetune.api import start_for
from demos.finetune.form import Form
from demos.finetune.reports import run_report
from demos.finetune.results import READY, Results, runs_dropdown
from demos.finetune.texts import T, fill
from demos.jobs import follow, follow_job, stop_mine, wire_attach
from demos.report import report_file
from models.core.access import public_message, viewer
from models.core.i18n import join, localize
from models.core.jobs import Job, running_job
from models.finetune.jobs import RUN
from models.finetune.methods import method_title
from models.finetune.names import run_title


def ended_message(job: Job) -> Any:
    """How a finished run ended, by its plain name (its folder is in the details view)."""
    record = job.result.as_dict()
    word = T.stopped if record["status"] == "stopped" else T.done
    parts: list[Any] = [fill(word, name=run_title(record))]
    if job.time_limited:
        parts.append(T.time_limit)
    failed = [m for m in record["methods"] if m["status"] == "failed"]
    if failed:
        errors = [fill(T.failed, m=method_title(m["method"]), e=m["error"]) for m in failed]
        parts.append(join([" ⚠️ ", join(errors, "; ")]))
    return join(parts)


def _views(results: Results, request: gr.Request, shown_run: Any) -> dict[str, Any]:
    """What a run's follower shows at each stage, in the page's language at that moment."""
    lang = lambda: lang_of(request)  # noqa: E731  (a switch mid-run takes effect at once)
    warn = lambda message: {results.status: f"⚠️ {public_message(localize(message, lang()))}"}  # noqa: E731

    def finished(job: Job) -> dict:
        record = job.result.as_dict()
        return {
            **results.shown(record, lang()),
            results.report: report_file(run_report(record, lang()), lang()),
            results.status: public_message(localize(ended_message(job), lang())),
            results.past_runs: runs_dropdown(viewer(caller(request)), lang()),
            shown_run: record["run_id"],
        }

    return {
        "progress": lambda snapshot: results.live(snapshot, lang()),
        "finished": finished,
        "failed": warn,
        "refused": warn,
        "started": lambda job: {
            **results.cleared(),
            shown_run: None,
            results.status: localize(fill(T.started, what=job.description), lang()),
        },
    }


def wire_training(
    app: gr.Blocks, form: Form, results: Results, train: gr.Button, stop: gr.Button,
    shown_run: gr.State,
) -> None:  # fmt: skip
    """Train starts the caller's run and follows it; Stop asks it to stop; a page load follows
    the browser's run again."""
    token = gr.State(None)  # changes when a page load finds its browser's run training
    outputs = [results.status, results.estimates, results.curves, results.table, results.notes,
               results.confusion, results.past_runs, results.details, results.report,
               shown_run]  # fmt: skip

    def run(values: dict, request: gr.Request) -> Iterator[dict]:
        who = caller(request)
        views = _views(results, request, shown_run)
        mine = running_job(who.owner, [RUN])
        if mine is not None:  # pressed again, or in a second tab: show that run, not a refusal
            yield {results.status: localize(fill(T.yours, what=mine.description), lang_of(request))}
            yield from follow(mine, views["progress"], views["finished"], views["failed"])
            return
        yield from follow_job(
            lambda: start_for(form.config(values), who), views["started"], views["progress"],
            views["finished"], views["refused"], views["failed"],
        )  # fmt: skip

    def reattach(_token: Any, request: gr.Request) -> Iterator[dict]:
        job = running_job(caller(request).owner, [RUN])
        if job is None:  # (a generator that yields nothing would blank the page-load line)
            yield {results.status: gr.skip()}
            return
        views = _views(results, request, shown_run)
        yield {results.curves: None}  # a fresh plot: its colours come from its first data
        yield from follow(job, views["progress"], views["finished"], views["failed"])

    def stop_run(request: gr.Request) -> str:
        said = stop_mine(caller(request).owner, [RUN], T.nothing_yours, T.stopping)
        return localize(said, lang_of(request))

    private: dict = {"api_visibility": "private", "concurrency_limit": None}
    train.click(run, inputs={*form.components()}, outputs=outputs, **private)
    token.change(reattach, token, outputs, **private)
    stop.click(stop_run, None, results.status, api_visibility="private")
    wire_attach(app, [RUN], results.status, token, READY, T.yours)
