"""The "Batch file" sub-tab: classify every row of an uploaded file and download the result."""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.classify.choices import model_name
from demos.classify.header import Header
from demos.widgets import column_dropdowns, download_csv, progress_bar, read_upload
from models.classify.batch import classify_table
from models.classify.predict import checked_choice
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.settings import get_settings
from models.datasets.upload import ColumnMapping, read_table
from models.finetune.refs import usable_model

ROWS_DONE = Text(
    "Classified {done:,.0f} of {total:,.0f} rows", "{total:,.0f}개 행 중 {done:,.0f}개 분류함"
)
TEXT_COLUMN = Text("Text column", "텍스트 열")
PAIR_COLUMN = Text("Hypothesis column (NLI)", "가설 열(자연어 추론)")


def _failed(err: PlaygroundError, lang: str) -> str:
    return f"⚠️ {public_message(localize(error_text(err), lang))}"


def create_batch(header: Header) -> None:
    """Build the sub-tab and wire its events."""
    gr.Markdown(
        Text(
            "Classify every row of a CSV / TSV / JSONL and download the result.",
            "CSV / TSV / JSONL 파일의 모든 행을 분류하고 결과를 내려받습니다.",
        )
    )
    upload = gr.File(
        label=Text("File", "파일"), file_types=[".csv", ".tsv", ".txt", ".jsonl", ".json"]
    )
    with gr.Row():
        text_column = gr.Dropdown(label=TEXT_COLUMN, choices=[], allow_custom_value=True)
        pair_column = gr.Dropdown(label=PAIR_COLUMN, choices=[], allow_custom_value=True)
    button = gr.Button(Text("Classify the file", "파일 분류"), elem_id="cls-batch-go")
    status = gr.Markdown()
    preview = gr.Dataframe(
        label=Text("Preview (first 50 rows)", "미리 보기(처음 50행)"), interactive=False
    )
    download = gr.File(label=Text("Result (CSV)", "결과(CSV)"))

    def on_file(path: str | None, request: gr.Request) -> dict:
        no_columns = gr.update(choices=[], value=None)
        cleared = {preview: None, download: None, text_column: no_columns, pair_column: no_columns}
        if not path:
            return {status: "", **cleared}
        lang = lang_of(request)
        try:
            shown = read_upload(path)
        except PlaygroundError as err:
            return {status: _failed(err, lang), **cleared}
        text_update, pair_update, _ = column_dropdowns(shown)
        return {**cleared, status: localize(shown.describe(), lang), text_column: text_update,
                pair_column: pair_update}  # fmt: skip

    def run(
        task: str, model: str, label_text: str, path: str | None, column: str, pair: str,
        request: gr.Request, progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        lang = lang_of(request)
        if not path:
            return {
                status: localize(Text("⚠️ Upload a file first.", "⚠️ 먼저 파일을 올리세요."), lang)
            }
        try:
            task, model = checked_choice(task, model)
            model = usable_model(model, caller(request))
            labels = inputs.labels(label_text, Text("Labels", "레이블"))
            column, pair = (
                inputs.text(value, name, allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
                for value, name in ((column, TEXT_COLUMN), (pair, PAIR_COLUMN))
            )
            table = read_table(path, get_settings().max_upload_rows)
            mapping = ColumnMapping(text=column, text_pair=pair or None)
            progress(0.0, desc=localize(Text("Classifying {n:,} rows", "{n:,}개 행 분류 중",
                                             n=len(table)), lang))  # fmt: skip
            result = classify_table(
                table, mapping, task, model, labels, progress_bar(progress, ROWS_DONE, lang)
            )
        except PlaygroundError as err:
            return {status: _failed(err, lang), preview: None, download: None}
        # The file keeps the raw labels (a program reads it); the line names the model in words.
        described = result.describe(model_name(result.model))
        return {
            status: public_message(localize(described, lang)),
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
