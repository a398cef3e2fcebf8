"""The "Evaluate" sub-tab: metrics on a labelled set, the confusion matrix, the misclassified rows.

Accuracy alone can hide a model that misses the cases that matter, so the view puts per-class
precision / recall / F1, the confusion matrix, a threshold slider for binary tasks and the rows
the model got wrong beside it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.classify.eval_tables import (
    ANY,
    class_choices,
    errors_frame,
    per_class_frame,
    summary_text,
    threshold_plot_data,
    threshold_text,
)
from demos.classify.header import Header
from demos.classify.reports import evaluation_report
from demos.i18n import on_load, on_switch
from demos.report import create_report_button, report_file
from demos.widgets import column_dropdowns, heatmap_html, progress_bar, read_upload
from models.classify.evaluate import EvalReport, evaluate, evaluate_frame
from models.classify.labels import display_label
from models.classify.loaders import AUTO
from models.classify.predict import checked_choice
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.settings import get_settings
from models.core.text import detect_language
from models.datasets.registry import list_datasets
from models.datasets.sampling import sample_rows
from models.datasets.upload import ColumnMapping, apply_mapping, read_table
from models.finetune.refs import usable_model

UPLOAD = "upload"
MAX_SPLIT_CHARS = 40
COLUMN_NAMES = (
    Text("Text column", "텍스트 열"),
    Text("Hypothesis column", "가설 열"),
    Text("Label column", "레이블 열"),
)
ROWS_DONE = Text(
    "Classified {done:,.0f} of {total:,.0f} rows", "{total:,.0f}개 행 중 {done:,.0f}개 분류함"
)
# Misclassified rows: the key columns (true, predicted, confidence) first, then the texts, which
# wrap and take the rest of the width.
ERROR_WIDTHS = ["14%", "14%", "10%", "62%"]
ERROR_WIDTHS_NLI = ["13%", "13%", "10%", "36%", "28%"]


def dataset_choices(task: str) -> list[str]:
    """The registered datasets of ``task``, then an upload."""
    return [spec.name for spec in list_datasets(task=task)] + [UPLOAD]


def dataset_entries(task: str) -> list[tuple[str | Text, str]]:
    """``dataset_choices`` for the dropdown: datasets by name, the upload in words."""
    upload = Text("upload: a labelled file of your own", "레이블이 달린 내 파일 올리기")
    return [(upload if name == UPLOAD else name, name) for name in dataset_choices(task)]


@dataclass
class Evaluation:
    """The sub-tab's components."""

    dataset: gr.Dropdown
    split: gr.Dropdown
    limit: gr.Slider
    upload_group: gr.Group
    upload: gr.File
    text_column: gr.Dropdown
    pair_column: gr.Dropdown
    label_column: gr.Dropdown
    button: gr.Button
    summary: gr.Markdown
    per_class: gr.Dataframe
    confusion: gr.HTML
    threshold_group: gr.Group
    threshold: gr.Slider
    threshold_text: gr.Markdown
    threshold_plot: gr.LinePlot
    true_filter: gr.Dropdown
    predicted_filter: gr.Dropdown
    misclassified: gr.Dataframe
    report: gr.State
    download: gr.DownloadButton  # the take-away report of the last evaluation

    @property
    def results(self) -> list[Any]:
        """Everything an evaluation fills (and a new one, an error or a new task clears)."""
        return [
            self.summary, self.per_class, self.confusion, self.threshold_group, self.threshold,
            self.threshold_text, self.threshold_plot, self.true_filter, self.predicted_filter,
            self.misclassified, self.report, self.download,
        ]  # fmt: skip

    def cleared(self, summary: str = "", lang: str | None = None) -> dict:
        """Empty results, so an error or a new task never sits above old results (``lang``
        None: the filters' entries stay ``Text``s for the caller to render)."""
        no_class = gr.update(choices=class_choices([], lang), value=ANY)
        return {
            self.summary: summary, self.per_class: None, self.confusion: "",
            self.threshold_group: gr.update(visible=False), self.threshold: 0.5,
            self.threshold_text: "", self.threshold_plot: None, self.true_filter: no_class,
            self.predicted_filter: no_class, self.misclassified: None, self.report: None,
            self.download: gr.update(value=None, visible=False),
        }  # fmt: skip

    def shown(self, report: EvalReport, uploaded: bool, lang: str = "en") -> dict:
        """The results of ``report``, in ``lang`` (the report itself keeps the raw labels)."""
        shown_labels = [display_label(label, lang) for label in report.labels]
        matrix = heatmap_html(
            report.confusion_matrix, shown_labels, shown_labels,
            Text("Confusion matrix", "혼동 행렬").in_lang(lang),
            Text("true \\ predicted", "실제 \\ 예측").in_lang(lang),
        )  # fmt: skip
        positive = report.positive_label
        binary = positive is not None and "positive_score" in report.rows[0]
        classes = gr.update(choices=class_choices(report.labels, lang), value=ANY)
        plot = (
            gr.update(
                value=threshold_plot_data(report.rows, positive, lang),
                x_title=Text("threshold", "임계값").in_lang(lang),
                y_title=Text("value", "값").in_lang(lang), color_title="",
            )
            if binary
            else None
        )  # fmt: skip
        return {
            self.summary: public_message(localize(summary_text(report, uploaded), lang)),
            self.per_class: per_class_frame(report, lang),
            self.confusion: matrix,
            self.threshold_group: gr.update(visible=binary),
            self.threshold: 0.5,
            self.threshold_text: (
                localize(threshold_text(report.rows, positive, 0.5), lang) if binary else ""
            ),
            self.threshold_plot: plot,
            self.true_filter: classes,
            self.predicted_filter: classes,
            self.misclassified: gr.update(
                value=errors_frame(report.rows, ANY, ANY, lang),
                column_widths=ERROR_WIDTHS_NLI if report.task == "nli" else ERROR_WIDTHS,
            ),
            self.report: report,
        }

    def redrawn(self, report: EvalReport, threshold: Any, true_value: Any, predicted: Any,
                lang: str) -> dict:  # fmt: skip
        """``shown`` again in ``lang`` (after a language switch), keeping what the reader set: the
        threshold and the two filters. Nothing is computed again."""
        shown = self.shown(report, report.dataset == UPLOAD, lang)
        classes = [ANY, *report.labels]
        true_value = true_value if true_value in classes else ANY
        predicted = predicted if predicted in classes else ANY
        for control, value in ((self.true_filter, true_value), (self.predicted_filter, predicted)):
            shown[control] = gr.update(choices=class_choices(report.labels, lang), value=value)
        shown[self.misclassified]["value"] = errors_frame(report.rows, true_value, predicted, lang)
        if report.positive_label is not None and shown[self.threshold_text]:
            with contextlib.suppress(PlaygroundError):  # an unreadable threshold stays 0.5
                value = inputs.number(threshold, Text("The threshold", "임계값"), 0.0, 1.0)
                shown[self.threshold] = value
                text = threshold_text(report.rows, report.positive_label, value)
                shown[self.threshold_text] = localize(text, lang)
        del shown[self.report]  # the same report
        return shown

    def on_task(self, task: str) -> dict:
        datasets = dataset_entries(task)
        return {
            self.dataset: gr.update(choices=datasets, value=datasets[0][1]),
            **self.cleared(),
        }

    @property
    def task_outputs(self) -> list[Any]:
        return [self.dataset, *self.results]


