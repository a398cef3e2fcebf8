"""The "Evaluate" sub-tab: metrics on a labelled set, the confusion matrix, the misclassified rows.

Accuracy alone can hide a model that misses the cases that matter, so the view puts per-class
precision / recall / F1, the confusion matrix, a threshold slider for binary tasks and the rows
the model got wrong beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from demos.access import caller
from demos.classify.header import Header
from demos.widgets import column_dropdowns, heatmap_html, progress_bar, read_upload
from models.classify.evaluate import (
    EvalReport,
    evaluate,
    evaluate_frame,
    threshold_curve,
    threshold_metrics,
)
from models.classify.loaders import AUTO
from models.classify.predict import checked_choice
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.settings import get_settings
from models.core.text import detect_language
from models.datasets.registry import list_datasets
from models.datasets.sampling import sample_rows
from models.datasets.upload import ColumnMapping, apply_mapping, read_table
from models.finetune.refs import usable_model

ANY = "(any)"
MAX_SPLIT_CHARS = 40
COLUMN_NAMES = ("Text column", "Hypothesis column", "Label column")
ROWS_DONE = "Classified {done:,.0f} of {total:,.0f} rows"
# Misclassified rows: text, [hypothesis,] true, predicted, confidence.
ERROR_WIDTHS = ["61%", "14%", "14%", "11%"]
ERROR_WIDTHS_NLI = ["36%", "28%", "13%", "13%", "10%"]


def dataset_choices(task: str) -> list[str]:
    """The registered datasets of ``task``, then an upload."""
    return [spec.name for spec in list_datasets(task=task)] + ["upload"]


def errors_frame(rows: list[dict], true_value: str, predicted_value: str) -> pd.DataFrame:
    """The misclassified rows, filtered by true and predicted class."""
    wrong = [r for r in rows if r["true"] != r["predicted"]]
    if true_value != ANY:
        wrong = [r for r in wrong if r["true"] == true_value]
    if predicted_value != ANY:
        wrong = [r for r in wrong if r["predicted"] == predicted_value]
    pair = ["text_pair"] if rows and "text_pair" in rows[0] else []
    frame = pd.DataFrame(wrong, columns=["text", *pair, "true", "predicted", "confidence"])
    return frame.round({"confidence": 3})


def threshold_text(rows: list[dict], positive: str, value: float) -> str:
    """The positive class's precision / recall / F1 at one threshold, in a sentence."""
    m = threshold_metrics(rows, positive, value)
    precision = "n/a" if m["precision"] is None else f"{m['precision']:.3f}"
    return (
        f"Predicting **{positive}** when its probability ≥ {value:.2f}: precision "
        f"{precision}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}, accuracy "
        f"{m['accuracy']:.3f} ({m['predicted_positive']} of {len(rows)} rows called {positive}). "
        "A higher threshold trades recall for precision."
    )


def summary_text(report: EvalReport, uploaded: bool) -> str:
    """The headline: accuracy and macro-F1, on what, with which model."""
    where = "the uploaded file" if uploaded else f"{report.dataset}/{report.split}"
    summary = (
        f"**Accuracy {report.accuracy:.4f}** · **macro-F1 {report.macro_f1:.4f}** on "
        f"{report.n:,} rows of {where}. Model: `{report.model}` ({report.mode})."
    )
    return f"{summary}\n\n{report.note}" if report.note else summary


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

    @property
    def results(self) -> list[Any]:
        """Everything an evaluation fills (and a new one, an error or a new task clears)."""
        return [
            self.summary, self.per_class, self.confusion, self.threshold_group, self.threshold,
            self.threshold_text, self.threshold_plot, self.true_filter, self.predicted_filter,
            self.misclassified, self.report,
        ]  # fmt: skip

    def cleared(self, summary: str = "") -> dict:
        """Empty results, so an error or a new task never sits above old results."""
        no_class = gr.update(choices=[ANY], value=ANY)
        return {
            self.summary: summary, self.per_class: None, self.confusion: "",
            self.threshold_group: gr.update(visible=False), self.threshold: 0.5,
            self.threshold_text: "", self.threshold_plot: None, self.true_filter: no_class,
            self.predicted_filter: no_class, self.misclassified: None, self.report: None,
        }  # fmt: skip

    def shown(self, report: EvalReport, uploaded: bool) -> dict:
        """The results of ``report``."""
        per_class = pd.DataFrame([{"class": k, **m} for k, m in report.per_class.items()])
        matrix = heatmap_html(
            report.confusion_matrix, report.labels, report.labels, "Confusion matrix",
            "true \\ predicted",
        )  # fmt: skip
        positive = report.positive_label
        binary = positive is not None and "positive_score" in report.rows[0]
        classes = gr.update(choices=[ANY, *report.labels], value=ANY)
        return {
            self.summary: summary_text(report, uploaded),
            self.per_class: per_class.round(4),
            self.confusion: matrix,
            self.threshold_group: gr.update(visible=binary),
            self.threshold: 0.5,
            self.threshold_text: threshold_text(report.rows, positive, 0.5) if binary else "",
            self.threshold_plot: threshold_curve(report.rows, positive) if binary else None,
            self.true_filter: classes,
            self.predicted_filter: classes,
            self.misclassified: gr.update(
                value=errors_frame(report.rows, ANY, ANY),
                column_widths=ERROR_WIDTHS_NLI if report.task == "nli" else ERROR_WIDTHS,
            ),
            self.report: report,
        }

    def on_task(self, task: str) -> dict:
        datasets = dataset_choices(task)
        return {self.dataset: gr.update(choices=datasets, value=datasets[0]), **self.cleared()}

    @property
    def task_outputs(self) -> list[Any]:
        return [self.dataset, *self.results]


