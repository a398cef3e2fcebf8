"""Past runs: listed by plain names, shown again with every setting they used.

"Show this run" (also the ``/finetune_run`` endpoint) shows a run's comparison; on the page it
then puts every control of the form back to that run's configuration, so pressing Train again
trains exactly that run.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import browser_of, lang_of
from demos.finetune.api import read_run
from demos.finetune.form import DataSettings, Form
from demos.finetune.reports import run_report
from demos.finetune.results import Results, details_markdown, runs_dropdown
from demos.finetune.texts import T, fill
from demos.report import report_file
from models.core.access import public_message, viewer
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, join, localize
from models.datasets.registry import list_datasets, load_dataset
from models.finetune.names import run_title
from models.finetune.report import status_word


def task_datasets(task: str) -> list[str]:
    """The registered datasets for a task, then an upload (a custom task has only uploads)."""
    return [spec.name for spec in list_datasets(task=task)] + ["upload"]


def dataset_info(dataset: str) -> tuple[Text, int, int]:
    """One line about the dataset, and its training / validation row counts (cheap: cached)."""
    train = load_dataset(dataset, "train")
    validation = load_dataset(dataset, "validation")
    text = fill(T.validation, about=train.describe(), n=len(validation.frame))
    return text, len(train.frame), len(validation.frame)


def shown_line(record: dict) -> Any:
    """The status line of a run shown again: its plain name, how it ended, its rows and seed."""
    line = fill(
        T.shown_run, name=run_title(record), status=status_word(record["status"]),
        rows=record["data"]["train_rows"], seed=record["seed"],
    )  # fmt: skip
    return join([line, T.upload_again]) if record["config"].get("dataset") == "upload" else line


def form_of_run(form: Form, data: DataSettings, record: dict, lang: str) -> dict:
    """Every control of the form set to ``record``'s configuration, and the line about its data."""
    config = record["config"]
    dataset = config.get("dataset", "")
    rows, line = (0, 0), T.upload_first
    if dataset != "upload":
        with contextlib.suppress(PlaygroundError):  # a dataset gone since: the run still shows
            line, *counts = dataset_info(dataset)
            rows = (counts[0], counts[1])
    filled = form.filled(config, task_datasets(config.get("task", "intent")), lang, rows)
    return {**filled, data.info: localize(line, lang),
            data.upload_group: gr.update(visible=dataset == "upload")}  # fmt: skip


def wire_past_runs(form: Form, data: DataSettings, results: Results, shown_run: gr.State) -> None:
    """Past runs can be listed again and shown (also the ``/finetune_run`` endpoint)."""

    def show(run_id: str | None, request: gr.Request) -> Iterator[dict]:
        lang = lang_of(request)
        try:
            record = read_run(run_id, caller(request)).as_dict()
        except PlaygroundError as err:
            yield {results.status: f"⚠️ {localize(error_text(err), lang)}", shown_run: None}
            return
        yield {results.curves: None}  # a fresh plot for this run's methods
        shown = results.shown(record, lang)
        del shown[results.details]  # the endpoint's outputs are the five it always had
        line = localize(shown_line(record), lang)
        if browser_of(request) is None:  # an API client works with ids: it is told which
            line = f"Run `{record['run_id']}`: {line}"
        yield {**shown, results.status: public_message(line), shown_run: record["run_id"]}

    def fill_form(run_id: str | None, request: gr.Request) -> dict:
        if not run_id:
            return {}
        record = read_run(run_id, caller(request)).as_dict()
        lang = lang_of(request)
        shown = {
            results.details: public_message(details_markdown(record)),
            results.estimates: gr.update(visible=False),  # a past run's are in its table
            results.report: report_file(run_report(record, lang), lang),
        }
        try:
            return {**form_of_run(form, data, record, lang), **shown}
        except PlaygroundError:  # a record of another version: its results show, not its form
            logging.getLogger(__name__).warning("run %s: settings not restored", run_id)
            return shown

    def listed(request: gr.Request) -> Any:
        return runs_dropdown(viewer(caller(request)), lang_of(request))

    results.refresh_runs.click(listed, outputs=results.past_runs, api_visibility="private")
    outputs = [results.status, results.table, results.curves, results.notes, results.confusion]
    filled = [*form.components(), results.details, results.estimates, data.info,
              data.upload_group, results.report]  # fmt: skip
    filled.remove(form.upload)  # a past run's file is gone: the upload keeps what it holds
    filled.remove(form.upload_error)
    results.show_run.click(
        show, results.past_runs, [*outputs, shown_run], api_name="finetune_run"
    ).then(fill_form, shown_run, filled, api_visibility="private")
