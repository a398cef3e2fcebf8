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

INTRO = (
    "Ask anything: the bot answers with the stored answer of the most similar stored question "
    "(sentence embeddings by default), and says so when no candidate is close enough. Open "
    "**Candidates** to see the runners-up, the margin between the first two, and what the score "
    "means on this bank."
)


def create_rank_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events."""
    gr.Markdown(INTRO)
    controls = create_chat(app)
    create_tune(controls)
    gr.api(rank_api, api_name="rank")
