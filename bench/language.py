"""The page in two languages, in headless Chromium: how long until it shows its tabs in an English
and in a Korean browser, until a tab opened for the first time has drawn, and until a switch of
language in the page shows (the header's text, translated in the browser, and every tab's name,
sent by the server).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

from bench.common import ROOT, Result, bench_env, benchmark

SCRIPT = r"""
import json, statistics, sys, time
import app
from playwright.sync_api import sync_playwright
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

TABS = {"en": ["Classification", "Fine-tuning"], "ko": ["분류", "미세 조정"]}
INTRO = {"en": "Fine-tuned language models", "ko": "미세 조정한 언어 모델"}
repeat = int(sys.argv[1])
blocks = app.create_app()
blocks.queue(default_concurrency_limit=2).launch(
    server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, ssr_mode=False,
    **app.launch_options(),
)
out = {"load": {"en": [], "ko": []}, "first_tab": {"en": [], "ko": []}, "intro": [], "tabs": []}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    for _ in range(repeat):
        for lang, locale in (("en", "en-US"), ("ko", "ko-KR")):
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 720})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(blocks.local_url)
            page.get_by_role("tab", name=TABS[lang][0], exact=True).wait_for(timeout=120_000)
            out["load"][lang].append(time.perf_counter() - start)
            page.wait_for_timeout(1000)
            start = time.perf_counter()
            page.get_by_role("tab", name=TABS[lang][1], exact=True).click()
            page.wait_for_function(
                "() => (document.querySelector('#tab-finetune')?.innerText || '').length > 50",
                timeout=120_000,
            )
            out["first_tab"][lang].append(time.perf_counter() - start)
            context.close()
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(blocks.local_url)
    page.get_by_role("tab", name=TABS["ko"][0], exact=True).wait_for(timeout=120_000)
    page.wait_for_timeout(3000)
    for i in range(2 * repeat):
        lang = "en" if i % 2 == 0 else "ko"
        start = time.perf_counter()
        page.locator("#language").get_by_text("English" if lang == "en" else "한국어",
                                               exact=True).click()
        page.wait_for_function(
            f"() => document.querySelector('#intro').innerText.includes('{INTRO[lang]}')",
            timeout=60_000,
        )
        out["intro"].append(time.perf_counter() - start)
        for name in TABS[lang]:
            page.get_by_role("tab", name=name, exact=True).wait_for(timeout=60_000)
        out["tabs"].append(time.perf_counter() - start)
        page.wait_for_timeout(1500)
    browser.close()
blocks.close()
print(json.dumps(out))
"""


@benchmark("language")
def language(repeat: int = 3) -> Iterator[Result]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(repeat)], cwd=ROOT, env=bench_env(),
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    r = json.loads(done.stdout.strip().splitlines()[-1])
    median = {key: sorted(r[key])[len(r[key]) // 2] for key in ("intro", "tabs")}
    load = {lang: sorted(values)[len(values) // 2] for lang, values in r["load"].items()}
    first = {lang: sorted(values)[len(values) // 2] for lang, values in r["first_tab"].items()}
    yield Result(
        "Korean browser: page to Korean tabs, median", "s", load["ko"], load["en"],
        notes=f"baseline = an English browser; runs {r['load']}",
    )  # fmt: skip
    yield Result(
        "a tab opened for the first time (Fine-tuning), Korean, median", "s", first["ko"],
        first["en"], notes="baseline = the same in English",
    )  # fmt: skip
    yield Result("switching language: the header's text changes, median", "s", median["intro"],
                 notes=f"runs {[round(x, 2) for x in r['intro']]}")  # fmt: skip
    yield Result("switching language: every tab's name changes, median", "s", median["tabs"],
                 notes=f"runs {[round(x, 2) for x in r['tabs']]}")  # fmt: skip
