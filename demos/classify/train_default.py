"""Train a task's default model from the Classification tab: choose which, a budget, watch, stop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from demos.access import caller
from demos.classify.choices import default_choices, model_choices, model_status
from demos.classify.header import Header
from demos.i18n import on_load
from demos.jobs import follow_job, stop_job
from models.classify.loaders import AUTO
from models.core.access import require_operator, viewer
from models.core.errors import PlaygroundError
from models.core.jobs import Job
from models.core.settings import get_settings
from models.finetune.jobs import start_default
from models.finetune.recipes import default_result
from models.finetune.report import progress_markdown
from models.sources.task_models import model_keys

NOTHING_TRAINING = "Nothing is training from this tab."
STOPPING = "Stopping after the current step…"


@dataclass
class TrainDefault:
    """The training row's components."""

    row: gr.Row
    key: gr.Dropdown
    budget: gr.Number
    train: gr.Button
    stop: gr.Button
    status: gr.Markdown
    job: gr.State

    def on_task(self, task: str) -> dict:
        return {self.key: gr.update(choices=default_choices(task), value=model_keys(task)[0])}

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [self.key]


def create_train_default() -> TrainDefault:
    """Which default to train, the budget, Train and Stop, and the progress line."""
    with gr.Row() as row:
        key = gr.Dropdown(
            default_choices("sentiment"), value=model_keys("sentiment")[0],
            label="Default to train", scale=2, elem_id="cls-default-key",
        )  # fmt: skip
        budget = gr.Number(3, label="Budget (minutes)", scale=1, elem_id="cls-budget")
        with gr.Column(scale=2, min_width=160):
            train = gr.Button("Train the default model", elem_id="cls-train-default")
            stop = gr.Button("Stop", variant="stop", size="sm", elem_id="cls-stop-default")
    status = gr.Markdown(elem_id="cls-train-status")
    return TrainDefault(row, key, budget, train, stop, status, gr.State(None))


def wire_train_default(app: gr.Blocks, header: Header, row: TrainDefault) -> None:
    """Train starts a background job (one per server) that this session follows and may stop.

    A default is what every user gets: on a public server only its operators see the row, and
    the event refuses anyone else (a hidden button can still be called).
    """

    def run(task: str, key: str, minutes: float | None, request: gr.Request) -> Iterator[dict]:
        def start() -> Job:
            require_operator(caller(request), "training a task's default model")
            if key not in model_keys(task):
                raise PlaygroundError(f"Choose which default of {task} to train.")
            most = get_settings().max_run_minutes
            if not isinstance(minutes, int | float) or not 0.2 <= minutes <= most:
                raise PlaygroundError(
                    f"Type a budget between 0.2 and {most:g} minutes (3 is the recipe's)."
                )
            return start_default(key, float(minutes), owner=caller(request).owner)

        def finished(job: Job) -> dict:
            result = default_result(job.result)
            if result.status != "done":
                why = "stopped" if job.monitor.stop_requested else (result.error or result.status)
                return {
                    row.status: f"⚠️ Training {why}: the default for {key} is unchanged.",
                    row.job: None,
                }
            promotion = getattr(job.result, "promotion", None) or {}
            return {
                row.status: ("✅ " if promotion.get("promoted") else "ℹ️ ")
                + promotion.get(
                    "message", f"Done: validation accuracy {result.eval_accuracy:.3f}."
                ),
                header.status: model_status(task, AUTO),
                header.model: gr.update(
                    choices=model_choices(task, viewer(caller(request))), value=AUTO
                ),
                row.job: None,
            }

        yield from follow_job(
            start,
            started=lambda job: {row.job: job, row.status: f"Training the default for {key}…"},
            progress=lambda snapshot: {row.status: progress_markdown(snapshot)},
            finished=finished,
            refused=lambda message: {row.status: f"⚠️ {message}"},
            failed=lambda message: {row.status: f"⚠️ {message}", row.job: None},
        )

    row.train.click(
        run, [header.task, row.key, row.budget], [row.status, header.status, header.model, row.job],
        api_visibility="private",
    )  # fmt: skip

    def shown_to(request: gr.Request) -> dict:
        return gr.update(visible=caller(request).operator)

    on_load(app, shown_to, outputs=row.row, again_on_switch=False)
    row.stop.click(
        lambda job: stop_job(job, NOTHING_TRAINING, STOPPING), row.job, row.status,
        api_visibility="private",
    )  # fmt: skip
