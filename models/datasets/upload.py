"""Users' own files: CSV / TSV / JSONL, with a mapping from their columns to ours."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.core.errors import DatasetError
from models.core.inputs import clip, quoted
from models.core.settings import get_settings

# Korean spreadsheets are often saved by Excel in CP949; UTF-8 (with or without BOM) otherwise.
ENCODINGS = ("utf-8-sig", "cp949")
TEXT_NAMES = ("text", "sentence", "sentence1", "document", "premise", "review", "utterance", "q")
PAIR_NAMES = ("text_pair", "hypothesis", "sentence2")
LABEL_NAMES = ("label", "labels", "gold_label", "category", "intent", "sentiment", "class", "y")


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the file's columns hold the text, the optional second text and the label."""

    text: str
    label: str | None = None
    text_pair: str | None = None


def _decode(raw: bytes, name: str) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError(
        f"{name} is neither UTF-8 nor CP949 text. Save it as UTF-8 (e.g. 'CSV UTF-8' in Excel) "
        "and upload it again."
    )


def read_table(path: str | Path, max_rows: int) -> pd.DataFrame:
    """Read an uploaded .csv, .tsv/.txt or .jsonl/.json file as strings.

    Raises:
        DatasetError: unknown extension, undecodable bytes, malformed rows, no rows,
            or more than ``max_rows`` rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".tsv", ".txt", ".jsonl", ".json"}:
        raise DatasetError(
            f"{path.name}: upload a .csv, .tsv or .jsonl file (got {quoted(suffix or 'none')})."
        )
    text = _decode(_read_bytes(path), path.name)
    try:
        if suffix in {".jsonl", ".json"}:
            frame = _read_json(text)
        else:
            sep = "," if suffix == ".csv" else "\t"
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="python"
            )
    except (ValueError, csv.Error, pd.errors.ParserError) as err:
        raise DatasetError(f"{path.name} could not be parsed: {_reason(err)}") from err
    except RecursionError:  # JSON nested thousands deep
        raise DatasetError(f"{path.name} could not be parsed: it is nested too deeply.") from None
    frame.columns = _column_names(frame.columns, path.name)
    if frame.empty:
        raise DatasetError(f"{path.name} has no data rows.")
    if len(frame) > max_rows:
        raise DatasetError(
            f"{path.name} has {len(frame):,} rows; the limit is {max_rows:,}. "
            "Upload a smaller file (or raise PLAYGROUND_MAX_UPLOAD_ROWS)."
        )
    return frame


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refused beyond ``settings.max_upload_mb`` before they are read."""
    limit_mb = get_settings().max_upload_mb
    try:
        size = path.stat().st_size
        if size > limit_mb * 1_000_000:
            raise DatasetError(
                f"{path.name} is {size / 1_000_000:.3g} MB; the limit is {limit_mb:g} MB. "
                "Upload a smaller file (or raise PLAYGROUND_MAX_UPLOAD_MB)."
            )
        return path.read_bytes()
    except OSError as err:
        raise DatasetError(
            f"{path.name} could not be read ({err.strerror or 'no access'})."
        ) from None


def _reason(err: Exception) -> str:
    """A parser's complaint, one line and short (it can quote a whole malformed line)."""
    return clip(" ".join(str(err).split()) or type(err).__name__, 200)


def _column_names(columns: pd.Index, name: str) -> list[str]:
    """Column names, trimmed; two that trim to the same name are refused (which is meant?)."""
    names = [str(c).strip() for c in columns]
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise DatasetError(f"{name} has two columns named {quoted(column)}; rename one.")
        seen.add(column)
    return names


def _read_json(text: str) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):
        records = json.loads(stripped)
    else:
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not all(isinstance(r, dict) for r in records):
        raise ValueError('each line must be a JSON object such as {"text": ..., "label": ...}')
    return pd.DataFrame.from_records(records).astype(str)


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


@dataclass(frozen=True)
class UploadPreview:
    """What a tab shows right after an upload: its size, its columns and a guessed mapping."""

    rows: int
    columns: list[str]
    mapping: ColumnMapping
    text_guessed: bool = False  # no column has a text-like name: the text column is a guess

    def describe(self) -> str:
        described = f"{self.rows:,} rows; columns: {', '.join(self.columns)}."
        if self.text_guessed:
            described += (
                f" No column is named like text ({', '.join(TEXT_NAMES[:4])}, …), so "
                f"'{self.mapping.text}' was guessed as the text column: check it below."
            )
        return described


def preview_upload(path: str | Path, max_rows: int) -> UploadPreview:
    """Read an upload and guess its mapping (raises DatasetError like ``read_table``)."""
    table = read_table(path, max_rows)
    guessed = _find(list(table.columns), TEXT_NAMES) is None
    return UploadPreview(len(table), list(table.columns), guess_mapping(table), guessed)


def _numeric(values: pd.Series) -> bool:
    return bool(values.astype(str).str.fullmatch(r"\s*-?[\d.,]*\s*").all())


def guess_mapping(frame: pd.DataFrame) -> ColumnMapping:
    """A best guess at the mapping from column names; the UI lets the user correct it."""
    columns = list(frame.columns)
    text = _find(columns, TEXT_NAMES)
    if text is None:
        # The column with the longest strings on average is most likely the text; ids and
        # other numbers are not, however long.
        wordy = [c for c in columns if not _numeric(frame[c])] or columns
        lengths = {c: frame[c].astype(str).str.len().mean() for c in wordy}
        text = max(lengths, key=lengths.get)
    pair = _find([c for c in columns if c != text], PAIR_NAMES)
    label = _find([c for c in columns if c not in (text, pair)], LABEL_NAMES)
    return ColumnMapping(text=text, label=label, text_pair=pair)


def apply_mapping(
    frame: pd.DataFrame, mapping: ColumnMapping, need_label: bool = False
) -> pd.DataFrame:
    """The file's rows under our column names, empty texts dropped.

    Raises:
        DatasetError: a mapped column is missing, the label is needed but not mapped,
            or no row has text.
    """
    columns = list(frame.columns)
    wanted = {"text": mapping.text, "text_pair": mapping.text_pair, "label": mapping.label}
    if not mapping.text:
        raise DatasetError("Choose which column holds the text.")
    for role, column in wanted.items():
        if column and column not in columns:
            raise DatasetError(
                f"There is no column {quoted(column)} for the {role}. Columns: "
                f"{clip(', '.join(columns), 300)}."
            )
    if need_label and not mapping.label:
        raise DatasetError("Choose which column holds the label (the true class of each row).")
    out = pd.DataFrame(
        {role: frame[col].astype(str).str.strip() for role, col in wanted.items() if col}
    )
    out = out[out["text"] != ""]
    if out.empty:
        raise DatasetError(f"Column '{mapping.text}' has no text in any row.")
    return out.reset_index(drop=True)
