"""Models & data in the page's language: states and sources are Texts, tables put their key
columns first and name them in Korean for a Korean page, and the API keeps its English."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from demos.browser import SESSIONS, Browser
from demos.overview import refresh
from demos.preparation import preparation_view
from models.core.i18n import Text, localize
from models.overview.state import datasets_overview, overview, packaged_overview
from models.prepare import status
from models.prepare.background import Line, Preparation
from models.prepare.items import Item, damaged
from models.prepare.wire import from_wire, to_wire
from tests.english_check import leftover_english

# Names Korean keeps (a dataset's own split, licences).
NAMES = {"oos_test", "apache", "mit", "cc0"}


def _page(lang: str) -> SimpleNamespace:
    """A request from a page whose language is ``lang`` (the browser told us at load)."""
    session = f"overview-test-{lang}"
    SESSIONS.set(session, Browser(id=f"browser-{lang}", lang=lang))
    return SimpleNamespace(session_hash=session, headers={}, username=None)


def _korean(value) -> str:
    rendered = " · ".join(localize(value, "ko"))
    assert not leftover_english(rendered, NAMES), rendered
    return rendered


def test_the_words_of_every_row_are_texts_with_korean(isolated_settings):
    view = overview(isolated_settings)
    assert isinstance(view["device"], Text) and isinstance(view["hub"], Text)
    _korean([view["hub"], view["device"]])
    for row in packaged_overview(isolated_settings):
        assert isinstance(row["state"], Text)
        _korean([row["state"], row["languages"]])
    for row in datasets_overview(isolated_settings):
        assert all(isinstance(row[k], Text) for k in ("title", "task", "language", "source"))
        _korean([row["title"], row["task"], row["language"], row["source"], row["splits"]])
    assert {localize(r["source"], "ko") for r in datasets_overview(isolated_settings)} == {
        "데이터 폴더에 없음, 내려받기 꺼짐: 내장 샘플 사용"  # a fresh data home, offline tests
    }


def test_a_korean_page_gets_korean_tables_with_the_key_columns_first():
    summary, tasks, packaged_rows, datasets_rows = refresh(_page("ko"))
    assert summary.startswith("**장치:**") and "폴더(옮기려면" in summary
    assert list(tasks.columns) == ["작업", "모델", "방식", "출처"]
    assert list(packaged_rows.columns)[:3] == ["모델", "파라미터 수", "상태"]
    assert list(packaged_rows.columns)[-1] == "폴더"  # a long path, last: it wraps
    assert list(datasets_rows.columns)[:5] == ["데이터셋", "이름", "작업", "언어", "출처"]
    assert list(datasets_rows.columns)[-2:] == ["폴더", "원본 배포처"]
    assert "감성" in set(datasets_rows["작업"]) and "한국어" in set(datasets_rows["언어"])
    for frame in (packaged_rows, datasets_rows):
        assert not leftover_english(" ".join(frame.columns), NAMES)


def test_the_api_and_an_english_page_keep_the_english_names():
    for request in (None, _page("en")):
        summary, tasks, packaged_rows, datasets_rows = refresh(request)
        assert summary.startswith("**Device:**")
        assert list(tasks.columns) == ["task", "model", "mode", "source"]
        assert list(packaged_rows.columns)[:3] == ["model", "parameters", "state"]
        assert set(datasets_rows["task"]) >= {"sentiment", "intent"}


def test_the_preparation_panel_speaks_the_pages_language():
    summary, table, _timer = preparation_view(_page("ko"))
    assert list(table.columns) == ["항목", "상태", "진행", "세부 내용"]
    assert "개 중" in summary and "준비" in summary
    english, table_en, _ = preparation_view(None)
    assert list(table_en.columns) == ["item", "state", "progress", "detail"]
    assert "ready" in english


def test_a_damaged_line_says_so_in_both_languages(tmp_path):
    reason = Text("model.safetensors has 1 MB of 2 MB", "`model.safetensors` 파일이 잘림")
    item = Item(
        "convert:x", Text("Convert x", "x 변환"), 1.0, False, lambda s: damaged(reason),
        lambda c: "",
    )  # fmt: skip
    row = status.rows(Preparation([item]))[0]
    assert (row["state"], row["detail"]) == ("⚠️ damaged (will be rebuilt)", reason)
    assert localize(row, "ko") == {
        "item": "x 변환", "state": "⚠️ 손상됨(다시 만듭니다)", "progress": "",
        "detail": "`model.safetensors` 파일이 잘림",
    }  # fmt: skip


def test_texts_cross_the_child_process_with_their_korean(tmp_path):
    """The background preparation's child reports a Text; the parent's line keeps its Korean."""
    inner = Text("{n} rows", "{n}개 행", n=3)
    detail = Text("made {what}", "{what} 만듦", what=inner)
    assert localize(from_wire(to_wire(detail)), "ko") == "3개 행 만듦"
    assert from_wire("plain") == "plain" and from_wire(None) is None
    child = (
        "import json, sys; "
        f"print(json.dumps({{'item': 'a:x', 'state': 'ready', 'detail': 'made 3 rows', "
        f"'detail_i18n': {to_wire(detail)!r}}}), flush=True)"
    )
    item = Item("a:x", Text("Item", "항목"), 1.0, False, lambda s: ("missing", ""), lambda c: "")
    preparation = Preparation([item], command=lambda i, b: [sys.executable, "-c", child])
    preparation.start()
    preparation.wait(30)
    line: Line = preparation.lines()[0]
    assert line.state == "ready" and line.detail == "made 3 rows"
    assert localize(line.detail, "ko") == "3개 행 만듦"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_summary_reads_in_each_language(lang):
    text = status.summary(Preparation([]), enabled=True)
    expected = {"en": "Everything the tabs need is prepared.", "ko": "탭에 필요한 것이 모두"}
    assert expected[lang] in localize(text, lang)