def create_evaluation() -> Evaluation:
    """Build the sub-tab's components (events are wired by ``wire_evaluation``)."""
    gr.Markdown(
        Text(
            "Accuracy alone can hide a model that misses the cases that matter: look at "
            "per-class recall, the confusion matrix and the misclassified rows.",
            "정확도만 보면 중요한 경우를 놓치는 모델을 알아보지 못할 수 있습니다. 클래스별 재현율, "
            "혼동 행렬, 틀린 행을 함께 보세요.",
        )
    )
    # Choices the task changes are filled by handlers, in the page's language (on load too).
    names = [name for name in dataset_choices("sentiment") if name != UPLOAD]
    with gr.Row():
        dataset = gr.Dropdown(
            names, value=names[0], label=Text("Dataset", "데이터셋"), elem_id="cls-eval-dataset"
        )
        split = gr.Dropdown(
            [(Text("test", "테스트"), "test"), (Text("validation", "검증"), "validation")],
            value="test", label=Text("Split", "분할"),
        )  # fmt: skip
        limit = gr.Slider(
            20, 5000, value=500, step=10, label=Text("Sample size (rows)", "표본 크기(행)")
        )
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(
            label=Text("Labelled CSV / TSV / JSONL", "레이블이 달린 CSV / TSV / JSONL")
        )
        with gr.Row():
            text_column = gr.Dropdown(label=COLUMN_NAMES[0], choices=[], allow_custom_value=True)
            pair_column = gr.Dropdown(
                label=Text("Hypothesis column (NLI)", "가설 열(자연어 추론)"), choices=[],
                allow_custom_value=True,
            )  # fmt: skip
            label_column = gr.Dropdown(label=COLUMN_NAMES[2], choices=[], allow_custom_value=True)
    button = gr.Button(Text("Evaluate", "평가"), variant="primary", elem_id="cls-eval-go")
    summary = gr.Markdown(elem_id="cls-eval-summary")
    # Stacked, not side by side: a 7-class matrix needs the whole width.
    per_class = gr.Dataframe(
        label=Text("Per class", "클래스별"), interactive=False, elem_id="cls-per-class"
    )
    confusion = gr.HTML(elem_id="cls-confusion")
    with gr.Group(visible=False) as threshold_group:
        threshold = gr.Slider(
            0.0, 1.0, value=0.5, step=0.01, elem_id="cls-threshold",
            label=Text("Decision threshold for the positive class", "긍정 클래스의 결정 임계값"),
        )  # fmt: skip
        threshold_md = gr.Markdown(elem_id="cls-threshold-text")
        threshold_plot = gr.LinePlot(
            x="threshold", y="value", color="metric", y_lim=[0, 1],
            label=Text("Precision and recall of the positive class vs threshold",
                       "임계값에 따른 긍정 클래스의 정밀도와 재현율"),
        )  # fmt: skip
    with gr.Row():
        # "—" until an evaluation fills them with its classes, in the page's language.
        true_filter = gr.Dropdown([("—", ANY)], value=ANY, label=Text("True class", "실제 클래스"))
        predicted_filter = gr.Dropdown(
            [("—", ANY)], value=ANY, label=Text("Predicted class", "예측 클래스")
        )
    misclassified = gr.Dataframe(
        label=Text("Misclassified rows", "잘못 분류된 행"), interactive=False, wrap=True,
        elem_id="cls-errors",
    )  # fmt: skip
    download = create_report_button("cls-eval-report")
    return Evaluation(
        dataset, split, limit, upload_group, upload, text_column, pair_column, label_column,
        button, summary, per_class, confusion, threshold_group, threshold, threshold_md,
        threshold_plot, true_filter, predicted_filter, misclassified, gr.State(None), download,
    )  # fmt: skip


