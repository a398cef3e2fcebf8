"""In-context learning vs fine-tuning: 0-, 1-, 2- and 4-shot accuracy with column A's backend,
plotted as it goes, beside the task's fine-tuned classifier on the same rows."""

from __future__ import annotations

import threading
from typing import Any

import gradio as gr
import pandas as pd

from demos.generate.column import Column
from demos.generate.run import checked_target
from demos.widgets import progress_bar
from models.core import inputs
from models.core.errors import PlaygroundError
from models.generate.icl import ICL_DATASETS, MAX_ROWS, MIN_ROWS, SHOTS, IclReport, icl_curve
from models.generate.params import MAX_NEW_TOKENS, MAX_SEED, GenerationParams

EXPLAIN = (
    "A few dozen validation rows (chosen by the seed, every class kept), classified by column A's "
    "backend and model with 0, 1, 2 and 4 examples from the train split in the prompt. The reply "
    "is read as a label; replies that name no single label are counted apart. When the task has "
    "a fine-tuned classifier (Classification's default), its accuracy on the same rows is the "
    "dashed reference. The local SmolLM2 is tiny and English-only: expect near-chance accuracy."
)


def curve_frame(report: IclReport) -> pd.DataFrame:
    rows = [{"shots": r.shots, "accuracy": r.accuracy, "series": f"prompting: {report.model}"}
            for r in report.results]  # fmt: skip
    if report.reference is not None:
        for r in report.results:
            rows.append({"shots": r.shots, "accuracy": report.reference,
                         "series": f"fine-tuned: {report.reference_model}"})  # fmt: skip
    return pd.DataFrame(rows, columns=["shots", "accuracy", "series"])


def table_frame(report: IclReport) -> pd.DataFrame:
    rows = [{"shots": r.shots, "accuracy": round(r.accuracy, 3), "right": r.correct,
             "unparseable": r.unparseable, "rows": r.n} for r in report.results]  # fmt: skip
    if report.reference is not None:
        rows.append({"shots": "fine-tuned", "accuracy": round(report.reference, 3),
                     "right": None, "unparseable": 0, "rows": report.results[0].n})  # fmt: skip
    return pd.DataFrame(rows)


def create_icl(column: Column) -> None:
    """The accordion: task, dataset, rows, seed; Run / Stop; the curve and its table."""
    with gr.Accordion("In-context learning vs fine-tuning", open=False):
        gr.Markdown(EXPLAIN)
        with gr.Row():
            task = gr.Dropdown(list(ICL_DATASETS), value="sentiment", label="Task")
            dataset = gr.Dropdown(list(ICL_DATASETS["sentiment"]), value="vader", label="Dataset")
            rows = gr.Slider(4, 64, value=24, step=4, label="Rows")
            seed = gr.Number(0, label="Seed", precision=0, minimum=0)
        with gr.Row():
            run = gr.Button("Run", variant="primary", elem_id="gen-icl-run")
            stop = gr.Button("Stop", elem_id="gen-icl-stop")
        status = gr.Markdown(elem_id="gen-icl-status")
        plot = gr.LinePlot(
            x="shots", y="accuracy", color="series", y_lim=[0, 1],
            label="Accuracy by examples in the prompt", elem_id="gen-icl-plot",
        )  # fmt: skip
        table = gr.Dataframe(interactive=False, elem_id="gen-icl-table")
    running = gr.State(None)

    def on_task(name: str) -> Any:
        return gr.update(choices=list(ICL_DATASETS[name]), value=ICL_DATASETS[name][0])

    def on_run(
        task_name: str, dataset_name: str, n: float, seed_value: float | None, backend: str,
        model: str, base_url: str, api_key: str, max_new_tokens: float,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Any:  # fmt: skip
        event = threading.Event()
        yield {running: event, status: "Running…", table: None}
        try:
            task_name = inputs.choice(task_name, "Task", ICL_DATASETS)
            dataset_name = inputs.choice(dataset_name, "Dataset", ICL_DATASETS[task_name])
            n = inputs.integer(n, "Rows", MIN_ROWS, MAX_ROWS)
            seed = inputs.optional_integer(seed_value, "Seed", 0, MAX_SEED) or 0
            tokens = inputs.optional_integer(max_new_tokens, "Max new tokens", 1, MAX_NEW_TOKENS)
            # A label is a word or two: 32 tokens is plenty, and keeps 4 x rows calls short.
            params = GenerationParams.build(0.0, 1.0, min(tokens or 16, 32), 1.0, "", seed)
            target = checked_target(backend, model, base_url, api_key)
            report = None
            for k in SHOTS:  # one shot count at a time: the curve grows as it goes
                part = icl_curve(
                    task_name, dataset_name, target["backend"], target["model"], n, seed,
                    params, target["base_url"], target["api_key"], (k,), progress_bar(progress),
                    event, reference=k == SHOTS[-1],
                )  # fmt: skip
                if report is None:
                    report = part
                else:
                    report.results += part.results
                    report.reference, report.reference_model = part.reference, part.reference_model
                    report.stopped = part.stopped
                if report.stopped:
                    break
                yield {status: f"{k}-shot done…", plot: curve_frame(report),
                       table: table_frame(report)}  # fmt: skip
        except PlaygroundError as err:
            yield {status: f"⚠️ {err}"}
            return
        assert report is not None
        note = "Stopped." if report.stopped else "Done."
        if report.reference is None:
            note += " No fine-tuned classifier for this task yet: train one in Classification."
        if report.reference is not None:
            yield {plot: None}  # a fresh plot: a live one keeps the legend of its first data
        yield {status: note, plot: curve_frame(report), table: table_frame(report)}

    def on_stop(event: threading.Event | None) -> str:
        if event is not None:
            event.set()
        return "Stopping…"

    private = {"api_visibility": "private"}
    task.change(on_task, task, dataset, **private)
    run.click(
        on_run, [task, dataset, rows, seed, column.backend, column.model, column.base_url,
                 column.api_key, column.max_new_tokens],
        [running, status, plot, table], **private,
    )  # fmt: skip
    stop.click(on_stop, running, status, **private)
