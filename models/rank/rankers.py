"""Which ranker answers: a model choice becomes an index over a bank, built once and shared.

A choice is ``auto`` (the best-scoring ranker: the embedding model ``task_models.toml`` names for
answer ranking, or an encoder tuned for the bank that beat it, blended with character n-grams),
``lexical`` (character n-grams, no model), ``hybrid`` or ``hybrid:<embedder>`` (an embedder's
cosine blended with the n-grams'), or any sentence-embedding reference alone: ``packaged:<name>``,
a folder (encoders fine-tuned here included) or a Hub id.
"""

from __future__ import annotations

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.progress import Progress, silent
from models.rank.banks import QABank
from models.rank.encoders import best_tuned
from models.rank.index import HybridIndex, Index, LexicalIndex, build_dense
from models.rank.qdrant import qdrant_index
from models.sources.loading import load_embedder, load_once
from models.sources.task_models import choose_model

AUTO = "auto"
LEXICAL = "lexical"
HYBRID = "hybrid"
EMBEDDING_KEY = "embedding"
MEMORY, QDRANT = "memory", "qdrant"
BACKENDS = (MEMORY, QDRANT)  # the task_models.toml entry for answer ranking
LEXICAL_NOTE = Text("Character n-grams, fitted on the bank.", "이 모음에 맞춘 문자 n-그램입니다.")


def embedder_ref(model: str, bank: QABank | None = None) -> str:
    """The embedding model a choice names.

    ``auto`` is the encoder tuned for ``bank`` that beat its base on the validation half, when
    there is one, else the configured default (also without a bank: the base to tune from).
    """
    model = (model or AUTO).strip()
    if model in (AUTO, HYBRID):
        tuned = best_tuned(bank.name, bank.fingerprint) if bank is not None else None
        return tuned or choose_model(EMBEDDING_KEY).ref
    return model.removeprefix(f"{HYBRID}:")


def get_index(
    bank: QABank, model: str = AUTO, progress: Progress = silent, backend: str = MEMORY
) -> Index:
    """The index of ``bank`` for ``model`` (loaded once per process, kept in the model cache).

    ``backend``: ``memory`` searches in this process; ``qdrant`` stores the vectors in Qdrant
    (embedded, or the server ``PLAYGROUND_QDRANT_URL`` names) and searches there.

    Raises:
        PlaygroundError: a reference that is not a sentence encoder, or cannot be loaded; an
            unknown backend, or a Qdrant server that does not answer.
    """
    model = (model or AUTO).strip()
    if backend not in BACKENDS:
        raise PlaygroundError(
            Text(
                "Unknown search backend '{backend}'. Choose one of: {known}.",
                "알 수 없는 검색 방식 '{backend}'입니다. 다음 중에서 고르세요: {known}.",
                backend=backend,
                known=", ".join(BACKENDS),
            )
        )
    hybrid = model == HYBRID or model.startswith(f"{HYBRID}:")
    if backend == QDRANT and (model == LEXICAL or hybrid):
        raise PlaygroundError(
            Text(
                "The Qdrant backend searches embeddings: choose an embedding model, or the "
                "in-process backend for the lexical and hybrid rankers.",
                "Qdrant는 임베딩으로 검색합니다. 임베딩 모델을 고르거나, 어휘·하이브리드 검색에는 "
                "이 프로세스 안의 검색을 고르세요.",
            )
        )
    if model == LEXICAL:
        return load_once(
            ("rank-index", LEXICAL, bank.name, bank.fingerprint),
            lambda: LexicalIndex(bank.questions, LEXICAL_NOTE),
        )
    embedder = load_embedder(embedder_ref(model, bank))
    key = ("rank-index", embedder.resolved.path, bank.name, bank.fingerprint)
    dense = load_once(
        key, lambda: build_dense(embedder, bank.questions, bank.fingerprint, bank.name, progress)
    )
    if backend == QDRANT:
        return qdrant_index(dense, bank.name, bank.fingerprint)
    # auto is the hybrid where it can be (in this process): it scored above the encoder alone on
    # Chatbot_data's validation half (0.576 vs 0.542 hit@1); Qdrant searches the vectors alone.
    if hybrid or (model == AUTO and backend == MEMORY):
        lexical = get_index(bank, LEXICAL)
        assert isinstance(lexical, LexicalIndex)
        return HybridIndex(dense, lexical)
    return dense