def evaluate_upload(
    task: str, model: str, path: str | None, limit: float, columns: tuple[str, str, str],
    progress: Any,
) -> EvalReport:  # fmt: skip
    """Evaluate a sample of an uploaded labelled file (raises PlaygroundError)."""
    if not path:
        raise PlaygroundError(
            Text("Upload a labelled file first.", "먼저 레이블이 달린 파일을 올리세요.")
        )
    rows = inputs.integer(limit, SAMPLE_SIZE, 1, get_settings().max_eval_rows)
    text_column, pair_column, label_column = (
        inputs.text(column, name, allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
        for column, name in zip(columns, COLUMN_NAMES, strict=True)
    )
    table = read_table(path, get_settings().max_upload_rows)
    mapping = ColumnMapping(text_column, label_column or None, pair_column or None)
    frame = apply_mapping(table, mapping, need_label=True)
    frame = sample_rows(frame, min(rows, len(frame)), 0)
    language = detect_language(" ".join(frame["text"].head(20)))
    return evaluate_frame(frame, task, model or AUTO, language, progress=progress)


SAMPLE_SIZE = Text("Sample size", "표본 크기")


def uploaded_name(path: str | None) -> Text:
    """An uploaded file by its own name (never the server's folder it was saved in)."""
    return Text("uploaded file {name}", "올린 파일 {name}", name=Path(path or "").name)


def wire_evaluation(app: gr.Blocks, header: Header, tab: Evaluation) -> None:
    """Evaluate, filter the misclassified rows, move the threshold, switch to an upload."""

    def failed(err: PlaygroundError, lang: str) -> str:
        return f"⚠️ {public_message(localize(error_text(err), lang))}"

    def run(
        task: str, model: str, name: str, split: str, limit: float, path: str | None,
        text_column: str, pair_column: str, label_column: str, request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        lang = lang_of(request)
        loading = Text("Loading the data and the model", "데이터와 모델을 불러오는 중")
        progress(0.0, desc=loading.in_lang(lang))
        report_progress = progress_bar(progress, ROWS_DONE, lang)
        try:
            task, model = checked_choice(task, model)
            model = usable_model(model, caller(request))
            if name == UPLOAD:
                columns = (text_column, pair_column, label_column)
                report = evaluate_upload(task, model, path, limit, columns, report_progress)
                where, rows = uploaded_name(path), limit
            else:
                name = inputs.choice(name, Text("Dataset", "데이터셋"), dataset_choices(task))
                split = inputs.text(split, Text("Split", "분할"), max_chars=MAX_SPLIT_CHARS)
                max_rows = get_settings().max_eval_rows
                rows = inputs.integer(limit, SAMPLE_SIZE, 1, max_rows)
                report = evaluate(task, name, split, model, rows, progress=report_progress,
                                  max_rows=max_rows)  # fmt: skip
                where = Text("{d}/{s}", "{d}/{s}", d=name, s=split)
        except PlaygroundError as err:
            return tab.cleared(failed(err, lang), lang)
        takeaway = evaluation_report(report, where, int(rows))
        return {**tab.shown(report, uploaded=name == UPLOAD, lang=lang),
                tab.download: report_file(takeaway, lang)}  # fmt: skip

    def on_file(path: str | None, request: gr.Request) -> dict:
        lang = lang_of(request)
        if not path:
            return tab.cleared(lang=lang)
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return tab.cleared(failed(err, lang), lang)
        columns = (tab.text_column, tab.pair_column, tab.label_column)
        updates = dict(zip(columns, column_dropdowns(preview), strict=True))
        return {**tab.cleared(localize(preview.describe(), lang), lang), **updates}

    def on_filter(
        report: EvalReport | None, true_value: str, predicted: str, request: gr.Request
    ) -> Any:
        if report is None:
            return None
        return errors_frame(report.rows, true_value, predicted, lang_of(request))

    def on_threshold(report: EvalReport | None, value: float, request: gr.Request) -> str:
        if report is None or report.positive_label is None:
            return ""
        lang = lang_of(request)
        try:
            value = inputs.number(value, Text("The threshold", "임계값"), 0.0, 1.0)
        except PlaygroundError as err:
            return failed(err, lang)
        return localize(threshold_text(report.rows, report.positive_label, value), lang)

    def datasets_for(task: str, request: gr.Request) -> dict:
        # Choices only: the dataset chosen stays (a language switch must not reset the form).
        return gr.update(choices=localize(dataset_entries(task), lang_of(request)))

    redrawn = [c for c in tab.results if c not in (tab.report, tab.download)]

    def redraw_evaluation(
        report: EvalReport | None, threshold: Any, true_value: Any, predicted: Any,
        request: gr.Request,
    ) -> dict:  # fmt: skip
        if report is None:
            return {component: gr.skip() for component in redrawn}
        return tab.redrawn(report, threshold, true_value, predicted, lang_of(request))

    private: dict = {"api_visibility": "private"}
    on_load(app, datasets_for, header.task, tab.dataset)
    on_switch(
        app,
        redraw_evaluation,
        [tab.report, tab.threshold, tab.true_filter, tab.predicted_filter],
        redrawn,
    )
    tab.dataset.change(
        lambda name: gr.update(visible=name == UPLOAD), tab.dataset, tab.upload_group, **private
    )
    tab.upload.change(
        on_file, tab.upload,
        [*tab.results, tab.text_column, tab.pair_column, tab.label_column], **private,
    )  # fmt: skip
    tab.button.click(
        run,
        [header.task, header.model, tab.dataset, tab.split, tab.limit, tab.upload,
         tab.text_column, tab.pair_column, tab.label_column],
        tab.results, **private,
    )  # fmt: skip
    for control in (tab.true_filter, tab.predicted_filter):
        control.change(
            on_filter, [tab.report, tab.true_filter, tab.predicted_filter], tab.misclassified,
            **private,
        )  # fmt: skip
    tab.threshold.change(on_threshold, [tab.report, tab.threshold], tab.threshold_text, **private)
