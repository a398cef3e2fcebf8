"""The Fine-tuning tab's right column: live progress and curves, the comparison, past runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.widgets import heatmap_html
from models.finetune import report
from models.finetune.methods import method_title
from models.finetune.runs import RunRecord, list_runs

READY = "Choose settings and press **Train**."


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

    def shown(self, record: dict) -> dict:
        """A finished (or past) run's comparison: table, curves, fit notes, confusion matrices."""
        return {
            self.table: gr.update(value=report.results_frame(record), visible=True),
            self.curves: report.curves_frame(record["methods"]),
            self.notes: interrupted_markdown(record) + report.fit_markdown(record),
            self.confusion: confusion_html(record),
        }

    def live(self, snapshot: dict) -> dict:
        """A running job: progress, estimates and the curves so far."""
        table = report.estimates_frame(snapshot)
        return {
            self.status: report.progress_markdown(snapshot),
            self.estimates: gr.update(value=table, visible=not table.empty),
            self.curves: report.curves_frame(snapshot["methods"]),
        }

    def cleared(self) -> dict:
        """Nothing from an earlier run; a fresh plot (its colours come from its first data)."""
        return {self.table: gr.update(visible=False), self.notes: "", self.confusion: "",
                self.curves: None}  # fmt: skip


def confusion_html(record: dict) -> str:
    """One confusion matrix per finished method."""
    labels = record["labels"]
    parts = []
    for m in record["methods"]:
        if m["confusion_matrix"]:
            title = f"{method_title(m['method'])}: accuracy {m['eval_accuracy']:.3f}"
            parts.append(
                heatmap_html(m["confusion_matrix"], labels, labels, title, "true \\ predicted")
            )
    return "".join(parts) or "<p>No finished method yet.</p>"


def finished_and_lost(record: dict) -> tuple[list[str], list[str]]:
    """An interrupted run's methods that finished (kept) and those the interruption lost."""
    kept = [m["method"] for m in record["methods"] if m["status"] in ("done", "stopped")]
    lost = [m["method"] for m in record["methods"] if m["status"] == "interrupted"]
    return kept, lost


def interrupted_markdown(record: dict) -> str:
    """For an interrupted run, a line on what was kept and what was lost; else nothing."""
    if record["status"] != "interrupted":
        return ""
    kept, lost = (", ".join(method_title(m) for m in names) or "none"
                  for names in finished_and_lost(record))  # fmt: skip
    return (
        f"⚠️ **Interrupted**: the server stopped during this run. Finished and kept: {kept}. "
        f"Lost: {lost}.\n\n"
    )


def run_label(label: str, record: RunRecord) -> str:
    """A past run's dropdown label; an interrupted run names what it kept and what it lost."""
    if record.status != "interrupted":
        return label
    kept, lost = finished_and_lost(record.as_dict())
    return f"{label} ({', '.join(kept) or 'nothing'} kept; {', '.join(lost) or 'nothing'} lost)"


def runs_dropdown(viewer: str | None = None) -> Any:
    """The past-runs dropdown, re-read from the runs folder: the runs ``viewer`` may see.

    ``viewer`` None lists every run (local use); else a session id (the operator's runs and its
    own). An interrupted run is labelled so, with the methods it kept and lost.
    """
    records = list_runs(viewer=viewer)
    choices = report.runs_choices(records)
    labelled = [
        (run_label(label, r), run_id) for (label, run_id), r in zip(choices, records, strict=True)
    ]
    return gr.update(choices=labelled)


def create_results() -> Results:
    """Status, estimates, curves, the comparison table, notes, confusion, past runs."""
    status = gr.Markdown(READY, elem_id="ft-status")
    estimates = gr.Dataframe(
        label="Estimate before training (parameter counts + a short calibration)",
        interactive=False, elem_id="ft-estimates", visible=False,
    )  # fmt: skip
    curves = gr.LinePlot(
        x="epoch", y="loss", color="series", label="Train and evaluation loss",
        y_lim=[0, None], x_label_angle=-45, elem_id="ft-curves",
    )  # fmt: skip
    table = gr.Dataframe(
        label="Measured, per method (estimates beside)", interactive=False,
        elem_id="ft-results", wrap=True, visible=False,
    )  # fmt: skip
    notes = gr.Markdown(elem_id="ft-notes")
    confusion = gr.HTML(elem_id="ft-confusion")
    with gr.Accordion("Past runs", open=False):
        with gr.Row():
            past_runs = gr.Dropdown(
                choices=[], label="Run", scale=4, elem_id="ft-runs", allow_custom_value=True
            )
            refresh_runs = gr.Button("Refresh", scale=1)
        show_run = gr.Button("Show this run")
    return Results(
        status, estimates, curves, table, notes, confusion, past_runs, refresh_runs, show_run
    )
