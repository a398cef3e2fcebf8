"""The take-away report button every tab shows under its last result (``models.core.report``)."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path

import gradio as gr

from models.core.access import public_message
from models.core.i18n import Text
from models.core.report import Report, write_report

REPORTS = Path(tempfile.gettempdir()) / "playground-reports"
KEEP_S = 3600  # a report is fetched once, right after it is made; an hour is plenty
LABEL = Text("Download a report of this result", "이 결과를 보고서로 내려받기")


def create_report_button(elem_id: str) -> gr.DownloadButton:
    """Hidden until the tab has a result."""
    return gr.DownloadButton(LABEL, visible=False, size="sm", elem_id=elem_id)


def _prune(now: float) -> None:
    for folder in REPORTS.glob("*"):
        try:
            if now - folder.stat().st_mtime > KEEP_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # removed by a concurrent prune
            continue


def report_file(report: Report | None, lang: str) -> dict:
    """The button's update: the report written in ``lang`` (a fresh folder per report), or hidden
    when there is no result."""
    if report is None:
        return gr.update(visible=False, value=None)
    now = time.time()
    _prune(now)
    folder = REPORTS / uuid.uuid4().hex
    folder.mkdir(parents=True)
    # On a public server the report names no server folder, like every other answer.
    path = write_report(report, lang, folder, scrub=public_message)
    return gr.update(visible=True, value=str(path))
