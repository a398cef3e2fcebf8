"""The Fine-tuning tab: LoRA vs full (and more) trained live on the same rows, then compared.

A thin UI over ``models.finetune``: the settings (``form``) become a ``FinetuneConfig``; training
runs in a background job (one per server) whose monitor the page follows for progress and loss
curves (``results``); ``sweep`` is the batch size x learning rate grid; ``api`` the endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from demos.access import caller
from demos.finetune.api import finetune_api, read_run, start_for, stop_api
from demos.finetune.form import (
    INITIAL_EVAL_ROWS,
    INITIAL_TRAIN_ROWS,
    DataSettings,
    Form,
    base_for,
    create_data_settings,
    create_form,
    offered_methods,
)
from demos.finetune.results import READY, Results, create_results, runs_dropdown
from demos.finetune.sweep import create_sweep
from demos.i18n import on_load
from demos.jobs import follow_job, stop_job
from demos.widgets import column_dropdowns, read_upload
from models.core.access import public_message, viewer
from models.core.errors import PlaygroundError
from models.core.jobs import Job
from models.core.tasks import TRAINABLE_TASKS
from models.datasets.registry import get_spec, list_datasets, load_dataset
from models.finetune.methods import METHODS, available_methods

INTRO = (
    "Train several fine-tuning methods on **the same rows with the same seed**, watch their loss "
    "curves, and compare what each costs (trainable parameters, time, memory, checkpoint size) "
    "and what it buys (accuracy, macro-F1). Saved models appear in the Classification tab. One "
    "training runs at a time on this server."
)


def task_datasets(task: str) -> list[str]:
    """The registered datasets for a task, then an upload (a custom task has only uploads)."""
    return [spec.name for spec in list_datasets(task=task)] + ["upload"]


def dataset_info(dataset: str) -> tuple[str, int, int]:
    """One line about the dataset, and its training / validation row counts (cheap: cached)."""
    train = load_dataset(dataset, "train")
    validation = load_dataset(dataset, "validation")
    text = (
        f"{train.describe()} Validation: {len(validation.frame):,} rows (evaluation rows come "
        "from here; the test split is never trained or tuned on)."
    )
    return text, len(train.frame), len(validation.frame)


def my_runs(request: gr.Request) -> Any:
    """The past-runs dropdown as this caller may see it (hosted: their runs and the operators')."""
    return runs_dropdown(viewer(caller(request)))


def _cleared_warning(current_status: str | None) -> Any:
    """A warning about the previous data or columns no longer applies once they change."""
    return READY if (current_status or "").startswith("⚠️") else gr.update()


def create_finetune_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events; it fills its dataset line and past runs on page load."""
    reasons = available_methods()
    hidden = [f"{METHODS[n].title} ({r})" for n, r in reasons.items() if r]
    gr.Markdown(INTRO + (f" Not offered here: {'; '.join(hidden)}." if hidden else ""))
    with gr.Row():
        with gr.Column(scale=2):
            data = create_data_settings(list(TRAINABLE_TASKS), task_datasets("intent"))
            form = create_form(data)
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="ft-train")
                stop_button = gr.Button("Stop", variant="stop", elem_id="ft-stop")
        with gr.Column(scale=3):
            results = create_results()
    create_sweep(form, offered_methods())
    job_state = gr.State(None)
    _wire_data(app, data, form, results)
    _wire_training(form, results, job_state, train_button, stop_button)
    _wire_past_runs(results)
    gr.api(finetune_api, api_name="finetune", concurrency_limit=None)
    gr.api(stop_api, api_name="stop")


def _wire_data(app: gr.Blocks, data: DataSettings, form: Form, results: Results) -> None:
    """Task -> datasets; dataset -> its line, row limits and base; upload -> its columns."""

    def on_dataset(dataset: str, current_status: str | None = None) -> dict:
        cleared = {results.status: _cleared_warning(current_status)}
        if dataset == "upload":
            return {**cleared, data.upload_group: gr.update(visible=True),
                    data.info: "Upload a labelled file and map its columns."}  # fmt: skip
        try:
            text, n_train, n_eval = dataset_info(dataset)
        except PlaygroundError as err:
            return {**cleared, data.info: f"⚠️ {err}", data.upload_group: gr.update(visible=False)}
        return {
            **cleared,
            data.upload_group: gr.update(visible=False),
            data.info: text,
            form.train_size: gr.update(
                maximum=max(n_train, 3), value=min(INITIAL_TRAIN_ROWS, n_train)
            ),
            form.eval_size: gr.update(maximum=max(n_eval, 2), value=min(INITIAL_EVAL_ROWS, n_eval)),
            form.base: gr.update(value=base_for(get_spec(dataset).language)),
        }

    def on_upload(path: str | None, current_status: str | None) -> dict:
        cleared = {results.status: _cleared_warning(current_status)}
        if not path:
            return {**cleared, data.info: "Upload a labelled file and map its columns."}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return {**cleared, data.info: f"⚠️ {err}"}
        n = preview.rows
        columns = (data.text_column, data.pair_column, data.label_column)
        return {
            **cleared,
            data.info: preview.describe(),
            **dict(zip(columns, column_dropdowns(preview), strict=True)),
            # A slider's maximum must exceed its minimum (2 and 1), however small the file.
            form.train_size: gr.update(maximum=max(n, 3), value=max(2, n * 3 // 4)),
            form.eval_size: gr.update(maximum=max(n // 2, 2), value=max(1, n // 4)),
        }

    def on_task(task: str) -> Any:
        choices = task_datasets(task)
        return gr.update(choices=choices, value=choices[0])

    private = {"api_visibility": "private"}
    data.task.change(on_task, data.task, data.dataset, **private)
    outputs = [data.upload_group, data.info, form.train_size, form.eval_size, form.base,
               results.status]  # fmt: skip
    on_load(app, on_dataset, data.dataset, outputs, again_on_switch=False)
    on_load(app, my_runs, outputs=results.past_runs)
    data.dataset.change(on_dataset, [data.dataset, results.status], outputs, **private)
    data.upload.change(
        on_upload, [data.upload, results.status],
        [data.info, data.text_column, data.label_column, data.pair_column, form.train_size,
         form.eval_size, results.status], **private,
    )  # fmt: skip


def _wire_training(
    form: Form, results: Results, job_state: gr.State, train: gr.Button, stop: gr.Button
) -> None:
    """Train starts this session's job and follows it; Stop asks it to stop."""

    def run(values: dict, request: gr.Request) -> Iterator[dict]:
        who = caller(request)

        def start() -> Job:
            try:
                config = form.config(values)
            except (TypeError, ValueError) as err:
                raise PlaygroundError("Fill in every setting with a number.") from err
            return start_for(config, who)

        def finished(job: Job) -> dict:
            record = job.result.as_dict()
            failed = [m for m in record["methods"] if m["status"] == "failed"]
            word = "Stopped" if record["status"] == "stopped" else "Done"
            text = public_message(
                f"**{word}.** Run `{record['run_id']}` saved in `{record['folder']}`."
            )
            if job.time_limited:
                text += " It reached this server's time limit for a run."
            if failed:
                text += " ⚠️ " + "; ".join(
                    f"{m['method']} failed: {public_message(m['error'])}" for m in failed
                )
            return {**results.shown(record), results.status: text,
                    results.past_runs: runs_dropdown(viewer(who)), job_state: None}  # fmt: skip

        yield from follow_job(
            start,
            started=lambda job: {
                **results.cleared(),
                job_state: job,
                results.status: f"Started: {job.description}",
            },
            progress=results.live,
            finished=finished,
            refused=lambda message: {results.status: f"⚠️ {public_message(message)}"},
            failed=lambda message: {
                results.status: f"⚠️ {public_message(message)}",
                job_state: None,
            },
        )

    outputs = [results.status, results.estimates, results.curves, results.table, results.notes,
               results.confusion, results.past_runs, job_state]  # fmt: skip
    train.click(
        run, inputs={*form.components()}, outputs=outputs, api_visibility="private",
        concurrency_limit=None,
    )  # fmt: skip
    stop.click(
        lambda job: stop_job(
            job, "Nothing of yours is training.",
            "Stopping after the current step; finished methods are kept.",
        ),
        job_state, results.status, api_visibility="private",
    )  # fmt: skip


def _wire_past_runs(results: Results) -> None:
    """Past runs can be listed again and shown (also the ``/finetune_run`` endpoint)."""

    def show(run_id: str | None, request: gr.Request) -> Iterator[dict]:
        try:
            record = read_run(run_id, caller(request)).as_dict()
        except PlaygroundError as err:
            yield {results.status: f"⚠️ {err}"}
            return
        yield {results.curves: None}  # a fresh plot for this run's methods
        config = record["config"]
        yield {
            **results.shown(record),
            results.status: f"Run `{record['run_id']}` ({record['created']}, {record['status']}); "
            f"config: {config['dataset']}, base `{config['base']}`, "
            f"{record['data']['train_rows']:,} training rows, seed {record['seed']}.",
        }

    results.refresh_runs.click(my_runs, outputs=results.past_runs, api_visibility="private")
    results.show_run.click(
        show, results.past_runs,
        [results.status, results.table, results.curves, results.notes, results.confusion],
        api_name="finetune_run",
    )  # fmt: skip
