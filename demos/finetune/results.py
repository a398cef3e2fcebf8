"""The Fine-tuning tab's right column: live progress and curves, the comparison, past runs.

Everything here is rendered in the page's language by the handler that fills it (``lang``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.finetune.texts import T, fill
from demos.report import create_report_button, report_file
from demos.widgets import heatmap_html
from models.classify.labels import display_label
from models.core.access import public_message
from models.core.i18n import join, localize
from models.finetune import report
from models.finetune.methods import method_title
from models.finetune.runs import list_runs

READY = T.ready
# The key columns get room first: at 1280 px they fit beside the settings; the rest scroll.
COLUMN_WIDTHS = ["170px", "86px", "86px", "78px", "96px", *["104px"] * 10]


@dataclass
class Results:
    """The components a run fills."""

    status: gr.Markdown
    estimates: gr.Dataframe
    curves: gr.LinePlot
    table: gr.Dataframe
    notes: gr.Markdown
    confusion: gr.HTML
    past_runs: gr.Dropdown
    refresh_runs: gr.Button
    show_run: gr.Button
    details: gr.Markdown
    report: gr.DownloadButton

    def shown(self, record: dict, lang: str) -> dict:
        """A finished (or past) run's comparison: table, curves, fit notes, confusion matrices."""
        notes = join([interrupted_markdown(record), report.fit_markdown(record)])
        return {
            self.table: gr.update(
                value=report.localized(report.results_frame(record), lang), visible=True
            ),
            self.curves: curves_update(record["methods"], lang),
            self.notes: localize(notes, lang),
            self.confusion: confusion_html(record, lang),
            # Hosted, the server's folders are named by their role (``public_message``).
            self.details: public_message(details_markdown(record)),
        }

    def live(self, snapshot: dict, lang: str) -> dict:
        """A running job: progress, estimates and the curves so far."""
        table = report.estimates_frame(snapshot)
        return {
            self.status: localize(report.progress_markdown(snapshot), lang),
            self.estimates: gr.update(value=report.localized(table, lang), visible=not table.empty),
            self.curves: curves_update(snapshot["methods"], lang),
        }

    def cleared(self) -> dict:
        """Nothing from an earlier run; a fresh plot (its colours come from its first data)."""
        return {self.table: gr.update(visible=False), self.notes: "", self.confusion: "",
                self.curves: None, self.details: "",
                self.report: report_file(None, "en")}  # fmt: skip


def curves_update(methods: Any, lang: str) -> Any:
    """The loss curves, their axes named in ``lang``."""
    return gr.update(
        value=report.curves_frame(methods, lang),
        x_title=localize(T.epoch_axis, lang), y_title=localize(T.loss_axis, lang),
        color_title=localize(T.series_axis, lang),
    )  # fmt: skip


def _scale(n_labels: int) -> str:
    """A confusion matrix's font size: many classes get smaller cells, so the matrix fits."""
    return ".85em" if n_labels <= 4 else ".75em" if n_labels <= 8 else ".6em"


def confusion_html(record: dict, lang: str = "en") -> str:
    """One confusion matrix per finished method, each fitting its column.

    Beyond three classes the columns are numbered and the rows say which number is which class,
    so long class names never push the last columns out of view; a matrix still too wide (dozens
    of classes) scrolls inside its own box.
    """
    labels = [display_label(label, lang) for label in record["labels"]]
    numbered = len(labels) > 3
    rows = [f"{i} · {label}" for i, label in enumerate(labels, 1)] if numbered else labels
    columns = [str(i) for i in range(1, len(labels) + 1)] if numbered else labels
    parts = []
    for m in record["methods"]:
        if m["confusion_matrix"]:
            title = fill(T.accuracy_title, m=method_title(m["method"]), a=m["eval_accuracy"])
            matrix = heatmap_html(
                m["confusion_matrix"], rows, columns, localize(title, lang),
                localize(T.confusion_axes, lang),
            )  # fmt: skip
            parts.append(
                f'<div class="ft-matrix" style="display:inline-block;max-width:100%;'
                f'overflow-x:auto;vertical-align:top;font-size:{_scale(len(labels))}">'
                f"{matrix}</div>"
            )
    if not parts:
        return f"<p>{html.escape(localize(T.no_method, lang))}</p>"
    return f'<div style="max-width:100%;overflow-x:auto">{"".join(parts)}</div>'


