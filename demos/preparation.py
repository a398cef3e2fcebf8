"""Models & data's first panel: what the start-up preparation has made ready, and what it is doing.

A timer refreshes the lines while the preparation runs, and switches itself off when it ends.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.access import caller
from demos.i18n import on_load
from demos.safety import api_guard
from models.core.access import NotAllowed, public_data, public_message, require_operator
from models.core.settings import get_settings
from models.prepare.background import get_preparation
from models.prepare.status import rows, summary

REFRESH_S = 2.0


def preparation_view() -> tuple[str, pd.DataFrame, dict]:
    """The summary, a row per item, and whether the timer keeps ticking."""
    preparation = get_preparation()
    lines = public_data(rows(preparation))  # a public server's answer names no server folder
    table = pd.DataFrame(lines, columns=["item", "state", "progress", "detail"])
    return (
        public_message(summary(preparation, get_settings().prepare)),
        table,
        gr.Timer(active=preparation.running),
    )


def _operated(action: str, what: str, request: gr.Request | None) -> tuple[str, pd.DataFrame, dict]:
    """Do ``action`` on the preparation if the caller operates this server; then the view."""
    try:
        require_operator(caller(request), what)
    except NotAllowed as err:
        summary_text, table, timer = preparation_view()
        return f"⚠️ {err}\n\n{summary_text}", table, timer
    getattr(get_preparation(), action)()
    return preparation_view()


def prepare_now(request: gr.Request) -> tuple[str, pd.DataFrame, dict]:
    """Start (or resume) the preparation; what is ready already is skipped."""
    return _operated("start", "starting the preparation", request)


def stop_preparation(request: gr.Request) -> tuple[str, pd.DataFrame, dict]:
    return _operated("stop", "stopping the preparation", request)


@api_guard
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
    with gr.Row() as buttons:  # shown to this server's operators only (see below)
        start = gr.Button("Prepare now", elem_id="prepare-start", size="sm")
        stop = gr.Button("Stop preparation", variant="stop", elem_id="prepare-stop", size="sm")
    timer = gr.Timer(REFRESH_S, active=False)

    outputs = [status, table, timer]
    on_load(app, preparation_view, outputs=outputs)
    timer.tick(preparation_view, outputs=outputs, api_visibility="private", show_progress="hidden")
    start.click(prepare_now, outputs=outputs, api_name="prepare")
    stop.click(stop_preparation, outputs=outputs, api_visibility="private")
    gr.api(preparation_api, api_name="preparation")

    def shown_to(request: gr.Request) -> dict:
        return gr.update(visible=caller(request).operator)

    on_load(app, shown_to, outputs=buttons, again_on_switch=False)
