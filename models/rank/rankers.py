"""Which ranker answers: a model choice becomes an index over a bank, built once and shared.

A choice is ``auto`` (the embedding model ``task_models.toml`` names for answer ranking),
``lexical`` (character n-grams, no model), ``hybrid`` or ``hybrid:<embedder>`` (dense and lexical
ranks fused), or any sentence-embedding reference: ``packaged:<name>``, a folder (encoders
fine-tuned here included) or a Hub id.
"""

from __future__ import annotations

from models.core.progress import Progress, silent
from models.rank.banks import QABank
from models.rank.index import HybridIndex, Index, LexicalIndex, build_dense
from models.sources.loading import load_embedder, load_once
from models.sources.task_models import choose_model

AUTO = "auto"
LEXICAL = "lexical"
HYBRID = "hybrid"
EMBEDDING_KEY = "embedding"  # the task_models.toml entry for answer ranking


def embedder_ref(model: str) -> str:
    """The embedding model a choice names (``auto``: the configured default)."""
    model = (model or AUTO).strip()
    if model in (AUTO, HYBRID):
        return choose_model(EMBEDDING_KEY).ref
    return model.removeprefix(f"{HYBRID}:")


def get_index(bank: QABank, model: str = AUTO, progress: Progress = silent) -> Index:
    """The index of ``bank`` for ``model`` (loaded once per process, kept in the model cache).

    Raises:
        PlaygroundError: a reference that is not a sentence encoder, or cannot be loaded.
    """
    model = (model or AUTO).strip()
    if model == LEXICAL:
        return load_once(
            ("rank-index", LEXICAL, bank.name, bank.fingerprint),
            lambda: LexicalIndex(bank.questions, "Character n-grams, fitted on the bank."),
        )
    embedder = load_embedder(embedder_ref(model))
    key = ("rank-index", embedder.resolved.path, bank.name, bank.fingerprint)
    dense = load_once(
        key, lambda: build_dense(embedder, bank.questions, bank.fingerprint, bank.name, progress)
    )
    if model == HYBRID or model.startswith(f"{HYBRID}:"):
        lexical = get_index(bank, LEXICAL)
        assert isinstance(lexical, LexicalIndex)
        return HybridIndex(dense, lexical)
    return dense
