"""The Fine-tuning tab: LoRA vs full (and more) trained live on the same rows, then compared.

A thin UI over ``models.finetune``: the settings (``form``) become a ``FinetuneConfig``; training
runs in a background job (one per server) that belongs to the browser that started it and that
the page follows for progress and loss curves (``training``, ``results``); ``past`` lists and
shows earlier runs; ``sweep`` is the batch size x learning rate grid; ``api`` the endpoints.
Every text is in Korean and English (``texts``).
"""

from __future__ import annotations

import contextlib
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.finetune.api import finetune_api, read_run, stop_api
from demos.finetune.form import (
    INITIAL_EVAL_ROWS,
    INITIAL_TRAIN_ROWS,
    DataSettings,
    Form,
    base_for,
    create_data_settings,
    create_form,
    dataset_choices,
    offered_methods,
)
from demos.finetune.past import dataset_info, task_datasets, wire_past_runs
from demos.finetune.results import READY, Results, create_results, runs_dropdown
from demos.finetune.sweep import create_sweep
from demos.finetune.texts import T, fill
from demos.finetune.training import wire_training
from demos.i18n import on_load, on_switch
from demos.widgets import column_dropdowns, read_upload
from models.core.access import viewer
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, join, localize
from models.core.tasks import TRAINABLE_TASKS
from models.datasets.registry import get_spec
from models.finetune.methods import METHODS, available_methods


def my_runs(request: gr.Request) -> Any:
    """The past-runs dropdown as this caller may see it (hosted: their runs and the operators')."""
    return runs_dropdown(viewer(caller(request)), lang_of(request))


def _cleared_warning(current_status: str | None, lang: str) -> Any:
    """A warning about the previous data or columns no longer applies once they change."""
    return localize(READY, lang) if (current_status or "").startswith("⚠️") else gr.update()


