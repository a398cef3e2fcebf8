"""Users' own files: CSV / TSV / JSONL, with a mapping from their columns to ours."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.core.errors import DatasetError
from models.core.i18n import Text
from models.core.inputs import clip, quoted
from models.core.settings import get_settings

# Korean spreadsheets are often saved by Excel in CP949; UTF-8 (with or without BOM) otherwise.
ENCODINGS = ("utf-8-sig", "cp949")
TEXT_NAMES = ("text", "sentence", "sentence1", "document", "premise", "review", "utterance", "q")
PAIR_NAMES = ("text_pair", "hypothesis", "sentence2")
# The roles a column can play, as a message names them.
ROLES = {
    "text": Text("text", "텍스트"),
    "text_pair": Text("text_pair", "두 번째 텍스트"),
    "label": Text("label", "레이블"),
}
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
        Text(
            "{name} is neither UTF-8 nor CP949 text. Save it as UTF-8 (e.g. 'CSV UTF-8' in "
            "Excel) and upload it again.",
            "{name} 파일은 UTF-8도 CP949도 아닌 인코딩입니다. UTF-8로 저장한 뒤(엑셀에서는 "
            "'CSV UTF-8') 다시 올려 주세요.",
            name=name,
        )
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
            Text(
                "{name}: upload a .csv, .tsv or .jsonl file (got {got}).",
                "{name}: .csv, .tsv, .jsonl 파일을 올려 주세요(받은 파일 형식: {got}).",
                name=path.name, got=quoted(suffix) if suffix else Text("'none'", "없음"),
            )
        )  # fmt: skip
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
        raise DatasetError(_unparsed(path.name, _reason(err))) from err
    except RecursionError:  # JSON nested thousands deep
        too_deep = Text("it is nested too deeply.", "중첩이 너무 깊습니다.")
        raise DatasetError(_unparsed(path.name, too_deep)) from None
    frame.columns = _column_names(frame.columns, path.name)
    if frame.empty:
        raise DatasetError(
            Text("{name} has no data rows.", "{name} 파일에 데이터 행이 없습니다.", name=path.name)
        )
    if len(frame) > max_rows:
        raise DatasetError(
            Text(
                "{name} has {n:,} rows; the limit is {limit:,}. Upload a smaller file (or raise "
                "PLAYGROUND_MAX_UPLOAD_ROWS).",
                "{name} 파일의 행이 {n:,}개입니다. 최대 {limit:,}개까지 올릴 수 있습니다. 더 작은 "
                "파일을 올리거나 `PLAYGROUND_MAX_UPLOAD_ROWS` 값을 늘리세요.",
                name=path.name, n=len(frame), limit=max_rows,
            )
        )  # fmt: skip
    return frame


def _unparsed(name: str, reason: str) -> Text:
    return Text(
        "{name} could not be parsed: {reason}", "{name} 파일을 해석할 수 없습니다: {reason}",
        name=name, reason=reason,
    )  # fmt: skip


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refused beyond ``settings.max_upload_mb`` before they are read."""
    limit_mb = get_settings().max_upload_mb
    try:
        size = path.stat().st_size
        if size > limit_mb * 1_000_000:
            raise DatasetError(
                Text(
                    "{name} is {mb:.3g} MB; the limit is {limit:g} MB. Upload a smaller file "
                    "(or raise PLAYGROUND_MAX_UPLOAD_MB).",
                    "{name} 파일의 크기가 {mb:.3g} MB입니다. 최대 {limit:g} MB까지 올릴 수 "
                    "있습니다. 더 작은 파일을 올리거나 `PLAYGROUND_MAX_UPLOAD_MB` 값을 늘리세요.",
                    name=path.name, mb=size / 1_000_000, limit=limit_mb,
                )
            )  # fmt: skip
        return path.read_bytes()
    except OSError as err:
        why = err.strerror or Text("no access", "접근 권한 없음")
        raise DatasetError(
            Text("{name} could not be read ({why}).", "{name} 파일을 읽을 수 없습니다({why}).",
                 name=path.name, why=why)
        ) from None  # fmt: skip


def _reason(err: Exception) -> str:
    """A parser's complaint, one line and short (it can quote a whole malformed line)."""
    if err.args and isinstance(err.args[0], Text):
        return err.args[0]  # our own words, short already
    return clip(" ".join(str(err).split()) or type(err).__name__, 200)


def _column_names(columns: pd.Index, name: str) -> list[str]:
    """Column names, trimmed; two that trim to the same name are refused (which is meant?)."""
    names = [str(c).strip() for c in columns]
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise DatasetError(
                Text(
                    "{name} has two columns named {column}; rename one.",
                    "{name} 파일에 이름이 {column}인 열이 두 개 있습니다. 하나의 이름을 바꾸세요.",
                    name=name, column=quoted(column),
                )
            )  # fmt: skip
        seen.add(column)
    return names


def _read_json(text: str) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):
        records = json.loads(stripped)
    else:
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not all(isinstance(r, dict) for r in records):
        raise ValueError(
            Text(
                'each line must be a JSON object such as {"text": ..., "label": ...}',
                '각 줄은 {"text": ..., "label": ...} 같은 JSON 객체여야 합니다',
            )
        )
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

    def describe(self) -> Text:
        described = Text(
            "{n:,} rows; columns: {columns}.", "{n:,}개 행, 열: {columns}.",
            n=self.rows, columns=", ".join(self.columns),
        )  # fmt: skip
        if not self.text_guessed:
            return described
        return Text(
            "{described} No column is named like text ({names}, …), so '{column}' was guessed "
            "as the text column: check it below.",
            "{described} 텍스트 열로 보이는 이름({names} 등)이 없어 '{column}' 열을 텍스트 열로 "
            "짐작했습니다. 아래에서 확인하세요.",
            described=described, names=", ".join(TEXT_NAMES[:4]), column=self.mapping.text,
        )  # fmt: skip


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
        raise DatasetError(
            Text("Choose which column holds the text.", "텍스트가 든 열을 고르세요.")
        )
    for role, column in wanted.items():
        if column and column not in columns:
            raise DatasetError(
                Text(
                    "There is no column {column} for the {role}. Columns: {columns}.",
                    "{role}에 쓸 {column} 열이 없습니다. 있는 열: {columns}.",
                    column=quoted(column), role=ROLES[role], columns=clip(", ".join(columns), 300),
                )
            )  # fmt: skip
    if need_label and not mapping.label:
        raise DatasetError(
            Text("Choose which column holds the label (the true class of each row).",
                 "레이블(각 행의 정답 클래스)이 든 열을 고르세요.")
        )  # fmt: skip
    out = pd.DataFrame(
        {role: frame[col].astype(str).str.strip() for role, col in wanted.items() if col}
    )
    out = out[out["text"] != ""]
    if out.empty:
        raise DatasetError(
            Text("Column '{column}' has no text in any row.",
                 "'{column}' 열에는 텍스트가 있는 행이 하나도 없습니다.", column=mapping.text)
        )  # fmt: skip
    return out.reset_index(drop=True)
