"""The Answer ranking tab's named endpoint: ``/rank``."""

from __future__ import annotations

import gradio as gr

from demos.access import caller
from demos.safety import api_guard
from models.core import inputs
from models.core.access import check_model_ref
from models.rank.banks import DEFAULT_BANK
from models.rank.chat import DEFAULT_TOP_K, MAX_QUERY_CHARS, MAX_TOP_K, ask
from models.rank.encoders import encoders_dir
from models.rank.rankers import AUTO, BACKENDS, MEMORY


@api_guard
def rank_api(
    query: str, bank: str = DEFAULT_BANK, model: str = AUTO, top_k: int = DEFAULT_TOP_K,
    backend: str = MEMORY,
    request: gr.Request = None,  # type: ignore[assignment]  # Gradio passes it
) -> dict:  # fmt: skip
    """Answer ``query`` from a registered Q/A bank (``backend``: ``memory`` or ``qdrant``).

    Args:
        query: the message, up to 1,000 characters.
        top_k: how many candidate answers, from 1 to 50.

    Returns:
        {"answer" (None when not confident), "confident", "margin", "model", "candidates":
        [{"question", "answer", "score"}]}, or {"error": message}.
    """
    # An empty query and an unknown bank are ask's to explain, as in the tab.
    query = inputs.text(query, "query", allow_empty=True, max_chars=MAX_QUERY_CHARS)
    model = inputs.text(model, "model", allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    check_model_ref(model.strip() or AUTO, caller(request), allowed=(encoders_dir(),))
    top_k = inputs.integer(top_k, "top_k", 1, MAX_TOP_K)
    backend = inputs.choice(backend or MEMORY, "backend", BACKENDS)
    return ask(query, bank, model.strip() or AUTO, top_k, backend=backend).as_api()
