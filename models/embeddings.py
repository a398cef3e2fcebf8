"""Sentence embeddings with the right prompts (e5 wants ``query: `` / ``passage: ``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.loading import LoadedEmbedder

BATCH_SIZE = 64


def prompts_for(embedder: LoadedEmbedder) -> tuple[str, str]:
    """(query prompt, passage prompt): the model's own, or e5's when it is an e5 model."""
    prompts = getattr(embedder.model, "prompts", {}) or {}
    is_e5 = "e5" in embedder.resolved.path.lower() or "e5" in embedder.resolved.ref.lower()
    query = prompts.get("query") or ("query: " if is_e5 else "")
    passage = prompts.get("passage") or ("passage: " if is_e5 else "")
    return query, passage


def encode(
    embedder: LoadedEmbedder,
    texts: list[str],
    prompt: str = "",
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """L2-normalised embeddings, longest texts first in batches (little padding).

    Args:
        on_batch: called with (rows done, rows total) after each batch, for progress.
    """
    model = embedder.model
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = np.zeros((len(texts), model.get_embedding_dimension()), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        out[chunk] = model.encode(
            [texts[i] for i in chunk], prompt=prompt, normalize_embeddings=True,
            batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip
        if on_batch is not None:
            on_batch(min(start + batch_size, len(order)), len(order))
    return out
