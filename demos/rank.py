"""The Answer ranking tab (its issue is next): for now, what it will do."""

from __future__ import annotations

from demos.widgets import coming_soon


def create_rank_tab() -> None:
    coming_soon(
        "Answer ranking",
        "A chatbot that answers with the most similar stored question's answer (Korean "
        "Chatbot_data), showing the top-k candidates and their scores.",
    )
