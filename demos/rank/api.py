"""The Answer ranking tab's named endpoint: ``/rank``."""

from __future__ import annotations

from models.core.errors import PlaygroundError
from models.rank.banks import DEFAULT_BANK
from models.rank.chat import DEFAULT_TOP_K, ask
from models.rank.rankers import AUTO, MEMORY


def rank_api(
    query: str, bank: str = DEFAULT_BANK, model: str = AUTO, top_k: int = DEFAULT_TOP_K,
    backend: str = MEMORY,
) -> dict:  # fmt: skip
    """Answer ``query`` from a registered Q/A bank (``backend``: ``memory`` or ``qdrant``).

    Returns:
        {"answer" (None when not confident), "confident", "margin", "model", "candidates":
        [{"question", "answer", "score"}]}, or {"error": message}.
    """
    try:
        return ask(query, bank, model or AUTO, top_k, backend=backend or MEMORY).as_api()
    except PlaygroundError as err:
        return {"error": str(err)}
