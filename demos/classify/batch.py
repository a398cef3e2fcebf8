"""The "Batch file" sub-tab: classify every row of an uploaded file and download the result."""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.classify.header import Header
from demos.widgets import column_dropdowns, download_csv, progress_bar, read_upload
from models.classify.batch import classify_table
from models.classify.predict import checked_choice
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.settings import get_settings
from models.datasets.upload import ColumnMapping, read_table
from models.finetune.refs import usable_model

ROWS_DONE = "Classified {done:,.0f} of {total:,.0f} rows"


def create_batch(header: Header) -> None:
    """Build the sub-tab and wire its events."""
    gr.Markdown("Classify every row of a CSV / TSV / JSONL and download the result.")
    upload = gr.File(label="File", file_types=[".csv", ".tsv", ".txt", ".jsonl", ".json"])
    with gr.Row():
        text_column = gr.Dropdown(label="Text column", choices=[], allow_custom_value=True)
        pair_column = gr.Dropdown(
            label="Hypothesis column (NLI)", choices=[], allow_custom_value=True
        )
    button = gr.Button("Classify the file", elem_id="cls-batch-go")
    status = gr.Markdown()
    preview = gr.Dataframe(label="Preview (first 50 rows)", interactive=False)
    download = gr.File(label="Result (CSV)")

    def on_file(path: str | None) -> dict:
        no_columns = gr.update(choices=[], value=None)
        cleared = {preview: None, download: None, text_column: no_columns, pair_column: no_columns}
        if not path:
            return {status: "", **cleared}
        try:
            shown = read_upload(path)
        except PlaygroundError as err:
            return {status: f"⚠️ {err}", **cleared}
        text_update, pair_update, _ = column_dropdowns(shown)
        return {**cleared, status: shown.describe(), text_column: text_update,
                pair_column: pair_update}  # fmt: skip

    def run(
        task: str, model: str, label_text: str, path: str | None, column: str, pair: str,
        request: gr.Request, progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        if not path:
            return {status: "⚠️ Upload a file first."}
        try:
            task, model = checked_choice(task, model)
            model = usable_model(model, caller(request))
            labels = inputs.labels(label_text, "Labels")
            column, pair = (
                inputs.text(value, name, allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
                for value, name in ((column, "Text column"), (pair, "Hypothesis column"))
            )
            table = read_table(path, get_settings().max_upload_rows)
            mapping = ColumnMapping(text=column, text_pair=pair or None)
            progress(0.0, desc=f"Classifying {len(table):,} rows")
            result = classify_table(
                table, mapping, task, model, labels, progress_bar(progress, ROWS_DONE)
            )
        except PlaygroundError as err:
            return {status: f"⚠️ {public_message(str(err))}", preview: None, download: None}
        return {
            status: result.describe(),
            preview: result.frame.head(50),
            download: download_csv(result.frame, "classified"),
        }

    upload.change(
        on_file, upload, [status, text_column, pair_column, preview, download],
        api_visibility="private",
    )  # fmt: skip
    button.click(
        run, [header.task, header.model, header.labels, upload, text_column, pair_column],
        [status, preview, download], api_visibility="private",
    )  # fmt: skip
