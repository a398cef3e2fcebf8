"""A real Chromium opens the app, visits every tab and leaves a screenshot of each in results/."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

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


def wait_until_loaded(page, lang: str, timeout: float = 120_000) -> None:
    """Wait until the page has told the server its browser and language: the switch shows the
    language then (it starts with none chosen). The tabs' texts say nothing about it: the browser
    renders them in its language from the start."""
    expect(page.locator(f"#language input[value='{lang}']")).to_be_checked(timeout=timeout)


@pytest.fixture(scope="module")
def page(served_app):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Install Chromium first: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served_app)
        wait_until_loaded(page, "en")
        yield page
        browser.close()


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


@pytest.mark.parametrize("tab", TABS)
def test_visit_every_tab_and_screenshot_it(page, tab):
    page.get_by_role("tab", name=tab).click()
    assert page.get_by_role("tab", name=tab).get_attribute("aria-selected") == "true"
    if tab == "Models & data":
        # The panel fills itself on load: wait until it lists the packaged models.
        page.locator("#models-packaged").get_by_text("packaged:SmolLM2-135M-Instruct").wait_for()
        datasets = page.locator("#models-datasets")
        datasets.get_by_text("nsmc", exact=True).first.wait_for()
        expect(page.locator("#models-summary")).to_contain_text("Device:")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_slug(tab)}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def set_number(page, label: str, value: str) -> None:
    """Type into a slider's number box and leave it, as a person does, until the box holds the
    value. A slider in an accordion opened a moment before can mount once more and show its first
    value again (seen in CI: 8 typed, 24 shown a second later), so the typing is repeated then."""
    box = page.locator(f"input[aria-label='number input for {label}']")
    for _ in range(5):
        box.fill(value)
        box.press("Enter")
        box.blur()  # the slider commits the value on leaving the box, before a Run reads it
        page.wait_for_timeout(300)
        if box.input_value() == value:
            break
    expect(box).to_have_value(value)


def test_train_in_the_fine_tuning_tab(page):
    """A person sets a small run, presses Train, watches it finish, and sees the comparison."""
    page.get_by_role("tab", name="Fine-tuning").click()
    page.locator("#ft-data-info").get_by_text("SNIPS").wait_for()
    set_number(page, "Training rows", "96")
    set_number(page, "Evaluation rows", "48")
    page.locator("#ft-train").click()
    page.locator("#ft-status").get_by_text("Done.").wait_for(timeout=240_000)
    results = page.locator("#ft-results")
    results.get_by_text("LoRA", exact=True).first.wait_for()
    table_text = " ".join(results.inner_text().split())
    for method in ("Full fine-tuning", "LoRA", "Frozen encoder + head"):
        assert method in table_text
    # train + eval per method
    expect(page.locator("#ft-curves .mark-line path")).to_have_count(6)
    expect(page.locator("#ft-confusion .heatmap")).to_have_count(3)
    expect(page.locator("#ft-notes")).to_contain_text("Evaluation loss")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "fine-tuning-results.png"), full_page=True)


def test_a_fine_tuning_warning_goes_when_the_data_changes(page):
    """A warning about the previous data does not linger once another dataset is chosen."""
    page.get_by_role("tab", name="Fine-tuning").click()
    status = page.locator("#ft-status")
    dataset = page.locator("#ft-dataset input")
    dataset.fill("upload")
    dataset.press("Enter")
    page.locator("#ft-data-info").get_by_text("Upload a labelled file").wait_for()
    page.locator("#ft-train").click()
    expect(status).to_contain_text("⚠️", timeout=30_000)
    dataset.fill("snips")
    dataset.press("Enter")
    page.locator("#ft-data-info").get_by_text("SNIPS").wait_for()
    expect(status).to_have_text("Choose settings and press Train.")


def test_classify_explain_probe_and_evaluate(page):
    """A person classifies a Korean review, reads the word weights, probes it, then evaluates."""
    page.get_by_role("tab", name="Classification").click()
    page.locator("#cls-status").get_by_text("zero-shot is used meanwhile").first.wait_for()
    page.locator("#cls-text textarea").fill("배우들 연기가 정말 최고였고 스토리도 감동적이었다")
    page.locator("#cls-go").click()
    page.locator("#cls-scores [data-testid='label-output-value']").wait_for(timeout=120_000)
    expect(page.locator("#cls-scores [data-testid='label-output-value']")).to_have_text("positive")
    page.locator("#cls-words").get_by_text("최고였고").first.wait_for()
    page.locator("#cls-robustness").click()
    page.locator("#cls-robustness-table").get_by_text("no spacing").wait_for(timeout=60_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "classification-try.png"), full_page=True)

    page.get_by_role("tab", name="Evaluate").click()
    set_number(page, "Sample size (rows)", "40")
    page.locator("#cls-eval-go").click()
    page.locator("#cls-eval-summary").get_by_text("Accuracy").wait_for(timeout=120_000)
    expect(page.locator("#cls-confusion .heatmap")).to_have_count(1)
    page.locator("#cls-threshold").wait_for()  # binary task: the threshold slider is offered
    expect(page.locator("#cls-threshold-text")).to_contain_text("precision")
    page.screenshot(path=str(SCREENSHOTS / "classification-evaluate.png"), full_page=True)

    # An evaluation that fails leaves no earlier result on screen to be mistaken for its own.
    page.locator("#cls-eval-dataset input").fill("upload")
    page.locator("#cls-eval-dataset input").press("Enter")
    page.locator("#cls-eval-go").click()
    page.locator("#cls-eval-summary").get_by_text("Upload a labelled file first").wait_for()
    expect(page.locator("#cls-confusion .heatmap")).to_have_count(0)
    expect(page.locator("#cls-threshold")).to_be_hidden()


def test_train_a_default_from_the_classification_tab_and_stop_it(page):
    """The default for a task is chosen by name, and Stop ends its training without a new
    default: the tab keeps using zero-shot."""
    page.get_by_role("tab", name="Classification").click()
    page.get_by_role("tab", name="Try it").click()
    page.get_by_role("radio", name="nli").click()
    page.locator("#cls-text").get_by_text("Premise").wait_for()  # NLI names its two texts
    page.get_by_text("남자가 집에서 자고 있다.").click()  # an NLI example fills both
    # The example fills the boxes after a round trip: expect() waits for it, assert would race.
    expect(page.locator("#cls-pair textarea")).to_have_value("남자가 집에서 자고 있다.")
    page.get_by_role("radio", name="intent").click()
    page.locator("#cls-status").get_by_text("No trained model for Intent").wait_for()
    expect(page.locator("#cls-default-key input")).to_have_value(re.compile("Intent"))
    page.locator("#cls-train-default").click()
    page.locator("#cls-train-status").get_by_text("Training").first.wait_for(timeout=60_000)
    page.locator("#cls-stop-default").click()
    unchanged = page.locator("#cls-train-status").get_by_text("the default for intent is unchanged")
    unchanged.wait_for(timeout=180_000)
    expect(page.locator("#cls-train-status")).to_contain_text("stopped")
    expect(page.locator("#cls-status")).to_contain_text("No trained model for Intent")
    page.get_by_role("radio", name="sentiment").click()
    page.locator("#cls-status").get_by_text("Sentiment (Korean)").first.wait_for()


def test_models_and_data_follows_the_preparation_live(page, tmp_path, monkeypatch):
    """Prepare now starts the preparation (stand-in items here), the lines follow it by
    themselves (a timer), and Stop ends it."""
    from models.prepare import background
    from tests.test_prepare import _preparation

    preparation = _preparation(tmp_path, {"a:quick": "ok", "b:slow": "slow"})
    monkeypatch.setattr(background, "_current", preparation)
    page.get_by_role("tab", name="Models & data").click()
    page.locator("#models-refresh").click()
    page.locator("#prepare-start").click()
    lines = page.locator("#prepare-lines")
    expect(lines).to_contain_text("made it", timeout=30_000)  # the first item, ready
    expect(lines).to_contain_text("half way", timeout=30_000)  # the second, running, not re-clicked
    expect(lines).to_contain_text("50% · ~")
    expect(page.locator("#prepare-summary")).to_contain_text("1 of 2 ready")
    page.locator("#prepare-stop").click()
    expect(lines).to_contain_text("Stopped; press Prepare to do it again.", timeout=30_000)
    preparation.wait(30)
    assert not preparation.running


def test_chat_with_the_answer_ranking_tab(page):
    """A person asks the chatbot something and opens the candidates behind its answer."""
    page.get_by_role("tab", name="Answer ranking").click()
    page.locator("#rank-message textarea").fill("요즘 너무 피곤해")
    page.locator("#rank-send").click()
    chat = page.locator("#rank-chat")
    expect(chat).to_contain_text("요즘 너무 피곤해", timeout=240_000)  # the question, echoed
    expect(page.locator("#rank-message textarea")).to_have_value("")  # ready for the next one
    page.get_by_role("button", name="Candidates").click()
    expect(page.locator("#rank-details")).to_contain_text("threshold")
    # The bank's own threshold (read off its held-out questions), not a zero that accepts all.
    expect(page.locator("#rank-details")).not_to_contain_text("threshold 0.0000")
    expect(page.locator("#rank-candidates")).to_contain_text("stored question")
    expect(page.locator("#rank-info")).to_contain_text("Chatbot_data")
    # A threshold of one's own, above any score: the bot declines instead of guessing.
    page.locator("#rank-own-threshold input").check()
    page.locator("#rank-threshold input").fill("1.5")
    page.locator("#rank-message textarea").fill("양자역학 좀 설명해 줘")
    page.locator("#rank-send").click()
    expect(chat).to_contain_text("확실한 답을 찾지 못했어요", timeout=60_000)
    expect(page.locator("#rank-details")).to_contain_text("not confident")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "answer-ranking-chat.png"), full_page=True)


def test_fine_tune_the_ranking_encoder_from_the_tab(page):
    """A person tunes MiniLM for the ChatterBot bank, full and LoRA, and finds both in the list."""
    page.get_by_role("tab", name="Answer ranking").click()
    bank = page.locator("#rank-bank input")
    bank.fill("chatterbot")
    bank.press("Enter")
    expect(page.locator("#rank-info")).to_contain_text("ChatterBot", timeout=60_000)
    ranker = page.locator("#rank-model input")
    ranker.fill("packaged:all-MiniLM-L6-v2")
    ranker.press("Enter")
    page.get_by_role("button", name="Fine-tune the encoder for this bank").click()
    set_number(page, "Training time per method (minutes)", "0.25")
    page.locator("#rank-tune-train").click()
    status = page.locator("#rank-tune-status")
    expect(status).to_contain_text("Done.", timeout=300_000)
    table = " ".join(page.locator("#rank-tune-results").inner_text().split())
    for words in ("Full fine-tuning", "LoRA", "base: packaged:all-MiniLM-L6-v2", "hit@1 validation",
                  "checkpoint MB"):  # fmt: skip
        assert words in table
    curves = page.locator("#rank-tune-curves")
    expect(curves.locator(".mark-line path")).to_have_count(2)
    for method in ("Full fine-tuning", "LoRA"):  # one loss curve each, in the legend
        expect(curves).to_contain_text(method)
    ranker.click()
    expect(page.get_by_role("option", name="Tuned for chatterbot: LoRA").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "answer-ranking-tuned.png"), full_page=True)


def _use_server(page, column: str, url: str, model: str) -> None:
    """Point a Generation column at an OpenAI-compatible server and a model."""
    page.locator(f"#gen-{column}-backend").get_by_text("OpenAI-compatible server").click()
    page.locator(f"#gen-{column}-url textarea, #gen-{column}-url input").first.fill(url)
    _model_box(page, column).fill(model)


def _model_box(page, column: str):
    return page.locator(f"#gen-{column}-model textarea, #gen-{column}-model input").first


def test_generate_side_by_side_with_a_local_model_and_a_server(page):
    """A person runs the local model beside an OpenAI-compatible server and sees both replies,
    the messages sent and the measurements; a wrong key is one sentence and never shown back."""
    from tests.openai_stub import StubServer

    sentinel = "sk-SENTINEL-browser-7c1e"
    page.get_by_role("tab", name="Generation").click()
    page.locator("#gen-input textarea").fill("Name three colours.")
    with StubServer() as url:
        _use_server(page, "b", url, "stub-model")
        page.locator("#gen-run-both").click()
        expect(page.locator("#gen-b-output textarea")).to_have_value("Hello, world!",
                                                                     timeout=60_000)  # fmt: skip
        expect(page.locator("#gen-a-stats")).to_contain_text("tokens/s", timeout=180_000)
        expect(page.locator("#gen-b-stats")).to_contain_text("11 prompt + 5 completion tokens")
        assert page.locator("#gen-a-output textarea").input_value().strip()
        # A wrong key: one clear sentence, and the key appears nowhere on the page.
        _model_box(page, "b").fill("needs-key")
        page.locator("#gen-b-key input").fill(sentinel)
        page.locator("#gen-run-both").click()
        expect(page.locator("#gen-b-stats")).to_contain_text("refused the API key",
                                                            timeout=120_000)  # fmt: skip
        expect(page.locator("#gen-a-stats")).to_contain_text("tokens/s", timeout=180_000)
    assert sentinel not in page.locator("body").inner_text()
    page.get_by_role("button", name="Messages sent").first.click()
    expect(page.locator("#gen-a-messages")).to_contain_text("Name three colours.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "generation-side-by-side.png"), full_page=True)


def test_in_context_learning_curve_against_a_server(page):
    """A person compares 0- to 4-shot prompting on VADER rows, with a server that always says
    "positive": half right, none unparseable, one point per shot count."""
    from tests.openai_stub import StubServer

    page.get_by_role("tab", name="Generation").click()
    with StubServer() as url:
        _use_server(page, "a", url, "say:positive")
        page.get_by_role("button", name="In-context learning vs fine-tuning").click()
        set_number(page, "Rows", "8")
        page.locator("#gen-icl-run").click()
        status = page.locator("#gen-icl-status")
        expect(status).to_contain_text("Done.", timeout=120_000)
    table = " ".join(page.locator("#gen-icl-table").inner_text().split())
    for shots in ("0 0.5 4 0 8", "1 0.5 4 0 8", "2 0.5 4 0 8", "4 0.5 4 0 8"):
        assert shots in table, table
    expect(page.locator("#gen-icl-plot")).to_contain_text("prompting")