def create_finetune_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events; it fills its dataset line and past runs on page load."""
    reasons = available_methods()
    hidden = [
        Text("{m} ({r})", "{m}({r})", m=METHODS[n].title, r=r) for n, r in reasons.items() if r
    ]
    gr.Markdown(
        join([T.intro, fill(T.not_offered, what=join(hidden, "; "))]) if hidden else T.intro
    )
    with gr.Row():
        with gr.Column(scale=2):
            data = create_data_settings(list(TRAINABLE_TASKS), task_datasets("intent"))
            form = create_form(data)
            with gr.Row():
                train_button = gr.Button(T.train, variant="primary", elem_id="ft-train")
                stop_button = gr.Button(T.stop, variant="stop", elem_id="ft-stop")
        with gr.Column(scale=3):
            results = create_results()
    create_sweep(app, form, offered_methods())
    _wire_data(app, data, form, results)
    shown_run = gr.State(None)  # the id of the run whose comparison is on screen
    wire_training(app, form, results, train_button, stop_button, shown_run)
    wire_past_runs(form, data, results, shown_run)
    on_load(app, my_runs, outputs=results.past_runs)

    def redraw(run_id: str | None, request: gr.Request) -> dict:
        """The comparison on screen, in the language just chosen (read again from its record)."""
        if not run_id:
            return {results.table: gr.skip()}
        try:
            record = read_run(run_id, caller(request)).as_dict()
        except PlaygroundError:  # deleted meanwhile: what is on screen stays
            return {results.table: gr.skip()}
        return results.shown(record, lang_of(request))

    shown = [results.table, results.curves, results.notes, results.confusion, results.details]
    on_switch(app, redraw, shown_run, shown)
    gr.api(finetune_api, api_name="finetune", concurrency_limit=None)
    gr.api(stop_api, api_name="stop")


def _wire_data(app: gr.Blocks, data: DataSettings, form: Form, results: Results) -> None:
    """Task -> datasets; dataset -> its line, row limits and base; upload -> its columns.

    Wired to what a person does (``input``), not to every change: showing a past run sets the
    task and the dataset itself, and must not reset the sizes it just put back.
    """

    def on_dataset(dataset: str, current_status: str | None, request: gr.Request) -> dict:
        lang = lang_of(request)
        cleared = {results.status: _cleared_warning(current_status, lang)}
        if dataset == "upload":
            return {**cleared, data.upload_group: gr.update(visible=True),
                    data.info: localize(T.upload_first, lang)}  # fmt: skip
        try:
            text, n_train, n_eval = dataset_info(dataset)
        except PlaygroundError as err:
            return {**cleared, data.info: f"⚠️ {localize(error_text(err), lang)}",
                    data.upload_group: gr.update(visible=False)}  # fmt: skip
        return {
            **cleared,
            data.upload_group: gr.update(visible=False),
            data.info: localize(text, lang),
            form.train_size: gr.update(
                maximum=max(n_train, 3), value=min(INITIAL_TRAIN_ROWS, n_train)
            ),
            form.eval_size: gr.update(maximum=max(n_eval, 2), value=min(INITIAL_EVAL_ROWS, n_eval)),
            form.base: gr.update(value=base_for(get_spec(dataset).language)),
        }

    def on_upload(path: str | None, current_status: str | None, request: gr.Request) -> dict:
        lang = lang_of(request)
        cleared = {results.status: _cleared_warning(current_status, lang)}
        if not path:
            return {**cleared, data.info: localize(T.upload_first, lang), data.upload_error: None}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            # Kept: Train says this, not "choose the text column" of a file it could not read.
            return {**cleared, data.info: f"⚠️ {localize(error_text(err), lang)}",
                    data.upload_error: error_text(err)}  # fmt: skip
        n = preview.rows
        columns = (data.text_column, data.pair_column, data.label_column)
        return {
            **cleared,
            data.info: localize(preview.describe(), lang),
            data.upload_error: None,
            **dict(zip(columns, column_dropdowns(preview), strict=True)),
            # A slider's maximum must exceed its minimum (2 and 1), however small the file.
            form.train_size: gr.update(maximum=max(n, 3), value=max(2, n * 3 // 4)),
            form.eval_size: gr.update(maximum=max(n // 2, 2), value=max(1, n // 4)),
        }

    def on_task(task: str, request: gr.Request) -> Any:
        choices = task_datasets(task)
        return gr.update(choices=dataset_choices(choices, lang_of(request)), value=choices[0])

    def relabel(
        task: str, dataset: str, path: str | None, info: str | None, request: gr.Request
    ) -> dict:
        """The dataset choices and its line in the page's language (after a switch too; on a
        page load the line is still empty and ``on_dataset`` writes it)."""
        lang = lang_of(request)
        choices = task_datasets(task)
        value = dataset if dataset in choices else choices[0]
        updates = {data.dataset: gr.update(choices=dataset_choices(choices, lang), value=value)}
        if not info:
            return updates
        if value == "upload" and not path:
            updates[data.info] = localize(T.upload_first, lang)
        elif value != "upload":
            with contextlib.suppress(PlaygroundError):  # on_dataset says why
                updates[data.info] = localize(dataset_info(value)[0], lang)
        return updates

    private = {"api_visibility": "private"}
    data.task.input(on_task, data.task, data.dataset, **private).then(
        on_dataset, [data.dataset, results.status], _dataset_outputs(data, form, results), **private
    )
    outputs = _dataset_outputs(data, form, results)
    on_load(
        app, relabel, [data.task, data.dataset, data.upload, data.info], [data.dataset, data.info]
    )
    on_load(app, on_dataset, [data.dataset, results.status], outputs, again_on_switch=False)
    data.dataset.input(on_dataset, [data.dataset, results.status], outputs, **private)
    data.upload.change(
        on_upload, [data.upload, results.status],
        [data.info, data.text_column, data.label_column, data.pair_column, form.train_size,
         form.eval_size, results.status, data.upload_error], **private,
    )  # fmt: skip


def _dataset_outputs(data: DataSettings, form: Form, results: Results) -> list:
    return [data.upload_group, data.info, form.train_size, form.eval_size, form.base,
            results.status]  # fmt: skip
