"""In Chromium at 1280x720: a Fine-tuning run survives a reload (its progress is followed again
and Stop works from the new page), a second browser is told who holds the slot, and the
comparison's key columns are on screen."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import RESULTS
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, wait_until_loaded

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1280, 720
KEY_HEADERS = ("method", "accuracy", "macro-F1", "time (s)", "trainable %")


@pytest.fixture(scope="module")
def chromium(served_app):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(chromium, url: str):
    """A new browser (its own storage, so its own id), on the Fine-tuning tab."""
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-US")
    page = context.new_page()
    page.goto(url)
    wait_until_loaded(page, "en")
    page.get_by_role("tab", name="Fine-tuning").click()
    page.locator("#ft-data-info").get_by_text("SNIPS").wait_for(timeout=60_000)
    return page


def test_the_default_rows_stop_button_is_hidden_while_nothing_trains(chromium, served_app):
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-US")
    page = context.new_page()
    page.goto(served_app)
    wait_until_loaded(page, "en")
    page.get_by_role("tab", name="Classification").click()
    page.locator("#cls-train-default").wait_for()
    expect(page.locator("#cls-stop-default")).to_be_hidden()
    context.close()


def test_a_run_survives_a_reload_and_stops_from_the_new_page(chromium, served_app):
    page = _open(chromium, served_app)
    page.locator("#ft-train").click()  # 2,000 rows, three methods: minutes, far longer than this
    status = page.locator("#ft-status")
    expect(status).to_contain_text("elapsed", timeout=120_000)

    page.reload()
    page.get_by_role("tab", name="Fine-tuning").click()
    # Generous waits: a loaded CI machine trains meanwhile, and the page load queues behind it.
    expect(status).to_contain_text("Your run", timeout=120_000)
    expect(status).to_contain_text("elapsed", timeout=120_000)  # followed live again
    expect(status).to_contain_text("Frozen encoder + head")  # a line per method

    stranger = _open(chromium, served_app)
    other = stranger.locator("#ft-status")
    expect(other).to_contain_text("Another training run is in progress", timeout=120_000)
    expect(other).to_contain_text("started")
    stranger.locator("#ft-stop").click()
    expect(other).to_contain_text("Nothing of yours is training")
    stranger.context.close()

    page.locator("#ft-stop").click()
    expect(status).to_contain_text("Stopped.", timeout=300_000)
    table = page.locator("#ft-results")
    table.get_by_text("LoRA", exact=True).first.wait_for()
    for name in KEY_HEADERS:
        header = table.locator("th").filter(has_text=name).first
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH, (name, box)
    # "Show this run" puts back every setting the run used, here the epochs changed since.
    epochs = page.locator("#ft-epochs input")
    epochs.fill("3")
    epochs.press("Enter")
    page.get_by_role("button", name="Past runs").click()
    runs = page.locator("#ft-runs input")
    runs.click()
    page.get_by_role("option").filter(has_text="English intent").first.click()
    page.locator("#ft-show-run").click()
    expect(status).to_contain_text("Every setting above is now this run's", timeout=60_000)
    expect(epochs).to_have_value("1", timeout=30_000)
    page.get_by_role("button", name="Details: run id, folder, versions").click()
    expect(page.locator("#ft-run-details")).to_contain_text("run id", timeout=30_000)
    (RESULTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "screenshots" / "fine-tuning-1280.png"), full_page=True)
    page.context.close()
