"""Train a task's default model from the Classification tab: choose which, a budget, watch, stop.

The run belongs to the browser that started it: after a reload (or in a second tab) it is
followed again, and its Stop button shows only while it trains, so an idle row stays one line.
Anyone else is told who holds the training slot and until when.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.classify.choices import default_choices, model_choices, model_status
from demos.classify.header import Header
from demos.i18n import on_load
from demos.jobs import follow, follow_job, stop_mine, wire_attach
from models.classify.loaders import AUTO
from models.core.access import public_message, require_operator, viewer
from models.core.errors import PlaygroundError
from models.core.i18n import Text, localize
from models.core.jobs import Job, running_job
from models.core.settings import get_settings
from models.finetune.jobs import DEFAULT, start_default
from models.finetune.names import key_title
from models.finetune.recipes import default_result
from models.finetune.report import progress_markdown, status_word
from models.sources.task_models import model_keys

NOTHING_TRAINING = Text("Nothing is training from this tab.", "이 탭에서 학습 중인 것이 없습니다.")
STOPPING = Text("Stopping after the current step…", "현재 스텝 뒤에 멈추는 중…")
READY = Text("", "")  # an idle row says nothing: the status above already says what is used
YOURS = Text(
    "Your training ({what}) is still going; its progress follows.",
    "내가 시작한 학습({what})이 아직 진행 중입니다. 진행 상황을 이어서 보여 줍니다.",
)
TRAINING = Text("Training the default for {task}…", "{task} 기본 모델을 학습하는 중…")
UNCHANGED = Text(
    "⚠️ Training {why}: the default for {task} is unchanged.",
    "⚠️ 학습 {why}: {task} 기본 모델은 그대로입니다.",
)
DONE = Text("Done: validation accuracy {a:.3f}.", "완료: 검증 정확도 {a:.3f}.")
CHOOSE = Text("Choose which default of {task} to train.", "학습할 {task} 기본 모델을 고르세요.")
BUDGET = Text(
    "Type a budget between 0.2 and {most:g} minutes (3 is the recipe's).",
    "예산은 0.2분에서 {most:g}분 사이로 입력하세요(레시피 기본값은 3분).",
)


@dataclass
class TrainDefault:
    """The training row's components."""

    row: gr.Row
    key: gr.Dropdown
    budget: gr.Number
    train: gr.Button
    stop: gr.Button
    status: gr.Markdown
    token: gr.State  # changes when a page load finds its browser's training going

    def on_task(self, task: str) -> dict:
        return {self.key: gr.update(choices=default_choices(task), value=model_keys(task)[0])}

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [self.key]


def create_train_default() -> TrainDefault:
    """Which default to train, the budget, Train and Stop (shown while it trains), progress."""
    with gr.Row() as row:
        key = gr.Dropdown(
            default_choices("sentiment"), value=model_keys("sentiment")[0],
            label=Text("Default to train", "학습할 기본 모델"), scale=2, elem_id="cls-default-key",
        )  # fmt: skip
        budget = gr.Number(
            3, label=Text("Budget (minutes)", "예산(분)"), scale=1, elem_id="cls-budget",
            info=Text("Rows and epochs fit this time", "이 시간에 맞춰 행과 에폭을 정합니다"),
        )  # fmt: skip
        with gr.Column(scale=2, min_width=160):
            train = gr.Button(
                Text("Train the default model", "기본 모델 학습"), elem_id="cls-train-default"
            )
            stop = gr.Button(
                Text("Stop", "멈추기"), variant="stop", size="sm", elem_id="cls-stop-default",
                visible=False,
            )  # fmt: skip
    status = gr.Markdown(elem_id="cls-train-status")
    return TrainDefault(row, key, budget, train, stop, status, gr.State(None))


def check_request(task: str, key: str, minutes: float | None) -> None:
    """Refuse a default that is not the task's, or a budget outside the server's bounds."""
    if key not in model_keys(task):
        raise PlaygroundError(Text(CHOOSE.en, CHOOSE.ko, task=key_title(task)))
    most = get_settings().max_run_minutes
    if not isinstance(minutes, int | float) or not 0.2 <= minutes <= most:
        raise PlaygroundError(Text(BUDGET.en, BUDGET.ko, most=most))


