"""The Classification tab: sentiment, NLI and intent; scores, word attributions, evaluation.

A thin UI over ``models.classify``. The header (task, model, status) and the row that trains a
task's default sit above three sub-tabs, each in its own module: ``try_it``, ``batch``,
``evaluation``. ``api`` holds the named endpoints.
"""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.classify.api import classify_api, evaluate_api
from demos.classify.batch import create_batch
from demos.classify.evaluation import create_evaluation, wire_evaluation
from demos.classify.header import create_header, create_labels, wire_header
from demos.classify.train_default import create_train_default, wire_train_default
from demos.classify.try_it import create_try_it, wire_try_it
from models.core.access import viewer
from models.core.i18n import Text, localize

INTRO = Text(
    "Classify Korean or English text by **sentiment**, **NLI** (does the premise entail the "
    "hypothesis?) or **intent**: label scores, the words that drove them, small rewrites, and "
    "a whole labelled set.",
    "한국어나 영어 텍스트를 **감성**, **자연어 추론**(전제가 가설을 함의하는가?), "
    "**의도**로 분류합니다. 레이블 점수, 판단에 영향을 준 단어, 입력을 조금 바꿨을 때의 "
    "결과, 레이블이 달린 데이터 전체의 성능을 봅니다.",
)


def create_classification_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events."""
    gr.Markdown(INTRO)
    header = create_header()
    training = create_train_default()
    create_labels(header)
    with gr.Tabs():
        with gr.Tab(Text("Try it", "직접 해 보기")):
            try_it = create_try_it()
        with gr.Tab(Text("Batch file", "파일 일괄 분류")):
            create_batch(header)
        with gr.Tab(Text("Evaluate", "평가")):
            evaluation = create_evaluation()

    parts = (header, training, try_it, evaluation)

    def on_task(task: str, request: gr.Request) -> dict:
        # Each part resets what depends on the task; nothing of the previous task stays. Parts
        # answer in Texts; they are rendered here, once, in the page's language.
        lang = lang_of(request)
        changes = {k: v for part in parts for k, v in part.on_task(task).items()}
        changes = {k: localize(v, lang) for k, v in changes.items()}
        return {**changes, **header.on_task(task, viewer(caller(request)), lang)}

    header.task.change(
        on_task, header.task, [c for part in parts for c in part.task_outputs],
        api_visibility="private",
    )  # fmt: skip
    wire_header(app, header)
    wire_train_default(app, header, training)
    wire_try_it(app, header, try_it)
    wire_evaluation(app, header, evaluation)
    gr.api(classify_api, api_name="classify")
    gr.api(evaluate_api, api_name="evaluate")
