"""In a Korean browser the page speaks Korean on every tab, switches to English and back in the
page, and keeps the choice across a reload."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.english_check import leftover_english
from tests.test_app import TAB_IDS
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, wait_until_loaded

pytestmark = pytest.mark.browser
KOREAN_TABS = {"classification": "분류", "generation": "생성", "ranking": "답변 검색",
               "finetune": "미세 조정", "models": "모델과 데이터"}  # fmt: skip
ENGLISH_TABS = {"classification": "Classification", "generation": "Generation",
                "ranking": "Answer ranking", "finetune": "Fine-tuning",
                "models": "Models & data"}  # fmt: skip


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _korean_page(chromium, url: str):
    context = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(url)
    wait_until_loaded(page, "ko")
    return page


@pytest.fixture(scope="module")
def korean_page(chromium, served_app):
    page = _korean_page(chromium, served_app)
    yield page
    page.context.close()


# Examples are inputs to try, in both languages on purpose (a Korean room tries English text
# too): they are content, not the page's words, so the scan leaves them out.
VISIBLE_TEXT_WITHOUT_EXAMPLES = """(id) => {
    const root = document.getElementById(id);
    const examples = [...root.querySelectorAll('.gallery')];
    examples.forEach((e) => e.style.setProperty('display', 'none'));
    const text = root.innerText;
    examples.forEach((e) => e.style.removeProperty('display'));
    return text;
}"""


def _visible_text(page, tab: str) -> str:
    return page.evaluate(VISIBLE_TEXT_WITHOUT_EXAMPLES, f"tab-{tab}")


@pytest.mark.parametrize("tab", TAB_IDS)
def test_a_korean_browser_sees_every_tab_in_korean(korean_page, tab):
    page = korean_page
    page.get_by_role("tab", name=KOREAN_TABS[tab], exact=True).click()
    page.wait_for_timeout(1500)  # the tab's load events fill its status lines
    # Open the "How it works" accordion too: its text is part of the tab.
    page.locator(f"#tab-{tab} .how-it-works .label-wrap").first.click()
    page.wait_for_timeout(300)
    words = leftover_english(_visible_text(page, tab))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"ko-{tab}.png"), full_page=True)
    assert not words, f"English left on the Korean {tab} tab: {sorted(set(words))[:30]}"


def test_switch_to_english_and_back_and_the_choice_survives_a_reload(korean_page):
    page = korean_page
    page.locator("#language").get_by_text("English", exact=True).click()
    for name in ENGLISH_TABS.values():
        page.get_by_role("tab", name=name, exact=True).wait_for(timeout=60_000)
    assert "Fine-tuned language models" in page.locator("#intro").inner_text()
    page.reload()
    page.get_by_role("tab", name=ENGLISH_TABS["finetune"], exact=True).wait_for(timeout=60_000)
    page.locator("#language").get_by_text("한국어", exact=True).click()
    page.get_by_role("tab", name=KOREAN_TABS["finetune"], exact=True).wait_for(timeout=60_000)


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_a_switch_turns_every_tab_and_back_without_a_reload(chromium, served_app):
    """The static texts follow the switch in the page (Gradio's locale), not only on load: every
    tab in English with nothing Korean left (examples aside), then the largest tab Korean again."""
    page = _korean_page(chromium, served_app)
    page.locator("#language").get_by_text("English", exact=True).click()
    for tab in TAB_IDS:
        page.get_by_role("tab", name=ENGLISH_TABS[tab], exact=True).click()
        page.wait_for_timeout(1000)  # the tab's status lines are written again after a switch
        page.locator(f"#tab-{tab} .how-it-works .label-wrap").first.click()
        page.wait_for_timeout(300)
        korean = [line for line in _visible_text(page, tab).splitlines() if HANGUL.search(line)]
        assert not korean, f"Korean left on the English {tab} tab: {korean[:10]}"
    page.locator("#language").get_by_text("한국어", exact=True).click()
    page.get_by_role("tab", name=KOREAN_TABS["finetune"], exact=True).click()
    page.wait_for_timeout(1000)
    words = leftover_english(_visible_text(page, "finetune"))
    assert not words, f"English left after switching back: {sorted(set(words))[:30]}"
    page.context.close()
