"""The Answer ranking tab: a chatbot that answers with the most similar stored question's answer.

A thin UI over ``models.rank``: pick a Q/A bank (or upload one), a ranker and where to search,
chat, and open the candidates to see what else came close, by how much, and what the score means
on this bank (``chat``); fine-tune the encoder for the bank, full and LoRA side by side
(``tune``); ``api`` holds the ``/rank`` endpoint.
"""

from __future__ import annotations

import gradio as gr

from demos.rank.api import rank_api
from demos.rank.chat import create_chat
from demos.rank.tune import create_tune
from models.core.i18n import Text

INTRO = Text(
    "Ask anything: the bot answers with the stored answer of the most similar stored question "
    "(sentence embeddings by default), and says so when no candidate is close enough. Open "
    "**Candidates** to see the runners-up, the margin between the first two, and what the score "
    "means on this bank.",
    "무엇이든 물어보세요. 챗봇은 저장된 질문 가운데 가장 비슷한 질문의 답변으로 답하고(기본은 문장 "
    "임베딩), 충분히 가까운 후보가 없으면 그렇다고 말합니다. **후보 답변**을 열면 다음 후보들, "
    "첫째와 둘째의 점수 차이, 그 점수가 이 모음에서 어떤 뜻인지 볼 수 있습니다.",
)


def create_rank_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events."""
    gr.Markdown(INTRO)
    controls = create_chat(app)
    create_tune(app, controls)
    gr.api(rank_api, api_name="rank")
