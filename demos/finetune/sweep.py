"""The batch size x learning rate sweep: one method per cell on a small subset, as a heatmap."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from demos.access import caller
from demos.finetune.form import Form
from demos.jobs import follow_job, stop_job
from demos.widgets import heatmap_html
from models.core.access import check_model_ref, public_message
from models.core.errors import ConfigError, PlaygroundError
from models.core.jobs import Job
from models.finetune.config import FinetuneConfig
from models.finetune.jobs import start_sweep
from models.finetune.methods import METHODS
from models.finetune.report import progress_markdown
from models.finetune.sweep import SweepResult

INTRO = (
    "Batch size and learning rate interact: bigger batches take fewer, less noisy steps per "
    "epoch and usually need a larger learning rate. Train one method per cell on a small subset "
    "(same rows and seed) and see where accuracy is high."
)


def parse_grid(batches: str, rates: str) -> tuple[list[int], list[float]]:
    """Comma-separated batch sizes and learning rates (a ConfigError if they are not numbers)."""
    try:
        return (
            [int(x) for x in batches.replace(" ", "").split(",") if x],
            [float(x) for x in rates.replace(" ", "").split(",") if x],
        )
    except ValueError:
        raise ConfigError(
            "Write batch sizes and learning rates as comma-separated numbers."
        ) from None


def sweep_heatmap(result: SweepResult) -> str:
    """Evaluation accuracy per cell, as a colour-scaled table."""
    return heatmap_html(
        result.accuracy,
        [f"bs {b}" for b in result.batch_sizes],
        [f"lr {r:g}" for r in result.learning_rates],
        f"{METHODS[result.method].title}: evaluation accuracy "
        f"({result.train_rows:,} training rows, {result.eval_rows:,} evaluation rows)",
        "batch size \\ learning rate",
        fmt="{:.3f}",
    )


def create_sweep(form: Form, methods: list[tuple[str, str]]) -> None:
    """Build the sweep accordion and wire its events (it reads the form's other settings)."""
    with gr.Accordion("Batch size x learning rate sweep", open=False):
        gr.Markdown(INTRO)
        with gr.Row():
            method = gr.Dropdown(
                [(title, name) for title, name in methods if METHODS[name].trainer],
                value="lora", label="Method",
            )  # fmt: skip
            batches = gr.Textbox("8, 16, 32", label="Batch sizes")
            rates = gr.Textbox("5e-4, 2e-3, 8e-3", label="Learning rates")
            rows = gr.Slider(32, 5000, value=400, step=8, label="Training rows per cell")
        with gr.Row():
            button = gr.Button("Run sweep", elem_id="ft-sweep")
            stop = gr.Button("Stop sweep", variant="stop")
        status = gr.Markdown(elem_id="ft-sweep-status")
        heatmap = gr.HTML(elem_id="ft-sweep-map")
    job_state = gr.State(None)

    def run(values: dict, request: gr.Request) -> Iterator[dict]:
        def start() -> Job:
            batch_sizes, learning_rates = parse_grid(values[batches], values[rates])
            try:
                config = form.config(values).to_dict()
                config = FinetuneConfig.from_dict({**config, "train_size": int(values[rows])})
            except (TypeError, ValueError) as err:
                raise PlaygroundError("Fill in every setting with a number.") from err
            who = caller(request)
            check_model_ref(config.base, who)
            return start_sweep(config, values[method], batch_sizes, learning_rates, who.owner)

        def finished(job: Job) -> dict:
            result = job.result
            errors = f" ⚠️ {'; '.join(result.errors)}" if result.errors else ""
            return {status: f"**Sweep {result.status}.**{errors}",
                    heatmap: sweep_heatmap(result), job_state: None}  # fmt: skip

        yield from follow_job(
            start,
            started=lambda job: {job_state: job, status: f"Started: {job.description}"},
            progress=lambda snapshot: {status: progress_markdown(snapshot)},
            finished=finished,
            refused=lambda message: {status: f"⚠️ {public_message(message)}"},
            failed=lambda message: {status: f"⚠️ {public_message(message)}", job_state: None},
        )

    button.click(
        run, inputs={*form.components(), batches, rates, method, rows},
        outputs=[status, heatmap, job_state], api_visibility="private",
    )  # fmt: skip
    stop.click(
        lambda job: stop_job(
            job, "Nothing of yours is training.",
            "Stopping after the current step; finished methods are kept.",
        ),
        job_state, status, api_visibility="private",
    )  # fmt: skip