def ended(job: Job, key: str) -> tuple[Any, bool]:
    """How a default's training ended, and whether it finished (so the model choices change)."""
    result = default_result(job.result)
    if result.status != "done":
        why = status_word("stopped") if job.monitor.stop_requested else (
            result.error or status_word(result.status)
        )  # fmt: skip
        return Text(UNCHANGED.en, UNCHANGED.ko, why=why, task=key_title(key)), False
    promotion = getattr(job.result, "promotion", None) or {}
    mark = "✅ " if promotion.get("promoted") else "ℹ️ "
    message = promotion.get("message") or Text(DONE.en, DONE.ko, a=result.eval_accuracy)
    return Text("{m}{t}", "{m}{t}", m=mark, t=message), True


def wire_train_default(app: gr.Blocks, header: Header, row: TrainDefault) -> None:
    """Train starts a background job (one per server) that this browser follows and may stop.

    A default is what every user gets: on a public server only its operators see the row, and
    the event refuses anyone else (a hidden button can still be called).
    """
    stop_shown = lambda running: {row.stop: gr.update(visible=running)}  # noqa: E731

    def views(request: gr.Request, task: str | None = None) -> dict[str, Any]:
        lang = lambda: lang_of(request)  # noqa: E731

        def finished(job: Job) -> dict:
            message, changed = ended(job, job.subject)
            shown = {row.status: public_message(localize(message, lang())), **stop_shown(False)}
            if changed and task:
                shown[header.status] = model_status(task, AUTO)
                shown[header.model] = gr.update(
                    choices=model_choices(task, viewer(caller(request))), value=AUTO
                )
            return shown

        warn = lambda message: {  # noqa: E731
            row.status: f"⚠️ {public_message(localize(message, lang()))}",
            **stop_shown(False),
        }
        return {
            "progress": lambda snapshot: {
                row.status: localize(progress_markdown(snapshot), lang())
            },
            "finished": finished,
            "failed": warn,
        }

    def run(task: str, key: str, minutes: float | None, request: gr.Request) -> Iterator[dict]:
        who = caller(request)
        shown = views(request, task)

        def start() -> Job:
            require_operator(who, "training a task's default model")
            check_request(task, key, minutes)
            return start_default(key, float(minutes), owner=who.owner)

        started = lambda job: {  # noqa: E731
            row.status: localize(
                Text(TRAINING.en, TRAINING.ko, task=key_title(key)), lang_of(request)
            ),
            **stop_shown(True),
        }
        yield from follow_job(
            start, started, shown["progress"], shown["finished"], shown["failed"], shown["failed"]
        )

    def reattach(_token: Any, task: str, request: gr.Request) -> Iterator[dict]:
        job = running_job(caller(request).owner, [DEFAULT])
        if job is None:  # (a generator that yields nothing would blank the page-load line)
            yield {row.status: gr.skip()}
            return
        shown = views(request, task)
        yield {**stop_shown(True)}
        yield from follow(job, shown["progress"], shown["finished"], shown["failed"])

    def stop_default(request: gr.Request) -> str:
        said = stop_mine(caller(request).owner, [DEFAULT], NOTHING_TRAINING, STOPPING)
        return localize(said, lang_of(request))

    outputs = [row.status, header.status, header.model, row.stop]
    private: dict = {"api_visibility": "private", "concurrency_limit": None}
    row.train.click(run, [header.task, row.key, row.budget], outputs, **private)
    row.token.change(reattach, [row.token, header.task], outputs, **private)
    row.stop.click(stop_default, None, row.status, api_visibility="private")

    def shown_to(request: gr.Request) -> dict:
        return gr.update(visible=caller(request).operator)

    on_load(app, shown_to, outputs=row.row, again_on_switch=False)
    wire_attach(app, [DEFAULT], row.status, row.token, READY, YOURS, stop_shown)
