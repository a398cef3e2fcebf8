"""Small presentation helpers shared by tabs: heatmaps as HTML tables (readable, no extra deps),
the column dropdowns every upload fills, CSV downloads, and progress bars."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from models.core.progress import Progress
from models.core.settings import get_settings
from models.datasets.upload import UploadPreview, preview_upload

_CELL = "border:1px solid #ddd;padding:.25em .55em;text-align:center"


def _shade(value: float, low: float, high: float) -> str:
    share = 0.0 if high <= low else (value - low) / (high - low)
    # From near-white to a saturated blue; text turns white on dark cells.
    lightness = 96 - 56 * share
    text = "#fff" if lightness < 60 else "#111"
    return f"{_CELL};background:hsl(212,70%,{lightness:.0f}%);color:{text}"


def heatmap_html(
    matrix: Sequence[Sequence[float | None]],
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    axes: str,
    fmt: str = "{:.0f}",
) -> str:
    """A colour-scaled table with inline styles (no CSS needed); None cells stay blank.

    Args:
        matrix: values, one list per row.
        rows: row labels; columns: column labels.
        title: shown above the table.
        axes: the corner cell, e.g. "true \\ predicted".
        fmt: how a value is written.
    """
    values = [v for row in matrix for v in row if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    head = "".join(f'<th style="{_CELL}">{html.escape(str(c))}</th>' for c in columns)
    body = []
    for label, row in zip(rows, matrix, strict=True):
        cells = "".join(
            f'<td style="{_shade(v, low, high)}">{fmt.format(v)}</td>'
            if v is not None
            else f'<td style="{_CELL}"></td>'
            for v in row
        )
        body.append(f'<tr><th style="{_CELL}">{html.escape(str(label))}</th>{cells}</tr>')
    return (
        '<div class="heatmap" style="display:inline-block;max-width:100%;overflow-x:auto;'
        'margin:0 1.5em 1em 0;vertical-align:top">'
        f'<div style="font-weight:600;margin-bottom:.3em">{html.escape(title)}</div>'
        '<table style="border-collapse:collapse;font-size:.85em">'
        f'<thead><tr><th style="{_CELL};font-weight:400;font-style:italic">'
        f"{html.escape(axes)}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def read_upload(path: str) -> UploadPreview:
    """Preview an uploaded file under the configured row limit (raises PlaygroundError)."""
    return preview_upload(path, get_settings().max_upload_rows)


def column_dropdowns(preview: UploadPreview) -> tuple[Any, Any, Any]:
    """Updates for the text, second-text and label dropdowns, preset to the guessed mapping."""
    columns, mapping = preview.columns, preview.mapping
    return (
        gr.update(choices=columns, value=mapping.text),
        gr.update(choices=["", *columns], value=mapping.text_pair or ""),
        gr.update(choices=columns, value=mapping.label),
    )


def download_csv(frame: pd.DataFrame, stem: str) -> str:
    """Write ``frame`` to a fresh temp file for a ``gr.File`` download; returns its path."""
    folder = Path(tempfile.mkdtemp(prefix="playground-"))
    path = folder / f"{stem}.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel opens Korean correctly
    return str(path)


def progress_bar(progress: gr.Progress, describe: str = "{message}") -> Progress:
    """A ``models`` progress callback drawn as Gradio's progress bar.

    ``describe`` is formatted with ``done``, ``total`` and ``message`` for the bar's text.
    """

    def report(done: float, total: float, message: str = "") -> None:
        text = describe.format(done=done, total=total, message=message)
        progress(done / total if total else None, desc=text)

    return report


def coming_soon(title: str, what: str) -> None:
    """Say what a tab will do, so nobody mistakes an empty tab for a broken one."""
    gr.Markdown(f"### {title} — coming soon\n\n{what}")
