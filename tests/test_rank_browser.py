"""The Answer ranking tab in a real Korean browser at 1280 px: Korean texts and examples, tables
whose key columns are on screen, and an encoder tuning run that its starter finds again after a
reload (progress and Stop) while another browser is told who holds the slot.

The page holds the ranking tab alone (with the language switch), so the test needs no other tab.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from playwright.sync_api import expect

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, wait_until_loaded

pytestmark = pytest.mark.browser
WIDTH = 1280


@pytest.fixture(scope="module")
def served_tab():
    import gradio as gr

    from demos.i18n import create_language_switch, wire_language
    from demos.rank import create_rank_tab

    with gr.Blocks() as app:
        switch = create_language_switch()
        with gr.Tabs(), gr.Tab("Answer ranking", id="ranking", elem_id="tab-ranking"):
            create_rank_tab(app)
        wire_language(app, switch)
    app.queue(default_concurrency_limit=2).launch(
        server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, ssr_mode=False
    )
    yield app.local_url
    app.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(chromium, url: str, locale: str):
    context = chromium.new_context(locale=locale, viewport={"width": WIDTH, "height": 720})
    page = context.new_page()
    page.goto(url)
    wait_until_loaded(page, locale[:2])
    return page


def _key_columns_on_screen(page, table_id: str, headers: list[str]) -> None:
    """The table is no wider than the window, and each key column's header is inside it (a
    wider table scrolls inside its own box)."""
    box = page.locator(f"#{table_id}").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, box
    for header in headers:
        cell = page.locator(f"#{table_id} th").filter(has_text=header).first
        right = cell.bounding_box()
        assert right["x"] + right["width"] <= box["x"] + box["width"] + 1, (header, right, box)


def _fake_record():
    from models.rank.encoders import MethodOutcome, TuneRecord

    scores = {"all": {"hit_at_1": 0.61, "hit_at_5": 0.8, "mrr": 0.7},
              "validation": {"hit_at_1": 0.6}, "test": {"hit_at_1": 0.62}}  # fmt: skip
    methods = [
        MethodOutcome(
            m,
            m,
            "done",
            trainable_params=t,
            total_params=22_700_000,
            steps=40,
            train_s=180.0,
            index_s=30.0,
            peak_memory_mb=900,
            checkpoint_mb=c,
            metrics=scores,
        )
        for m, t, c in (("full", 22_700_000, 87.0), ("lora", 300_000, 1.2))
    ]
    return TuneRecord("1-test", "chatbot_data", "f" * 16, "packaged:multilingual-e5-small",
                      base_metrics=scores, lexical_metrics=scores, methods=methods)  # fmt: skip


def test_korean_page_examples_and_tables_that_fit(served_tab, chromium):
    page = _open(chromium, served_tab, "ko-KR")
    expect(page.locator("#rank-send")).to_have_text("보내기", timeout=60_000)
    expect(page.locator("#rank-examples")).to_contain_text("요즘 너무 피곤해")
    page.locator("#rank-examples").get_by_text("배고픈데 뭐 먹을까?").click()
    expect(page.locator("#rank-message textarea")).to_have_value("배고픈데 뭐 먹을까?")
    ranker = page.locator("#rank-model input")
    ranker.fill("lexical")  # no model to load: the tables are what this test is about
    ranker.press("Enter")
    page.locator("#rank-send").click()
    expect(page.locator("#rank-chat")).to_contain_text("배고픈데 뭐 먹을까?", timeout=120_000)
    page.get_by_role("button", name="후보 답변").click()
    expect(page.locator("#rank-details")).to_contain_text("임계값")
    _key_columns_on_screen(page, "rank-candidates", ["점수", "답변", "저장된 질문"])
    page.get_by_role("button", name="이 모음에서 검색 모델 평가").click()
    page.locator("#rank-evaluate").click()
    expect(page.locator("#rank-evaluation")).to_contain_text(
        "따로 떼어 둔 질문 수", timeout=120_000
    )
    _key_columns_on_screen(page, "rank-evaluation", ["hit@1", "hit@5", "MRR"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ko-answer-ranking-1280.png"), full_page=True)
    page.context.close()


def test_a_tuning_run_is_found_again_after_a_reload(served_tab, chromium):
    from demos.browser import SESSIONS
    from demos.rank.tune_views import KIND
    from models.core.jobs import start_job
    from models.core.monitor import Monitor

    page = _open(chromium, served_tab, "ko-KR")
    browser_id = list(SESSIONS._items.values())[-1].id  # the page that just loaded
    release = threading.Event()

    def work(monitor: Monitor):
        monitor.phase("Training")
        monitor.method("full", status="training", step=3, total_steps=10)
        monitor.log("full", {"step": 3, "loss": 0.9, "s": 3.0})
        while not monitor.stop_requested and not release.wait(0.1):
            pass
        return _fake_record()

    job = start_job("a browser test run", Monitor(["full", "lora"]), work,
                    owner=f"browser:{browser_id}", kind=KIND, limit_s=0)  # fmt: skip
    try:
        other = _open(chromium, served_tab, "en-US")
        other.get_by_role("button", name="Fine-tune the encoder for this bank").click()
        expect(other.locator("#rank-tune-status")).to_contain_text(
            "Another training run is in progress", timeout=60_000
        )
        expect(other.locator("#rank-tune-stop")).to_be_hidden()
        other.context.close()

        page.reload()
        page.get_by_role("button", name="이 모음에 맞게 인코더 미세 조정").click()
        status = page.locator("#rank-tune-status")
        expect(status).to_contain_text("전체 미세 조정: 학습 중", timeout=60_000)
        stop = page.locator("#rank-tune-stop")
        expect(stop).to_be_visible()
        stop.click()
        expect(status).to_contain_text("멈췄습니다", timeout=60_000)
        expect(stop).to_be_hidden()
        _key_columns_on_screen(page, "rank-tune-results",
                               ["방법", "hit@1", "시간(초)", "학습 파라미터 %"])  # fmt: skip
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "ko-answer-ranking-tuned-1280.png"), full_page=True)
    finally:
        job.stop()
        release.set()
        job.wait(30)
        page.context.close()
    assert not job.running
