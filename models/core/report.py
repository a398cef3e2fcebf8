"""A take-away report of one result: what went in, what came out, which model (and where it came
from), the settings and seed, the metrics, the library versions and the device.

A tab keeps its last result as a ``Report`` (plain data); ``write_report`` turns it into a Markdown
file, or a zip of the Markdown and its PNG figures, in the reader's language.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from models.core.device import describe_device
from models.core.i18n import Text, localize
from models.core.measure import library_versions

HEADINGS = {
    "inputs": Text("Inputs", "입력"),
    "outputs": Text("Outputs", "결과"),
    "model": Text("Model", "모델"),
    "source": Text("Where it came from", "출처"),
    "settings": Text("Settings", "설정"),
    "seed": Text("Seed", "시드"),
    "metrics": Text("Metrics", "지표"),
    "tables": Text("Tables", "표"),
    "figures": Text("Figures", "그림"),
    "environment": Text("Environment", "실행 환경"),
    "device": Text("Device", "장치"),
    "made": Text("Made", "작성 시각"),
    "libraries": Text("Libraries", "라이브러리"),
}
MAX_TABLE_ROWS = 200  # a report stays readable; the tab's own CSV download has every row


@dataclass
class Report:
    """One result, as plain data. Values may be ``Text``s; tables are pandas DataFrames."""

    title: Any
    inputs: dict[Any, Any] = field(default_factory=dict)
    outputs: dict[Any, Any] = field(default_factory=dict)
    model: Any = ""
    source: Any = ""
    settings: dict[Any, Any] = field(default_factory=dict)
    seed: int | None = None
    metrics: dict[Any, Any] = field(default_factory=dict)
    tables: dict[Any, Any] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)  # file stem -> PNG bytes
    notes: list[Any] = field(default_factory=list)


def _value(value: Any, lang: str) -> str:
    value = localize(value, lang)
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    if "\n" in text:
        return "\n\n" + "\n".join(f"    {line}" for line in text.splitlines())
    return text.replace("|", "\\|")


def _items(title: Any, items: dict, lang: str) -> list[str]:
    if not items:
        return []
    lines = [f"## {localize(title, lang)}", ""]
    lines += [f"- **{localize(k, lang)}**: {_value(v, lang)}" for k, v in items.items()]
    return [*lines, ""]


def _table(frame: Any, lang: str) -> str:
    frame = frame.head(MAX_TABLE_ROWS).rename(columns=lambda c: localize(c, lang))
    frame = frame.map(lambda v: localize(v, lang))
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = [
        "| " + " | ".join(_value(v, lang).replace("\n", " ") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *rows])


def render_markdown(report: Report, lang: str = "en", made: datetime | None = None) -> str:
    """The report as Markdown in ``lang``; figures are linked as ``<stem>.png`` beside it."""
    h = {k: v.in_lang(lang) for k, v in HEADINGS.items()}
    lines = [f"# {localize(report.title, lang)}", ""]
    lines += [f"> {localize(note, lang)}" for note in report.notes]
    lines += [""] if report.notes else []
    lines += _items(h["inputs"], report.inputs, lang)
    lines += _items(h["outputs"], report.outputs, lang)
    model = {h["model"]: report.model, h["source"]: report.source}
    lines += _items(h["model"], {k: v for k, v in model.items() if v}, lang)
    settings = dict(report.settings)
    if report.seed is not None:
        settings[h["seed"]] = report.seed
    lines += _items(h["settings"], settings, lang)
    lines += _items(h["metrics"], report.metrics, lang)
    for name, frame in report.tables.items():
        lines += [f"## {localize(name, lang)}", "", _table(frame, lang), ""]
    if report.figures:
        lines += [f"## {h['figures']}", ""]
        lines += [f"![{stem}]({stem}.png)" for stem in report.figures]
        lines += [""]
    made = made or datetime.now().astimezone()
    libraries = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    environment = {
        h["device"]: describe_device(),
        h["libraries"]: libraries,
        h["made"]: made.isoformat(timespec="seconds"),
    }
    lines += _items(h["environment"], environment, lang)
    return "\n".join(lines).rstrip() + "\n"


def _stem(title: str) -> str:
    words = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-").lower()
    return f"report-{words[:60] or 'result'}"


def write_report(
    report: Report,
    lang: str = "en",
    folder: Path | None = None,
    scrub: Callable[[str], str] = lambda text: text,
) -> Path:
    """Write the report to a fresh file: ``.md``, or ``.zip`` (Markdown + PNGs) with figures.

    ``scrub`` rewrites the Markdown before it is written (a public server hides its folders)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="playground-report-"))
    text = scrub(render_markdown(report, lang))
    stem = _stem(str(localize(report.title, lang)))
    if not report.figures:
        path = folder / f"{stem}.md"
        path.write_text(text, encoding="utf-8")
        return path
    path = folder / f"{stem}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.md", text)
        for name, png in report.figures.items():
            archive.writestr(f"{name}.png", png)
    path.write_bytes(buffer.getvalue())
    return path
