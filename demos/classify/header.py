"""The top of the Classification tab: which task, which model, and what that model is."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.classify.choices import is_zero_shot_choice, model_choices, model_status
from demos.i18n import on_load
from models.classify.loaders import AUTO
from models.core.access import public_message, viewer
from models.core.i18n import Text, localize
from models.prepare.background import get_preparation

PREPARATION_REFRESH_S = 3.0
TASK_CHOICES = [
    (Text("Sentiment", "감성"), "sentiment"),
    (Text("NLI", "자연어 추론"), "nli"),
    (Text("Intent", "의도"), "intent"),
]


def status_text(task: str, model: str, lang: str) -> str:
    """The status line in ``lang``, with server folders hidden on a public server (they sit
    in its details view)."""
    return public_message(localize(model_status(task, model), lang))


@dataclass
class Header:
    """The inputs every sub-tab classifies with, and the status line about the model."""

    task: gr.Radio
    model: gr.Dropdown
    refresh: gr.Button
    status: gr.Markdown
    labels: gr.Textbox | None = None  # added below the training row (see create_labels)

    def on_task(self, task: str, viewer: str | None = None, lang: str = "en") -> dict:
        return {
            self.model: gr.update(choices=localize(model_choices(task, viewer), lang), value=AUTO),
            self.status: status_text(task, AUTO, lang),
        }

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [self.model, self.status]


def create_header() -> Header:
    """Task and model pickers, and the status line (filled on page load)."""
    with gr.Row():
        task = gr.Radio(TASK_CHOICES, value="sentiment", label=Text("Task", "작업"), scale=2)
        # The page's language is known only once it loads: its choices are filled then (and
        # again on a language switch), never from here.
        # The hint rides in the label: an info line would push the text box down a line.
        model = gr.Dropdown(
            [(AUTO, AUTO)], value=AUTO, allow_custom_value=True, scale=4, elem_id="cls-model",
            label=Text("Model (or type a Hub id / a classifier's folder)",
                       "모델(Hub id나 분류 모델 폴더를 입력해도 됩니다)"),
        )  # fmt: skip
        refresh = gr.Button("↻", scale=0, min_width=50)
    status = gr.Markdown(elem_id="cls-status")
    return Header(task, model, refresh, status)


def create_labels(header: Header) -> None:
    """The zero-shot labels box, shown only while a zero-shot model is chosen."""
    header.labels = gr.Textbox(
        label=Text("Zero-shot labels (comma-separated; empty: the task's usual labels)",
                   "제로샷 레이블(쉼표로 구분, 비우면 작업의 기본 레이블)"),
        placeholder=Text("e.g. sports, politics, technology", "예: 스포츠, 정치, 기술"),
        visible=False,
    )  # fmt: skip


def wire_header(app: gr.Blocks, header: Header) -> None:
    """Model changes update the status line and the labels box; ↻ re-reads the saved runs."""

    def on_model(task: str, model: str, request: gr.Request) -> dict:
        return {
            header.labels: gr.update(visible=is_zero_shot_choice(model) and task != "nli"),
            header.status: status_text(task, model or AUTO, lang_of(request)),
        }

    header.model.change(
        on_model, [header.task, header.model], [header.labels, header.status],
        api_visibility="private",
    )  # fmt: skip

    def runs_for(task: str, request: gr.Request) -> dict:
        choices = model_choices(task, viewer(caller(request)))
        return gr.update(choices=localize(choices, lang_of(request)))

    header.refresh.click(runs_for, header.task, header.model, api_visibility="private")
    on_load(app, runs_for, header.task, header.model)
    # While the start-up preparation trains defaults, the status line follows it, so a default
    # that goes live shows up without a reload.
    timer = gr.Timer(PREPARATION_REFRESH_S, active=False)

    def follow(task: str, model: str, request: gr.Request) -> tuple[str, dict]:
        status = status_text(task, model or AUTO, lang_of(request))
        return status, gr.Timer(active=get_preparation().running)

    on_load(app, follow, [header.task, header.model], [header.status, timer])
    timer.tick(
        follow, [header.task, header.model], [header.status, timer], api_visibility="private",
        show_progress="hidden",
    )  # fmt: skip
