"""Small presentation helpers shared by tabs: heatmaps as HTML tables (readable, no extra deps),
collapsed details, the column dropdowns every upload fills, CSV downloads, and progress bars."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from models.core.i18n import Text, localize
from models.core.progress import Progress
from models.core.settings import get_settings
from models.datasets.upload import UploadPreview, preview_upload

_CELL = "border:1px solid #ddd;padding:.25em .55em;text-align:center"
# Header cells wrap long class names ("SearchScreeningEvent") instead of widening the table.
# Korean names break only between words (keep-all); a single over-long word may break anywhere.
_HEAD = f"{_CELL};word-break:keep-all;overflow-wrap:anywhere;max-width:8em"
# Font size by the number of columns, so 7 classes fit a 1280 px page; beyond the last step the
# table scrolls inside its own box.
_FONT_STEPS = ((4, 0.85), (8, 0.78), (15, 0.7))
_SMALLEST_FONT = 0.62


def heatmap_font_em(columns: int) -> float:
    """The table's font size (em) for a heatmap of ``columns`` columns."""
    return next((size for most, size in _FONT_STEPS if columns <= most), _SMALLEST_FONT)


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

    It fits the page: the font shrinks with the number of columns, long labels wrap, and a table
    still too wide scrolls inside its own box (``overflow-x``) rather than being cut.

    Args:
        matrix: values, one list per row.
        rows: row labels; columns: column labels.
        title: shown above the table.
        axes: the corner cell, e.g. "true \\ predicted".
        fmt: how a value is written.
    """
    values = [v for row in matrix for v in row if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    font = heatmap_font_em(len(columns))
    head = "".join(f'<th style="{_HEAD}">{html.escape(str(c))}</th>' for c in columns)
    body = []
    for label, row in zip(rows, matrix, strict=True):
        cells = "".join(
            f'<td style="{_shade(v, low, high)}">{fmt.format(v)}</td>'
            if v is not None
            else f'<td style="{_CELL}"></td>'
            for v in row
        )
        body.append(f'<tr><th style="{_HEAD}">{html.escape(str(label))}</th>{cells}</tr>')
    return (
        '<div class="heatmap" style="display:inline-block;max-width:100%;overflow-x:auto;'
        'margin:0 1.5em 1em 0;vertical-align:top;box-sizing:border-box">'
        f'<div style="font-weight:600;margin-bottom:.3em">{html.escape(title)}</div>'
        f'<table style="border-collapse:collapse;font-size:{font}em">'
        f'<thead><tr><th style="{_HEAD};font-weight:400;font-style:italic">'
        f"{html.escape(axes)}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


# Word attributions: red pushed toward the explained label, blue away from it.
_TOWARD, _AWAY = (220, 38, 38), (37, 99, 235)
ATTRIBUTION_HEIGHT_EM = 16  # taller attributions scroll inside their box


def attribution_html(spans: Sequence[tuple[str, float | None]]) -> str:
    """Word weights (-1..1) as inline coloured chips, in a box that scrolls past
    ``ATTRIBUTION_HEIGHT_EM``, so a long text never makes the page itself long. A span with no
    weight (a separator) is shown plain; each chip's weight is its tooltip."""
    if not spans:
        return ""
    chips = []
    for text, weight in spans:
        shown = html.escape(text)
        if weight is None:
            chips.append(f'<span style="opacity:.6">{shown}</span>')
            continue
        red, green, blue = _TOWARD if weight >= 0 else _AWAY
        alpha = 0.7 * min(abs(weight), 1.0)
        chips.append(
            f'<span title="{weight:+.2f}" style="background:rgba({red},{green},{blue},'
            f'{alpha:.2f});border-radius:3px;padding:.1em 0">{shown}</span>'
        )
    return (
        f'<div class="attribution" style="max-height:{ATTRIBUTION_HEIGHT_EM}em;overflow-y:auto;'
        # The top padding clears the component's label, which floats over its content.
        f'line-height:1.9;white-space:pre-wrap;padding:1.7em .4em .3em">{"".join(chips)}</div>'
    )


def details(body: str, summary: str = Text("Details", "자세히")) -> Text:
    """Markdown for a collapsed view: ``summary`` shows, ``body`` (paths, sources) opens on a
    click. Inline, so it can follow a line without starting a paragraph of its own."""
    return Text(
        "<details><summary>{summary}</summary>{body}</details>",
        "<details><summary>{summary}</summary>{body}</details>",
        summary=summary, body=body,
    )  # fmt: skip


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


def progress_bar(progress: gr.Progress, describe: str = "{message}", lang: str = "en") -> Progress:
    """A ``models`` progress callback drawn as Gradio's progress bar.

    ``describe`` (a ``Text`` template for two languages, or a plain one) is formatted with
    ``done``, ``total`` and ``message`` for the bar's text, in ``lang``.
    """
    if isinstance(describe, Text):
        describe = describe.ko if lang == "ko" else describe.en

    def report(done: float, total: float, message: str = "") -> None:
        text = describe.format(done=done, total=total, message=localize(message, lang))
        progress(done / total if total else None, desc=text)

    return report


def coming_soon(title: str, what: str) -> None:
    """Say what a tab will do, so nobody mistakes an empty tab for a broken one."""
    gr.Markdown(f"### {title} — coming soon\n\n{what}")
