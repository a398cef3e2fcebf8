"""Small presentation helpers shared by tabs: heatmaps as HTML tables (readable, no extra deps),
and the column dropdowns every upload fills."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import gradio as gr

if TYPE_CHECKING:
    from models.datasets.upload import UploadPreview

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
    from models.datasets.upload import preview_upload  # pandas: not at app start-up
    from models.settings import get_settings

    return preview_upload(path, get_settings().max_upload_rows)


def column_dropdowns(preview: UploadPreview) -> tuple[Any, Any, Any]:
    """Updates for the text, second-text and label dropdowns, preset to the guessed mapping."""
    columns, mapping = preview.columns, preview.mapping
    return (
        gr.update(choices=columns, value=mapping.text),
        gr.update(choices=["", *columns], value=mapping.text_pair or ""),
        gr.update(choices=columns, value=mapping.label),
    )
