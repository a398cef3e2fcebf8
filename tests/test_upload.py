"""Uploaded CSV / TSV / JSONL files: reading, column mapping, and clear errors."""

from __future__ import annotations

import json

import pytest

from models.datasets.upload import (
    ColumnMapping,
    apply_mapping,
    guess_mapping,
    preview_upload,
    read_table,
)
from models.errors import DatasetError


def test_csv_with_korean_text_and_a_guessed_mapping(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('document,label\n"재밌다, 또 볼래요",1\n노잼,0\n', encoding="utf-8")
    frame = read_table(path, max_rows=100)
    mapping = guess_mapping(frame)
    assert mapping == ColumnMapping(text="document", label="label")
    rows = apply_mapping(frame, mapping, need_label=True)
    assert rows.to_dict("records") == [
        {"text": "재밌다, 또 볼래요", "label": "1"},
        {"text": "노잼", "label": "0"},
    ]


def test_tsv_pairs_for_nli(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("premise\thypothesis\tgold_label\nA man eats.\tSomeone eats.\tentailment\n")
    mapping = guess_mapping(read_table(path, 10))
    assert mapping == ColumnMapping(text="premise", label="gold_label", text_pair="hypothesis")


def test_preview_gives_size_columns_and_the_guessed_mapping(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("premise\thypothesis\tgold_label\nA.\tB.\tneutral\nC.\tD.\tentailment\n")
    preview = preview_upload(path, max_rows=10)
    assert preview.rows == 2 and preview.columns == ["premise", "hypothesis", "gold_label"]
    assert preview.mapping == ColumnMapping(
        text="premise", label="gold_label", text_pair="hypothesis"
    )
    assert preview.describe() == "2 rows; columns: premise, hypothesis, gold_label."
    with pytest.raises(DatasetError, match="rows"):
        preview_upload(path, max_rows=1)


def test_jsonl_and_json_array(tmp_path):
    lines = [
        {"utterance": "play jazz", "intent": "PlayMusic"},
        {"utterance": "rain?", "intent": "GetWeather"},
    ]
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    array = tmp_path / "b.json"
    array.write_text(json.dumps(lines))
    for path in (jsonl, array):
        frame = read_table(path, 10)
        assert guess_mapping(frame) == ColumnMapping(text="utterance", label="intent")
        assert len(frame) == 2


def test_cp949_korean_excel_export_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("text,label\n정말 최고의 영화,positive\n".encode("cp949"))
    assert read_table(path, 10)["text"].tolist() == ["정말 최고의 영화"]


def test_undecodable_bytes_give_a_clear_error(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"text,label\n\xff\xfe\x00\x81\x81\xff,1\n")
    with pytest.raises(DatasetError, match="neither UTF-8 nor CP949"):
        read_table(path, 10)


def test_too_many_rows(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("text\n" + "".join(f"row {i}\n" for i in range(11)))
    with pytest.raises(DatasetError, match="11 rows; the limit is 10"):
        read_table(path, 10)


def test_wrong_extension_and_empty_file(tmp_path):
    with pytest.raises(DatasetError, match=r"upload a \.csv, \.tsv or \.jsonl"):
        read_table(tmp_path / "sheet.xlsx", 10)
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n")
    with pytest.raises(DatasetError, match="no data rows"):
        read_table(empty, 10)


def test_mapping_errors(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("sentence,other\n,\n  ,a\n")
    frame = read_table(path, 10)
    with pytest.raises(DatasetError, match="no column 'review'"):
        apply_mapping(frame, ColumnMapping(text="review"))
    with pytest.raises(DatasetError, match="which column holds the label"):
        apply_mapping(frame, ColumnMapping(text="sentence"), need_label=True)
    with pytest.raises(DatasetError, match="has no text in any row"):
        apply_mapping(frame, ColumnMapping(text="sentence"))


def test_malformed_jsonl(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n[1, 2]\n')
    with pytest.raises(DatasetError, match="could not be parsed"):
        read_table(path, 10)
