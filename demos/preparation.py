"""Models & data's first panel: what the start-up preparation has made ready, and what it is doing.

A timer refreshes the lines while the preparation runs, and switches itself off when it ends.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.access import caller
from demos.browser import browser_of, lang_of
from demos.i18n import on_load
from demos.safety import api_guard
from models.core.access import NotAllowed, public_data, public_message, require_operator
from models.core.i18n import Text, error_text, localize
from models.core.settings import get_settings
from models.overview.state import COLUMNS
from models.prepare.background import get_preparation
from models.prepare.status import rows, summary

REFRESH_S = 2.0
PREPARATION_COLUMNS = ["item", "state", "progress", "detail"]


def shown_lang(request: gr.Request | None) -> str:
    """The language a table is shown in: the page's; English for an API client (no page), whose
    answer keeps the English column names it has always had."""
    return lang_of(request) if browser_of(request) else "en"


def table(lines: list[dict], columns: list[str], lang: str) -> pd.DataFrame:
    """Rows as a table in ``lang``: cells rendered, headers named (``COLUMNS``), keys' order."""
    frame = pd.DataFrame(localize(lines, lang), columns=columns)
    frame.columns = [localize(COLUMNS.get(c, c), lang) for c in columns]
    return frame


def preparation_view(request: gr.Request = None) -> tuple[str, pd.DataFrame, dict]:
    """The summary, a row per item, and whether the timer keeps ticking."""
    lang = shown_lang(request)
    preparation = get_preparation()
    lines = public_data(rows(preparation))  # a public server's answer names no server folder
    return (
        public_message(localize(summary(preparation, get_settings().prepare), lang)),
        table(lines, PREPARATION_COLUMNS, lang),
        gr.Timer(active=preparation.running),
    )


def _operated(
    action: str, what: Text, request: gr.Request | None
) -> tuple[str, pd.DataFrame, dict]:
    """Do ``action`` on the preparation if the caller operates this server; then the view."""
    try:
        require_operator(caller(request), what)
    except NotAllowed as err:
        summary_text, lines, timer = preparation_view(request)
        refusal = public_message(localize(error_text(err), shown_lang(request)))
        return f"⚠️ {refusal}\n\n{summary_text}", lines, timer
    getattr(get_preparation(), action)()
    return preparation_view(request)


def prepare_now(request: gr.Request) -> tuple[str, pd.DataFrame, dict]:
    """Start (or resume) the preparation; what is ready already is skipped."""
    what = Text("starting the preparation", "준비 시작")
    return _operated("start", what, request)


def stop_preparation(request: gr.Request) -> tuple[str, pd.DataFrame, dict]:
    return _operated("stop", Text("stopping the preparation", "준비 중지"), request)


@api_guard
def preparation_api() -> dict:
    """Where the preparation stands: {"running", "summary", "items": [{"key", "title", "state",
    "detail", "fraction", "eta_s"}]}."""
    preparation = get_preparation()
    return {
        "running": preparation.running,
        "summary": summary(preparation, get_settings().prepare),
        "items": [
            {
                "key": line.key,
                "title": line.title,
                "state": line.state,
                "detail": line.detail,
                "fraction": line.fraction,
                "eta_s": line.remaining_s() if line.state == "running" else None,
            }
            for line in preparation.lines()
        ],
    }


INTRO = Text(
    "### Ready when opened\n"
    "On start-up the app converts the packaged models, builds the answer-ranking index and "
    "trains each task's default model in the background, in that order (the same as "
    "`python -m models.prepare`). Each goes live when it is ready; until then its tab says "
    "so and uses zero-shot.",
    "### 열자마자 쓸 수 있게\n"
    "앱이 시작되면 백그라운드에서 패키지 모델을 변환하고, 답변 검색 인덱스를 만들고, 작업별 기본 "
    "모델을 이 순서대로 학습합니다(`python -m models.prepare`와 같습니다). 각 항목은 준비되는 "
    "대로 바로 쓰이고, 그전까지는 해당 탭에서 그렇다고 알리고 제로샷을 씁니다.",
)


def create_preparation_panel(app: gr.Blocks) -> None:
    gr.Markdown(INTRO)
    status = gr.Markdown(elem_id="prepare-summary")
    lines = gr.Dataframe(
        elem_id="prepare-lines", interactive=False, wrap=True,
        column_widths=["22%", "14%", "16%", "48%"],
    )  # fmt: skip
    with gr.Row() as buttons:  # shown to this server's operators only (see below)
        start = gr.Button(Text("Prepare now", "지금 준비"), elem_id="prepare-start", size="sm")
        stop = gr.Button(
            Text("Stop preparation", "준비 중지"), variant="stop", elem_id="prepare-stop",
            size="sm",
        )  # fmt: skip
    timer = gr.Timer(REFRESH_S, active=False)

    outputs = [status, lines, timer]
    on_load(app, preparation_view, outputs=outputs)
    timer.tick(preparation_view, outputs=outputs, api_visibility="private", show_progress="hidden")
    start.click(prepare_now, outputs=outputs, api_name="prepare")
    stop.click(stop_preparation, outputs=outputs, api_visibility="private")
    gr.api(preparation_api, api_name="preparation")

    def shown_to(request: gr.Request) -> dict:
        return gr.update(visible=caller(request).operator)

    on_load(app, shown_to, outputs=buttons, again_on_switch=False)
