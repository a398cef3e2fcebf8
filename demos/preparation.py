"""Models & data's first panel: what the start-up preparation has made ready, and what it is doing.

A timer refreshes the lines while the preparation runs, and switches itself off when it ends.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from models.core.settings import get_settings
from models.prepare.background import get_preparation
from models.prepare.status import rows, summary

REFRESH_S = 2.0


def preparation_view() -> tuple[str, pd.DataFrame, dict]:
    """The summary, a row per item, and whether the timer keeps ticking."""
    preparation = get_preparation()
    table = pd.DataFrame(rows(preparation), columns=["item", "state", "progress", "detail"])
    return (
        summary(preparation, get_settings().prepare),
        table,
        gr.Timer(active=preparation.running),
    )


def prepare_now() -> tuple[str, pd.DataFrame, dict]:
    """Start (or resume) the preparation; what is ready already is skipped."""
    get_preparation().start()
    return preparation_view()


def stop_preparation() -> tuple[str, pd.DataFrame, dict]:
    get_preparation().stop()
    return preparation_view()


def preparation_api() -> dict:
    """Where the preparation stands: {"running", "summary", "items": [{"key", "title", "state",
    "detail", "fraction", "eta_s"}]}."""
    preparation = get_preparation()
    return {
        "running": preparation.running,
        "summary": summary(preparation, get_settings().prepare),
        "items": [
            {
                "key": line.key,
                "title": line.title,
                "state": line.state,
                "detail": line.detail,
                "fraction": line.fraction,
                "eta_s": line.remaining_s() if line.state == "running" else None,
            }
            for line in preparation.lines()
        ],
    }


def create_preparation_panel(app: gr.Blocks) -> None:
    gr.Markdown(
        "### Ready when opened\n"
        "On start-up the app converts the packaged models, builds the answer-ranking index and "
        "trains each task's default model in the background, in that order (the same as "
        "`python -m models.prepare`). Each goes live when it is ready; until then its tab says "
        "so and uses zero-shot."
    )
    status = gr.Markdown(elem_id="prepare-summary")
    table = gr.Dataframe(elem_id="prepare-lines", interactive=False, wrap=True)
    with gr.Row():
        start = gr.Button("Prepare now", elem_id="prepare-start", size="sm")
        stop = gr.Button("Stop preparation", variant="stop", elem_id="prepare-stop", size="sm")
    timer = gr.Timer(REFRESH_S, active=False)

    outputs = [status, table, timer]
    app.load(preparation_view, outputs=outputs, api_visibility="private")
    timer.tick(preparation_view, outputs=outputs, api_visibility="private", show_progress="hidden")
    start.click(prepare_now, outputs=outputs, api_name="prepare")
    stop.click(stop_preparation, outputs=outputs, api_visibility="private")
    gr.api(preparation_api, api_name="preparation")
