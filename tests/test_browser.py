"""A real Chromium opens the app, visits every tab and leaves a screenshot of each in results/."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import RESULTS
from tests.test_app import TABS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Stops Chromium's own look-ups of Google hosts on a machine with no internet.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
SCREENSHOTS = RESULTS / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(served_app):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served_app)
        page.get_by_role("tab", name="Classification").wait_for()
        yield page
        browser.close()


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")


@pytest.mark.parametrize("tab", TABS)
def test_visit_every_tab_and_screenshot_it(page, tab):
    page.get_by_role("tab", name=tab).click()
    assert page.get_by_role("tab", name=tab).get_attribute("aria-selected") == "true"
    if tab == "Models & data":
        # The panel fills itself on load: wait until it lists the packaged models.
        page.locator("#models-packaged").get_by_text("packaged:SmolLM2-135M-Instruct").wait_for()
        datasets = page.locator("#models-datasets")
        datasets.get_by_text("nsmc", exact=True).first.wait_for()
        assert "Device:" in page.locator("#models-summary").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_slug(tab)}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
