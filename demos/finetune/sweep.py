"""The batch size x learning rate sweep: one method per cell on a small subset, as a heatmap.

Like a run, a sweep belongs to the browser that started it: a reload follows it again, and its
Stop works from any page of that browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.finetune.form import Form
from demos.finetune.texts import T, fill
from demos.i18n import on_switch
from demos.jobs import follow, follow_job, stop_mine, wire_attach
from demos.widgets import heatmap_html
from models.core.access import check_model_ref, public_message
from models.core.errors import ConfigError
from models.core.i18n import Text, join, localize
from models.core.jobs import Job, running_job
from models.finetune.config import FinetuneConfig
from models.finetune.jobs import SWEEP, start_sweep
from models.finetune.methods import METHODS
from models.finetune.report import progress_markdown, status_word
from models.finetune.sweep import SweepResult

READY = Text("", "")  # an idle sweep says nothing


def parse_grid(batches: str, rates: str) -> tuple[list[int], list[float]]:
    """Comma-separated batch sizes and learning rates (a ConfigError if they are not numbers)."""
    try:
        return (
            [int(x) for x in batches.replace(" ", "").split(",") if x],
            [float(x) for x in rates.replace(" ", "").split(",") if x],
        )
    except ValueError:
        raise ConfigError(T.bad_grid) from None


def sweep_heatmap(result: SweepResult, lang: str = "en") -> str:
    """Evaluation accuracy per cell, as a colour-scaled table."""
    title = Text(
        "{m}: evaluation accuracy ({train:,} training rows, {eval:,} evaluation rows)",
        "{m}: 평가 정확도(학습 행 {train:,}개, 평가 행 {eval:,}개)",
        m=METHODS[result.method].title, train=result.train_rows, eval=result.eval_rows,
    )  # fmt: skip
    return heatmap_html(
        result.accuracy,
        [f"bs {b}" for b in result.batch_sizes],
        [f"lr {r:g}" for r in result.learning_rates],
        localize(title, lang),
        localize(Text("batch size \\ learning rate", "배치 크기 \\ 학습률"), lang),
        fmt="{:.3f}",
    )


def sweep_status(result: SweepResult) -> Text:
    """How a sweep ended, with the cells that failed."""
    errors = join([" ⚠️ ", join(result.errors, "; ")]) if result.errors else ""
    return fill(T.sweep_done, status=status_word(result.status), errors=errors)


def create_sweep(app: gr.Blocks, form: Form, methods: list[tuple[Text, str]]) -> None:
    """Build the sweep accordion and wire its events (it reads the form's other settings)."""
    with gr.Accordion(T.sweep, open=False):
        gr.Markdown(T.sweep_intro)
        with gr.Row():
            method = gr.Dropdown(
                [(title, name) for title, name in methods if METHODS[name].trainer],
                value="lora", label=T.method, info=T.method_info,
            )  # fmt: skip
            batches = gr.Textbox("8, 16, 32", label=T.batches, info=T.batches_info)
            rates = gr.Textbox("5e-4, 2e-3, 8e-3", label=T.rates, info=T.rates_info)
            rows = gr.Slider(32, 5000, value=400, step=8, label=T.cell_rows, info=T.cell_rows_info)
        with gr.Row():
            button = gr.Button(T.run_sweep, elem_id="ft-sweep")
            stop = gr.Button(T.stop_sweep, variant="stop", elem_id="ft-sweep-stop")
        status = gr.Markdown(elem_id="ft-sweep-status")
        heatmap = gr.HTML(elem_id="ft-sweep-map")
    token = gr.State(None)
    finished = gr.State(None)  # the sweep on screen (a SweepResult), drawn again after a switch

    def views(request: gr.Request) -> dict[str, Any]:
        lang = lambda: lang_of(request)  # noqa: E731
        warn = lambda message: {status: f"⚠️ {public_message(localize(message, lang()))}"}  # noqa: E731
        return {
            "progress": lambda snapshot: {status: localize(progress_markdown(snapshot), lang())},
            "finished": lambda job: {
                status: localize(sweep_status(job.result), lang()),
                heatmap: sweep_heatmap(job.result, lang()),
                finished: job.result,
            },
            "failed": warn,
        }

    def run(values: dict, request: gr.Request) -> Iterator[dict]:
        who = caller(request)

        def start() -> Job:
            batch_sizes, learning_rates = parse_grid(values[batches], values[rates])
            config = form.config(values).to_dict()
            config = FinetuneConfig.from_dict({**config, "train_size": int(values[rows])})
            check_model_ref(config.base, who)
            return start_sweep(config, values[method], batch_sizes, learning_rates, who.owner)

        shown = views(request)
        started = lambda job: {  # noqa: E731
            status: localize(fill(T.started, what=job.description), lang_of(request)),
            heatmap: "",
            finished: None,
        }
        yield from follow_job(
            start, started, shown["progress"], shown["finished"], shown["failed"], shown["failed"]
        )

    def reattach(_token: Any, request: gr.Request) -> Iterator[dict]:
        job = running_job(caller(request).owner, [SWEEP])
        if job is None:  # (a generator that yields nothing would blank the page-load line)
            yield {status: gr.skip()}
            return
        shown = views(request)
        yield from follow(job, shown["progress"], shown["finished"], shown["failed"])

    def stop_sweep(request: gr.Request) -> str:
        said = stop_mine(caller(request).owner, [SWEEP], T.nothing_yours, T.stopping)
        return localize(said, lang_of(request))

    def redraw_sweep(result: SweepResult | None, request: gr.Request) -> dict:
        if result is None:
            return {heatmap: gr.skip()}
        lang = lang_of(request)
        return {status: localize(sweep_status(result), lang), heatmap: sweep_heatmap(result, lang)}

    private: dict = {"api_visibility": "private", "concurrency_limit": None}
    shown = [status, heatmap, finished]
    button.click(
        run, inputs={*form.components(), batches, rates, method, rows}, outputs=shown, **private
    )
    token.change(reattach, token, shown, **private)
    on_switch(app, redraw_sweep, finished, [status, heatmap])
    stop.click(stop_sweep, None, status, api_visibility="private")
    wire_attach(app, [SWEEP], status, token, READY, T.yours, say_busy=False)
