"""Fine-tune the encoder for the chosen bank: full and LoRA side by side, live, stoppable.

A thin UI over ``models.rank.tune``: the job holds the server's training slot, its progress and
loss curves show while it runs, and the comparison (hit@1 before and after on the held-out
questions, trainable parameters, time, memory, checkpoint size) when it ends. The tuned encoders
join the ranker list of that bank.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from demos.jobs import follow_job, stop_job
from demos.rank.chat import ChatControls, checked_ranker, chosen_bank, model_choices
from models.core.errors import PlaygroundError
from models.core.jobs import Job, start_job
from models.core.monitor import Monitor
from models.rank.banks import QABank
from models.rank.encoders import SELECTION_PART
from models.rank.rankers import LEXICAL, MEMORY
from models.rank.tune import METHODS, TuneRecord, TuneSettings, comparison_rows, run_tune

EXPLAIN = (
    "Contrastive training on this bank's own pairs (a question and another question with the "
    "same answer, a question and its answer; with hard negatives, the other-answer question the "
    "base model ranks first). The held-out questions of the evaluation are never trained on. "
    f"An encoder that beats the base on the {SELECTION_PART} half becomes this bank's *auto* "
    "ranker; the test half is reported beside it. The encoder tuned is the chosen ranker's "
    "(auto: the default e5). On 2 CPU cores a step takes seconds: expect "
    "small changes from a few minutes (measured in docs/BENCHMARKS.md)."
)


def curves(snapshot: dict) -> pd.DataFrame:
    """Loss per step of every method so far.

    Every method has a placeholder row (loss NaN, not drawn) from the start: a live plot fixes
    its colour legend from the first data it sees, and would never draw a later method.
    """
    names = list(snapshot["methods"])
    rows = [{"step": 0, "loss": float("nan"), "method": METHODS.get(n, n)} for n in names]
    rows += [
        {"step": point["step"], "loss": point["loss"], "method": METHODS.get(name, name)}
        for name, entry in snapshot["methods"].items()
        for point in entry["history"]
    ]
    return pd.DataFrame(rows, columns=["step", "loss", "method"])


def progress_text(snapshot: dict) -> str:
    lines = [f"**{snapshot['phase']}** · {snapshot['elapsed_s'] / 60:.1f} min"]
    for name, entry in snapshot["methods"].items():
        total = entry["total_steps"] or "?"
        lines.append(
            f"- {METHODS.get(name, name)}: {entry['status']}, step {entry['step']} of ~{total}"
        )
    return "\n".join(lines)


def create_tune(controls: ChatControls) -> None:
    """The accordion with the form, Train / Stop, progress, curves and the comparison."""
    defaults = TuneSettings()
    with gr.Accordion("Fine-tune the encoder for this bank", open=False):
        gr.Markdown(EXPLAIN)
        with gr.Row():
            methods = gr.CheckboxGroup(
                [(title, key) for key, title in METHODS.items()], value=list(defaults.methods),
                label="Methods", elem_id="rank-tune-methods",
            )  # fmt: skip
            minutes = gr.Slider(0.25, 30, value=defaults.minutes, step=0.25,
                                label="Training time per method (minutes)",
                                elem_id="rank-tune-minutes")  # fmt: skip
            hard = gr.Checkbox(defaults.hard_negatives, label="Hard negatives")
        with gr.Row():
            train = gr.Button("Train", variant="primary", elem_id="rank-tune-train")
            stop = gr.Button("Stop", elem_id="rank-tune-stop")
        status = gr.Markdown(elem_id="rank-tune-status")
        plot = gr.LinePlot(x="step", y="loss", color="method", label="Training loss",
                           elem_id="rank-tune-curves")  # fmt: skip
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="rank-tune-results")
    job_state = gr.State(None)

    def on_train(
        bank_name: str, model_ref: str, user_bank: QABank | None, chosen: list[str],
        budget: float, negatives: bool,
    ) -> Any:  # fmt: skip
        def start() -> Job:
            qa = chosen_bank(bank_name, user_bank)
            ranker, _ = checked_ranker(model_ref, MEMORY)
            if ranker == LEXICAL:
                raise PlaygroundError("The lexical ranker has no encoder: choose an embedding "
                                      "model as the ranker to fine-tune it.")  # fmt: skip
            settings = TuneSettings(qa.name, ranker, tuple(chosen or ()),
                                    float(budget), hard_negatives=bool(negatives))  # fmt: skip
            settings.check()
            monitor = Monitor(list(settings.methods))
            return start_job(f"tuning the encoder for {qa.title}", monitor,
                             lambda m: run_tune(qa, settings, m))  # fmt: skip

        def finished(job: Job) -> dict:
            record: TuneRecord = job.result
            done = [m for m in record.methods if m.status != "failed"]
            note = "Done." if done else "No method finished."
            return {status: f"{note} The tuned encoders are in the Ranker list.",
                    plot: curves(job.monitor.snapshot()),
                    table: pd.DataFrame(comparison_rows(record)),
                    controls.model: gr.update(choices=model_choices(record.bank))}  # fmt: skip

        yield from follow_job(
            start,
            started=lambda job: {job_state: job, status: "Starting…", table: None, plot: None},
            progress=lambda snap: {status: progress_text(snap), plot: curves(snap)},
            finished=finished,
            refused=lambda message: {status: f"⚠️ {message}"},
        )

    def on_stop(job: Job | None) -> str:
        return stop_job(job, "Nothing is training.", "Stopping after the current step…")

    train.click(
        on_train, [controls.bank, controls.model, controls.uploaded, methods, minutes, hard],
        [job_state, status, plot, table, controls.model], api_visibility="private",
    )  # fmt: skip
    stop.click(on_stop, job_state, status, api_visibility="private")
