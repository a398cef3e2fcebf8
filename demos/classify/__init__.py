"""The Classification tab: sentiment, NLI and intent; scores, word attributions, evaluation.

A thin UI over ``models.classify``. The header (task, model, status) and the row that trains a
task's default sit above three sub-tabs, each in its own module: ``try_it``, ``batch``,
``evaluation``. ``api`` holds the named endpoints.
"""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.classify.api import classify_api, evaluate_api
from demos.classify.batch import create_batch
from demos.classify.evaluation import create_evaluation, wire_evaluation
from demos.classify.header import create_header, create_labels, wire_header
from demos.classify.train_default import create_train_default, wire_train_default
from demos.classify.try_it import create_try_it, wire_try_it
from models.core.access import viewer

INTRO = (
    "Classify Korean or English text: **sentiment**, **NLI** (does the premise entail the "
    "hypothesis?) and **intent**. See the label scores, which words drove the decision, how "
    "the model copes with small rewrites, and how it does on a whole labelled set."
)


def create_classification_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events."""
    gr.Markdown(INTRO)
    header = create_header()
    training = create_train_default()
    create_labels(header)
    with gr.Tabs():
        with gr.Tab("Try it"):
            try_it = create_try_it()
        with gr.Tab("Batch file"):
            create_batch(header)
        with gr.Tab("Evaluate"):
            evaluation = create_evaluation()

    parts = (header, training, try_it, evaluation)

    def on_task(task: str, request: gr.Request) -> dict:
        # Each part resets what depends on the task; nothing of the previous task stays.
        changes = {k: v for part in parts for k, v in part.on_task(task).items()}
        return {**changes, **header.on_task(task, viewer(caller(request)))}

    header.task.change(
        on_task, header.task, [c for part in parts for c in part.task_outputs],
        api_visibility="private",
    )  # fmt: skip
    wire_header(app, header)
    wire_train_default(app, header, training)
    wire_try_it(header, try_it)
    wire_evaluation(header, evaluation)
    gr.api(classify_api, api_name="classify")
    gr.api(evaluate_api, api_name="evaluate")
