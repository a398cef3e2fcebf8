"""Atomic writes: a file or folder is replaced whole, or left as it was."""

from __future__ import annotations

import json

import pytest

from models.core import files


def test_write_json_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "deep" / "record.json"
    files.write_json(path, {"status": "running"})
    files.write_json(path, {"status": "done", "title": "감성 분석"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"status": "done", "title": "감성 분석"}
    assert "감성" in path.read_text(encoding="utf-8")  # readable, not \\uXXXX
    assert [p.name for p in path.parent.iterdir()] == ["record.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "record.json"
    files.write_json(path, {"status": "done"})
    with pytest.raises(TypeError):
        files.write_json(path, {"not json": object()})
    assert json.loads(path.read_text()) == {"status": "done"}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_staged_folder_replaces_the_old_one_only_when_complete(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), files.staged_folder(target) as staging:
        (staging / "half.bin").write_bytes(b"\0")
        raise RuntimeError("killed mid-write")
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]  # untouched
    with files.staged_folder(target) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no staging, no .old
