"""The Generation tab in a real Chromium set to Korean, at 1280 x 720: its text is Korean, the two
configurations and the in-context-learning table fit the width, and a switch to English
re-renders what the handlers wrote."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import RESULTS
from tests.english_check import leftover_english
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, set_number, wait_until_loaded

pytestmark = pytest.mark.browser
WIDTH = 1280
SCREENSHOTS = RESULTS / "screenshots"
# Names the tab shows as they are: the packaged model, the servers a backend note lists.
NAMES = {"smollm2", "135m", "vllm", "ollama", "cpp", "stub-model", "stub"}


@pytest.fixture(scope="module")
def page(served_app):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": 720}, locale="ko-KR")
        page = context.new_page()
        page.goto(served_app)
        wait_until_loaded(page, "ko")
        page.get_by_role("tab", name="생성").click()
        yield page
        browser.close()


def _panel(page):
    return page.get_by_role("tabpanel").filter(has=page.locator("#gen-input"))


def _open(page, *names: str) -> None:
    """Open the accordions so named (every one, in both columns)."""
    for name in names:
        buttons = _panel(page).get_by_role("button", name=name)
        for i in range(buttons.count()):
            buttons.nth(i).click()


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


def _right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def test_the_tab_is_korean_and_its_two_configurations_fit_1280(page):
    from tests.openai_stub import StubServer

    # Written by the tab's page-load event, after the page has told the server its language.
    expect(page.locator("#gen-a-description")).to_contain_text("지시문과 입력만", timeout=60_000)
    expect(page.locator("#gen-a-backend-note")).to_contain_text("이 서버에서 실행됩니다")
    examples = page.locator("#gen-examples")
    expect(examples).to_contain_text("주말에도 쉬지 못하고")
    examples.get_by_text("주말에도 쉬지 못하고").click()
    expect(page.locator("#gen-input textarea")).to_have_value("요즘 회사 일이 너무 많아서 주말에도 "
                                                               "쉬지 못하고 있어요. 어떻게 하면 "
                                                               "좋을까요?")  # fmt: skip
    with StubServer() as url:
        page.locator("#gen-a-backend").get_by_text("OpenAI 호환 서버").click()
        page.locator("#gen-a-url input, #gen-a-url textarea").first.fill(url)
        page.locator("#gen-a-model input, #gen-a-model textarea").first.fill("stub-model")
        page.locator("#gen-run-a").click()
        expect(page.locator("#gen-a-output textarea")).to_have_value("Hello, world!",
                                                                     timeout=60_000)  # fmt: skip
        expect(page.locator("#gen-a-stats")).to_contain_text("프롬프트 11 + 답 5 토큰")
    _open(page, "생성 설정", "내 기법 (이 세션)")
    # Every word is Korean, but for names, and the inputs to try (one of them is English).
    text = _panel(page).inner_text().replace(examples.inner_text(), "")
    for words in ("프롬프트 기법", "온도", "최대 새 토큰 수", "시드", "생성 (A)", "초당"):
        assert words in text
    left = leftover_english(text.replace("stub-model", ""), NAMES)
    assert not left, left[:20]
    # The template and the messages sent are the prompt itself: English, as the model gets it.
    _open(page, "템플릿 (편집 가능)", "보낸 메시지")
    expect(page.locator("#gen-a-messages")).to_contain_text("주말에도 쉬지 못하고")
    expect(page.locator("#gen-a-variables")).to_contain_text("변수")
    expect(page.locator("#gen-a-details")).to_contain_text("stub-model")
    left, right = page.locator("#gen-a-output"), page.locator("#gen-b-output")
    assert left.bounding_box()["x"] < right.bounding_box()["x"]  # side by side
    assert _right_edge(right) <= WIDTH
    _fits(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "generation-ko-1280.png"), full_page=True)


def test_the_in_context_learning_table_fits_and_follows_a_switch_to_english(page):
    from tests.openai_stub import StubServer

    with StubServer() as url:
        page.locator("#gen-a-url input, #gen-a-url textarea").first.fill(url)
        page.locator("#gen-a-model input, #gen-a-model textarea").first.fill("say:positive")
        _open(page, "프롬프트 속 학습 vs 미세 조정")
        set_number(page, "평가 행 수", "8")
        page.locator("#gen-icl-run").click()
        expect(page.locator("#gen-icl-status")).to_contain_text("완료했습니다.", timeout=120_000)
        page.locator("#gen-input textarea").fill("정말 좋았어요")
        page.locator("#gen-run-a").click()
        expect(page.locator("#gen-a-stats")).to_contain_text("답 ", timeout=60_000)
        expect(page.locator("#gen-a-stats")).to_contain_text("토큰")
    table = page.locator("#gen-icl-table")
    for header in ("프롬프트 속 예시 수", "정확도"):  # the key columns, in view
        cell = table.get_by_text(header, exact=True).filter(visible=True).first
        expect(cell).to_be_visible()
        assert _right_edge(cell) <= WIDTH
    assert "0 0.5 4 0 8" in " ".join(table.inner_text().split())
    expect(page.locator("#gen-icl-plot")).to_contain_text("프롬프트: stub-model")
    _fits(page)
    page.locator("#language").get_by_text("English").click()
    # After a switch every tab re-renders its texts, in the queue: give it time on a busy machine.
    expect(page.locator("#gen-a-description")).to_contain_text("An instruction and the input",
                                                               timeout=180_000)  # fmt: skip
    expect(table).to_contain_text("examples in the prompt", timeout=60_000)
    # Column A's reply: its measurements are drawn again, in English.
    expect(page.locator("#gen-a-stats")).to_contain_text("completion tokens")
    expect(page.get_by_role("tab", name="Generation")).to_be_visible()
    expect(_panel(page)).to_contain_text("Prompt technique")
    expect(page.locator("#gen-examples")).to_contain_text("What should I pack")
