"""Uploaded CSV / TSV / JSONL files: reading, column mapping, and clear errors."""

from __future__ import annotations

import json

import pytest

from models.core.errors import DatasetError, PlaygroundError
from models.datasets.upload import (
    ColumnMapping,
    apply_mapping,
    guess_mapping,
    preview_upload,
    read_table,
)


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


def test_an_id_column_is_never_guessed_as_the_text(tmp_path):
    path = tmp_path / "no_text_name.csv"
    path.write_text("id,comment_body,score\n1001,좋아요,5\n1002,별로,1\n", encoding="utf-8")
    preview = preview_upload(path, max_rows=10)
    assert preview.mapping.text == "comment_body"
    assert preview.text_guessed and "'comment_body' was guessed" in preview.describe()
    named = tmp_path / "named.csv"
    named.write_text("id,text\n1,좋아요\n", encoding="utf-8")
    assert not preview_upload(named, max_rows=10).text_guessed


class _Lengths:
    """A stand-in classifier: "long" the longer a text is; no model to load."""

    labels = ("short", "long")
    ref = "stand-in"

    def predict_proba(self, texts, pairs=None):
        import numpy as np

        share = np.array([min(len(t), 10) / 10 for t in texts], dtype=np.float32)
        return np.stack([1 - share, share], axis=1), [len(t) > 8 for t in texts]


def test_a_classified_file_keeps_every_row_and_column(tmp_path, monkeypatch):
    from models.classify import batch

    monkeypatch.setattr(batch, "get_classifier", lambda *args: _Lengths())
    path = tmp_path / "reviews.csv"
    path.write_text("id,text,note\n1,abc,x\n2,,y\n3,abcdefghijk,z\n", encoding="utf-8")
    done = []
    result = batch.classify_table(
        read_table(path, 10), ColumnMapping(text="text"), "sentiment",
        progress=lambda n, total, message: done.append((n, total)),
    )  # fmt: skip
    frame = result.frame
    assert list(frame["id"]) == ["1", "2", "3"] and list(frame["note"]) == ["x", "y", "z"]
    assert frame["predicted"][0] == "short" and frame["predicted"][2] == "long"
    assert frame.loc[1, ["predicted", "confidence", "truncated"]].isna().all()  # left blank
    assert frame["confidence"][0] == 0.7  # float64: no float32 noise such as 0.69999999
    assert frame["truncated"][0] is False and frame["truncated"][2] is True
    written = tmp_path / "out.csv"
    frame.to_csv(written, index=False)
    assert written.read_text().splitlines()[2].startswith("2,,y,,,")
    assert (result.classified, result.skipped_empty, result.truncated) == (2, 1, 1)
    assert "1 row has no text" in result.describe() and "1 rows were longer" in result.describe()
    assert done == [(2, 2)]


def test_batch_bad_input_is_explained(tmp_path, monkeypatch):
    from models.classify import batch

    monkeypatch.setattr(batch, "get_classifier", lambda *args: _Lengths())
    table = read_table(_write(tmp_path / "a.csv", "premise,label\nA man runs.,x\n"), 10)
    with pytest.raises(PlaygroundError, match="hypothesis column"):
        batch.classify_table(table, ColumnMapping(text="premise"), "nli")
    with pytest.raises(DatasetError, match="no column 'body'"):
        batch.classify_table(table, ColumnMapping(text="body"), "sentiment")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_that_collide_once_trimmed_are_refused(tmp_path):
    path = _write(tmp_path / "dup.csv", "text, text\na,b\n")
    with pytest.raises(DatasetError, match="has two columns named 'text'; rename one"):
        read_table(path, 10)
    jsonl = _write(tmp_path / "dup.jsonl", '{"label": 1, "label ": 2, "text": "x"}\n')
    with pytest.raises(DatasetError, match="two columns named 'label'"):
        preview_upload(jsonl, 10)


def test_files_over_the_size_limit_missing_or_nested_too_deep_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_MB", "0.0001")  # 100 bytes
    big = _write(tmp_path / "big.csv", "text\n" + "x" * 200 + "\n")
    with pytest.raises(DatasetError, match=r"big.csv is 0.000206 MB; the limit is 0.0001 MB"):
        read_table(big, 10)
    with pytest.raises(DatasetError, match="missing.csv could not be read"):
        read_table(tmp_path / "missing.csv", 10)
    monkeypatch.delenv("PLAYGROUND_MAX_UPLOAD_MB")
    deep = _write(tmp_path / "deep.json", "[" * 50_000 + "]" * 50_000)
    with pytest.raises(DatasetError, match="nested too deeply|could not be parsed"):
        read_table(deep, 10)


def test_a_mapping_without_a_text_column_is_refused(tmp_path):
    frame = read_table(_write(tmp_path / "x.csv", "a,b\n1,2\n"), 10)
    with pytest.raises(DatasetError, match="Choose which column holds the text"):
        apply_mapping(frame, ColumnMapping(text=""))
    with pytest.raises(DatasetError, match=r"no column 'z{40}…' for the text"):
        apply_mapping(frame, ColumnMapping(text="z" * 1000))
