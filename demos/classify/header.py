"""The top of the Classification tab: which task, which model, and what that model is."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from demos.access import caller
from demos.classify.choices import (
    is_zero_shot_choice,
    model_choices,
    model_status,
    page_viewer,
)
from demos.i18n import on_load
from models.classify.loaders import AUTO
from models.core.access import viewer
from models.core.tasks import CLASSIFICATION_TASKS
from models.prepare.background import get_preparation

PREPARATION_REFRESH_S = 3.0


@dataclass
class Header:
    """The inputs every sub-tab classifies with, and the status line about the model."""

    task: gr.Radio
    model: gr.Dropdown
    refresh: gr.Button
    status: gr.Markdown
    labels: gr.Textbox | None = None  # added below the training row (see create_labels)

    def on_task(self, task: str, viewer: str | None = None) -> dict:
        return {
            self.model: gr.update(choices=model_choices(task, viewer), value=AUTO),
            self.status: model_status(task, AUTO),
        }

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [self.model, self.status]


def create_header() -> Header:
    """Task and model pickers, and the status line (filled on page load)."""
    with gr.Row():
        task = gr.Radio(list(CLASSIFICATION_TASKS), value="sentiment", label="Task", scale=2)
        model = gr.Dropdown(
            model_choices("sentiment", page_viewer()), value=AUTO, label="Model",
            allow_custom_value=True,
            scale=4, info="Or type a Hub id / local folder of a sequence classifier",
            elem_id="cls-model",
        )  # fmt: skip
        refresh = gr.Button("↻", scale=0, min_width=50)
    status = gr.Markdown(elem_id="cls-status")
    return Header(task, model, refresh, status)


def create_labels(header: Header) -> None:
    """The zero-shot labels box, shown only while a zero-shot model is chosen."""
    header.labels = gr.Textbox(
        label="Zero-shot labels (comma-separated; empty: the task's usual labels)",
        placeholder="e.g. sports, politics, technology",
        visible=False,
    )


def wire_header(app: gr.Blocks, header: Header) -> None:
    """Model changes update the status line and the labels box; ↻ re-reads the saved runs."""

    def on_model(task: str, model: str) -> dict:
        return {
            header.labels: gr.update(visible=is_zero_shot_choice(model) and task != "nli"),
            header.status: model_status(task, model or AUTO),
        }

    header.model.change(
        on_model, [header.task, header.model], [header.labels, header.status],
        api_visibility="private",
    )  # fmt: skip

    def runs_for(task: str, request: gr.Request) -> dict:
        return gr.update(choices=model_choices(task, viewer(caller(request))))

    header.refresh.click(runs_for, header.task, header.model, api_visibility="private")
    on_load(app, runs_for, header.task, header.model)
    # While the start-up preparation trains defaults, the status line follows it, so a default
    # that goes live shows up without a reload.
    timer = gr.Timer(PREPARATION_REFRESH_S, active=False)

    def follow(task: str, model: str) -> tuple[str, dict]:
        return model_status(task, model or AUTO), gr.Timer(active=get_preparation().running)

    on_load(app, follow, [header.task, header.model], [header.status, timer])
    timer.tick(
        follow, [header.task, header.model], [header.status, timer], api_visibility="private",
        show_progress="hidden",
    )  # fmt: skip