def details_markdown(record: dict) -> str:
    """Where a run lives and what ran it: for the details view only (ids, folders, versions)."""
    versions = ", ".join(f"{k} {v}" for k, v in (record.get("versions") or {}).items())
    lines = [
        f"- run id: `{record['run_id']}`",
        f"- folder: `{record.get('folder', '')}`",
        f"- created: {record.get('created', '')} · device: {record.get('device', '')}",
        f"- base: `{(record.get('config') or {}).get('base', '')}`",
    ]
    for m in record["methods"]:
        if m.get("checkpoint"):
            lines.append(f"- {m['method']}: `{m['checkpoint']}`")
    if versions:
        lines.append(f"- {versions}")
    return "\n".join(lines)


def finished_and_lost(record: dict) -> tuple[list[str], list[str]]:
    """An interrupted run's methods that finished (kept) and those the interruption lost."""
    kept = [m["method"] for m in record["methods"] if m["status"] in ("done", "stopped")]
    lost = [m["method"] for m in record["methods"] if m["status"] == "interrupted"]
    return kept, lost


def interrupted_markdown(record: dict) -> Any:
    """For an interrupted run, a line on what was kept and what was lost; else nothing."""
    if record["status"] != "interrupted":
        return ""
    kept, lost = (
        join([method_title(m) for m in names], ", ") if names else T.none
        for names in finished_and_lost(record)
    )
    return fill(T.interrupted, kept=kept, lost=lost)


def runs_dropdown(viewer: str | None = None, lang: str = "en") -> Any:
    """The past-runs dropdown, re-read from the runs folder: the runs ``viewer`` may see.

    ``viewer`` None lists every run (local use); else a session id (the operator's runs and its
    own). Runs are named by what they are (task, methods, when, accuracy); an interrupted run
    says what it kept and what it lost. Ids and folders are in the details view.
    """
    records = list_runs(viewer=viewer)
    return gr.update(choices=[(localize(label, lang), run_id)
                              for label, run_id in report.runs_choices(records)])  # fmt: skip


def create_results() -> Results:
    """Status, estimates, curves, the comparison table, notes, confusion, past runs."""
    status = gr.Markdown(elem_id="ft-status")  # filled on page load, in the page's language
    estimates = gr.Dataframe(
        label=T.estimates, interactive=False, elem_id="ft-estimates", visible=False
    )
    curves = gr.LinePlot(
        x="epoch", y="loss", color="series", label=T.curves, y_lim=[0, None], x_label_angle=-45,
        elem_id="ft-curves",
    )  # fmt: skip
    table = gr.Dataframe(
        label=T.table, interactive=False, elem_id="ft-results", wrap=True, visible=False,
        pinned_columns=1, column_widths=COLUMN_WIDTHS, max_height=420,
    )  # fmt: skip
    notes = gr.Markdown(elem_id="ft-notes")
    confusion = gr.HTML(elem_id="ft-confusion")
    report_button = create_report_button("ft-report")
    with gr.Accordion(T.past, open=False):
        with gr.Row():
            past_runs = gr.Dropdown(
                choices=[], label=T.run, scale=4, elem_id="ft-runs", allow_custom_value=True
            )
            refresh_runs = gr.Button(T.refresh, scale=1)
        show_run = gr.Button(T.show, elem_id="ft-show-run")
        with gr.Accordion(T.details, open=False):
            details = gr.Markdown(elem_id="ft-run-details")
    return Results(
        status, estimates, curves, table, notes, confusion, past_runs, refresh_runs, show_run,
        details, report_button,
    )  # fmt: skip
