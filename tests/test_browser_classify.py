"""The Classification tab in a Korean Chromium at 1280 x 720 (issue 20): the page speaks Korean,
the status is compact and the text box in view, results describe the text on screen, a long
text stays a page, not a scroll, and an evaluation fits the width."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, set_number, wait_until_loaded

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1280, 720
LABEL = "#cls-scores [data-testid='label-output-value']"


@pytest.fixture(scope="module")
def page(served_app):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="ko-KR")
        page = context.new_page()
        page.goto(served_app)
        wait_until_loaded(page, "ko")
        # The status fills once the page has told the server its language (a busy CPU: slow).
        page.locator("#cls-status").get_by_text("아직 학습된 모델 없음").first.wait_for(
            timeout=120_000
        )
        yield page
        browser.close()


def _classify(page, text: str) -> None:
    page.locator("#cls-text textarea").fill(text)
    page.locator("#cls-go").click()


def test_the_status_is_compact_and_the_text_box_is_in_view(page):
    status = page.locator("#cls-status")
    expect(status.locator("details")).to_have_count(1)
    expect(status.locator("details")).not_to_have_attribute("open", "")
    assert "packaged:" not in status.inner_text()  # the reference waits in the details
    expect(page.get_by_role("radio", name="자연어 추론")).to_be_visible()
    box = page.locator("#cls-text textarea").bounding_box()
    assert box is not None and box["y"] + 30 < HEIGHT, box  # its first line above the fold


def test_a_new_text_clears_the_old_results_and_robustness_shows_its_own(page):
    _classify(page, "배우들 연기가 정말 최고였고 스토리도 감동적이었다")
    expect(page.locator(LABEL)).to_have_text("긍정", timeout=120_000)
    page.locator("#cls-words").get_by_text("최고였고").first.wait_for()
    expect(page.locator("#cls-notice")).to_contain_text("분류한 모델")
    page.locator("#cls-text textarea").fill("최악이다. 돈 아깝고 지루해서 실망했다")
    expect(page.locator(LABEL)).to_have_count(0)  # the previous text's scores are gone
    expect(page.locator("#cls-words")).not_to_contain_text("최고였고")
    page.locator("#cls-robustness").click()
    table = page.locator("#cls-robustness-table")
    table.get_by_text("띄어쓰기 없음").first.wait_for(timeout=120_000)
    expect(page.locator(LABEL)).to_have_text("부정")  # this text's scores
    expect(table).to_contain_text("바꾼 방식")


def test_a_result_on_screen_follows_a_language_switch(page):
    """Switching language draws the result on screen again in the new language (scores, the
    robustness table, the notes), without classifying again; and back."""
    page.locator("#cls-robustness").click()  # on the text the previous test left
    table = page.locator("#cls-robustness-table")
    table.get_by_text("띄어쓰기 없음").first.wait_for(timeout=120_000)
    page.locator("#language").get_by_text("English", exact=True).click()
    expect(page.locator(LABEL)).to_have_text("negative", timeout=60_000)
    expect(table).to_contain_text("no spacing")
    expect(page.locator("#cls-notice")).to_contain_text("Classified by")
    page.locator("#language").get_by_text("한국어", exact=True).click()
    expect(page.locator(LABEL)).to_have_text("부정", timeout=60_000)
    expect(table).to_contain_text("띄어쓰기 없음")


def test_a_long_text_is_coloured_in_chunks_inside_a_box(page):
    _classify(page, ("배우들 연기가 정말 최고였고 스토리도 감동적이었다 " * 200)[:5000])
    page.locator("#cls-how-to-read").get_by_text("묶음").wait_for(timeout=180_000)
    assert page.locator("#cls-words .attribution span").count() <= 48
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2_500, height  # 5,600 px before
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "classification-ko-long.png"), full_page=True)


def test_a_zero_shot_guess_reads_not_sure(page):
    page.get_by_role("radio", name="의도").click()
    page.locator("#cls-status").get_by_text("의도: 아직 학습된 모델 없음").wait_for()
    _classify(page, "wake me up at 7am")
    expect(page.locator("#cls-notice")).to_contain_text("확신하기 어렵습니다", timeout=120_000)
    expect(page.locator("#cls-notice")).to_contain_text("2위")
    expect(page.locator("#cls-notice")).to_contain_text("레이블의 짧은 설명")


def test_an_intent_evaluation_fits_1280_pixels(page):
    page.get_by_role("radio", name="의도").click()
    page.get_by_role("tab", name="평가").click()
    set_number(page, "표본 크기(행)", "35")
    page.locator("#cls-eval-go").click()
    page.locator("#cls-confusion .heatmap").wait_for(timeout=240_000)
    expect(page.locator("#cls-eval-summary")).to_contain_text("매크로 F1")
    heatmap = page.locator("#cls-confusion .heatmap").bounding_box()
    assert heatmap is not None and heatmap["x"] + heatmap["width"] <= WIDTH, heatmap
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    expect(page.locator("#cls-confusion")).to_contain_text("날씨 확인")  # classes in Korean
    for header in ("정밀도", "재현율", "F1"):
        cell = page.locator("#cls-per-class").get_by_text(header, exact=True).first
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH, (header, box)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "classification-ko-evaluate.png"), full_page=True)
