"""Sentence embeddings with the right prompts (e5 wants ``query: `` / ``passage: ``)."""

from __future__ import annotations

import numpy as np

from models.core.progress import Progress, silent
from models.sources.loading import LoadedEmbedder
from models.sources.traced import traced_encoder

BATCH_SIZE = 64


def prompts_for(embedder: LoadedEmbedder) -> tuple[str, str]:
    """(query prompt, passage prompt): the model's own, or e5's when it is an e5 model."""
    resolved = embedder.resolved
    # The model's own prompts, or those an encoder tuned here wrote beside its weights.
    prompts = getattr(embedder.model, "prompts", {}) or resolved.meta.get("prompts") or {}
    names = [resolved.path, resolved.ref]
    if resolved.base is not None:
        names += [resolved.base.path, resolved.base.ref]
    is_e5 = any("e5" in name.lower() for name in names)
    query = prompts.get("query") or ("query: " if is_e5 else "")
    passage = prompts.get("passage") or ("passage: " if is_e5 else "")
    return query, passage


def max_length(embedder: LoadedEmbedder) -> int:
    """The tokens the embedder reads; longer texts are cut."""
    return int(getattr(embedder.model, "max_seq_length", 512) or 512)


def token_counts(
    embedder: LoadedEmbedder, texts: list[str], pairs: list[str] | None = None
) -> list[int]:
    """Tokens per text (or pair), uncut: to tell which inputs run past ``max_length``."""
    tokenizer = embedder.model.tokenizer
    return [len(ids) for ids in tokenizer(texts, pairs, truncation=False)["input_ids"]]


def encode(
    embedder: LoadedEmbedder,
    texts: list[str],
    prompt: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Progress = silent,
) -> np.ndarray:
    """L2-normalised embeddings, longest texts first in batches (little padding).

    ``progress(rows done, rows in all, "")`` is called after each batch.
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
        progress(min(start + batch_size, len(order)), len(order), "")
    return out


def encode_few(embedder: LoadedEmbedder, texts: list[str], prompt: str = "") -> np.ndarray:
    """L2-normalised embeddings of a few texts in one forward pass (a chat query, say).

    The same modules as ``SentenceTransformer.encode`` (its own ``preprocess`` and forward), without
    the sorting, batching and conversions that matter for thousands of texts but cost a few
    milliseconds of a ~30 ms query.
    """
    import torch

    if len(texts) == 1 and (traced := traced_encoder(embedder)) is not None:
        return traced.encode(texts[0], prompt)
    model = embedder.model
    with torch.inference_mode():
        features = model.preprocess(texts, prompt=prompt or None)
        features = {k: v.to(model.device) if hasattr(v, "to") else v for k, v in features.items()}
        vectors = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(vectors.float(), dim=-1).cpu().numpy()