def create_evaluation() -> Evaluation:
    """Build the sub-tab's components (events are wired by ``wire_evaluation``)."""
    gr.Markdown(
        "Accuracy alone can hide a model that misses the cases that matter: look at "
        "per-class recall, the confusion matrix and the misclassified rows."
    )
    choices = dataset_choices("sentiment")
    with gr.Row():
        dataset = gr.Dropdown(
            choices, value=choices[0], label="Dataset", elem_id="cls-eval-dataset"
        )
        split = gr.Dropdown(["test", "validation"], value="test", label="Split")
        limit = gr.Slider(20, 5000, value=500, step=10, label="Sample size (rows)")
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(label="Labelled CSV / TSV / JSONL")
        with gr.Row():
            text_column = gr.Dropdown(label="Text column", choices=[], allow_custom_value=True)
            pair_column = gr.Dropdown(
                label="Hypothesis column (NLI)", choices=[], allow_custom_value=True
            )
            label_column = gr.Dropdown(label="Label column", choices=[], allow_custom_value=True)
    button = gr.Button("Evaluate", variant="primary", elem_id="cls-eval-go")
    summary = gr.Markdown(elem_id="cls-eval-summary")
    # Stacked, not side by side: a 7-class matrix needs the whole width.
    per_class = gr.Dataframe(label="Per class", interactive=False, elem_id="cls-per-class")
    confusion = gr.HTML(elem_id="cls-confusion")
    with gr.Group(visible=False) as threshold_group:
        threshold = gr.Slider(
            0.0, 1.0, value=0.5, step=0.01, elem_id="cls-threshold",
            label="Decision threshold for the positive class",
        )  # fmt: skip
        threshold_md = gr.Markdown(elem_id="cls-threshold-text")
        threshold_plot = gr.LinePlot(
            x="threshold", y="value", color="metric", y_lim=[0, 1],
            label="Precision and recall of the positive class vs threshold",
        )  # fmt: skip
    with gr.Row():
        true_filter = gr.Dropdown([ANY], value=ANY, label="True class")
        predicted_filter = gr.Dropdown([ANY], value=ANY, label="Predicted class")
    misclassified = gr.Dataframe(
        label="Misclassified rows", interactive=False, wrap=True, elem_id="cls-errors"
    )
    return Evaluation(
        dataset, split, limit, upload_group, upload, text_column, pair_column, label_column,
        button, summary, per_class, confusion, threshold_group, threshold, threshold_md,
        threshold_plot, true_filter, predicted_filter, misclassified, gr.State(None),
    )  # fmt: skip


def evaluate_upload(
    task: str, model: str, path: str | None, limit: float, columns: tuple[str, str, str],
    progress: Any,
) -> EvalReport:  # fmt: skip
    """Evaluate a sample of an uploaded labelled file (raises PlaygroundError)."""
    if not path:
        raise PlaygroundError("Upload a labelled file first.")
    rows = inputs.integer(limit, "Sample size", 1, get_settings().max_eval_rows)
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


def wire_evaluation(header: Header, tab: Evaluation) -> None:
    """Evaluate, filter the misclassified rows, move the threshold, switch to an upload."""

    def run(
        task: str, model: str, name: str, split: str, limit: float, path: str | None,
        text_column: str, pair_column: str, label_column: str, request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        progress(0.0, desc="Loading the data and the model")
        report_progress = progress_bar(progress, ROWS_DONE)
        try:
            task, model = checked_choice(task, model)
            model = usable_model(model, caller(request))
            if name == "upload":
                columns = (text_column, pair_column, label_column)
                report = evaluate_upload(task, model, path, limit, columns, report_progress)
            else:
                name = inputs.choice(name, "Dataset", dataset_choices(task))
                split = inputs.text(split, "Split", max_chars=MAX_SPLIT_CHARS)
                max_rows = get_settings().max_eval_rows
                rows = inputs.integer(limit, "Sample size", 1, max_rows)
                report = evaluate(task, name, split, model, rows, progress=report_progress,
                                  max_rows=max_rows)  # fmt: skip
        except PlaygroundError as err:
            return tab.cleared(f"⚠️ {public_message(str(err))}")
        return tab.shown(report, uploaded=name == "upload")

    def on_file(path: str | None) -> dict:
        if not path:
            return tab.cleared()
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return tab.cleared(f"⚠️ {err}")
        columns = (tab.text_column, tab.pair_column, tab.label_column)
        updates = dict(zip(columns, column_dropdowns(preview), strict=True))
        return {**tab.cleared(preview.describe()), **updates}

    def on_filter(report: EvalReport | None, true_value: str, predicted: str) -> Any:
        return None if report is None else errors_frame(report.rows, true_value, predicted)

    def on_threshold(report: EvalReport | None, value: float) -> str:
        if report is None or report.positive_label is None:
            return ""
        try:
            value = inputs.number(value, "The threshold", 0.0, 1.0)
        except PlaygroundError as err:
            return f"⚠️ {err}"
        return threshold_text(report.rows, report.positive_label, value)

    private = {"api_visibility": "private"}
    tab.dataset.change(
        lambda name: gr.update(visible=name == "upload"), tab.dataset, tab.upload_group, **private
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
