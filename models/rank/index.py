"""Indexes over a bank's questions: dense (sentence embeddings), lexical (character n-grams), and
the two blended.

An index scores queries against every stored question (``scores(queries) -> (queries, rows)``);
``search`` keeps the best rows. The dense index embeds the questions once, with progress, and
keeps the vectors on disk keyed by the model and the bank's content, so a restart reloads them in
well under a second; the search is a normalised dot product (one matrix product). A cached file
that cannot be read, that no longer matches the size and checksum its entry recorded (the entry's
``.json`` is its manifest, written last), or that belongs to another model or bank, is rebuilt
and the index says so.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from models.core import files, manifest
from models.core.i18n import Text, error_text
from models.core.progress import Progress, silent
from models.core.settings import get_settings
from models.sources import embeddings
from models.sources.loading import LoadedEmbedder

# Character n-grams within words, 1-3 long: on Chatbot_data's held-out questions this scored
# above 1-4 and 1-5, with or without word boundaries, and above BM25 on the same n-grams.
NGRAM_RANGE = (1, 3)
FEW = 8  # up to this many queries are embedded in one pass, without encode()'s batching
# The hybrid's score: dense cosine + this x lexical cosine. Chosen on Chatbot_data's validation half
# (0.00-0.30 tried; the same weight a re-ranker over 23 features reduces to): hit@1 0.576 there
# against 0.542 for e5 alone and 0.545 for reciprocal rank fusion (docs/BENCHMARKS.md). Spelling
# only breaks near-ties between meanings: a larger weight lets shared endings outvote them.
LEXICAL_WEIGHT = 0.08
BUILT = Text("Built and cached.", "만들어 저장했습니다.")
RELOADED = Text("Reloaded from the cache.", "저장해 둔 색인을 불러왔습니다.")


class Index(Protocol):
    kind: str  # "dense", "lexical" or "hybrid"
    ref: str  # the model reference, or "lexical"
    note: str  # how it was built (e.g. "reloaded from the cache")

    def scores(self, queries: list[str]) -> np.ndarray: ...

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows of each query, best first: (rows, scores)."""
        ...

    def subset(self, rows: np.ndarray) -> Index:
        """The same index over some of its rows (the evaluation holds questions out)."""
        ...

    def stored_scores(self, rows: np.ndarray) -> np.ndarray:
        """Scores of the bank's own questions ``rows`` as queries (no need to embed them again)."""
        ...

    def stored_search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``search`` with the bank's own questions ``rows`` as the queries."""
        ...


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` through torch, whose threads the encoder already uses.

    numpy's BLAS keeps a thread pool of its own spinning after each product; on 2 cores the next
    query's encoder forward then competes with it, and a reply took ~100 ms instead of ~40.
    """
    import torch

    return (torch.from_numpy(np.ascontiguousarray(a)) @ torch.from_numpy(b).T).numpy()


def top_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best rows of each query, best first: (row indices, their scores)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1).argsort(axis=1)[:, ::-1]
    rows = np.take_along_axis(part, order, axis=1)
    return rows, np.take_along_axis(scores, rows, axis=1)


@dataclass
class DenseIndex:
    """Normalised question embeddings; a query's score is its cosine similarity to each."""

    embedder: LoadedEmbedder
    vectors: np.ndarray
    prompt: str
    note: str = ""
    kind: str = "dense"
    stored: np.ndarray | None = field(default=None, repr=False)  # the whole bank's vectors

    @property
    def ref(self) -> str:
        return self.embedder.resolved.ref

    def embed(self, queries: list[str]) -> np.ndarray:
        if len(queries) <= FEW:
            return embeddings.encode_few(self.embedder, queries, self.prompt)
        return embeddings.encode(self.embedder, queries, self.prompt)

    def scores(self, queries: list[str]) -> np.ndarray:
        return dot(self.embed(queries), self.vectors)

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.scores(queries), k)

    def subset(self, rows: np.ndarray) -> DenseIndex:
        stored = self.vectors if self.stored is None else self.stored
        return DenseIndex(self.embedder, self.vectors[rows], self.prompt, self.note, stored=stored)

    def stored_scores(self, rows: np.ndarray) -> np.ndarray:
        stored = self.vectors if self.stored is None else self.stored
        return dot(stored[rows], self.vectors)

    def stored_search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.stored_scores(rows), k)


@dataclass
class LexicalIndex:
    """TF-IDF of character n-grams within words: no model, only shared spellings."""

    questions: list[str]
    note: str = ""
    kind: str = "lexical"
    ref: str = "lexical"
    stored: list[str] | None = field(default=None, repr=False)  # the whole bank's questions
    _fitted: Any = field(default=None, repr=False)

    def _vectors(self) -> tuple[Any, Any]:
        """The fitted vectorizer and the questions' vectors, transposed once (terms x rows, CSR):
        a query's product with it is ~0.3 ms, against ~7 ms when ``.T`` is taken per query."""
        if self._fitted is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=NGRAM_RANGE, sublinear_tf=True, dtype=np.float32
            )
            matrix = vectorizer.fit_transform(self.questions)
            self._fitted = (vectorizer, matrix.T.tocsr())
        return self._fitted

    def scores(self, queries: list[str]) -> np.ndarray:
        vectorizer, by_term = self._vectors()
        return np.asarray((vectorizer.transform(queries) @ by_term).toarray(), dtype=np.float32)

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.scores(queries), k)

    def subset(self, rows: np.ndarray) -> LexicalIndex:
        # Refitted on the kept rows: held-out questions must not shape the n-gram weights.
        stored = self.questions if self.stored is None else self.stored
        return LexicalIndex([self.questions[i] for i in rows], stored=stored)

    def stored_scores(self, rows: np.ndarray) -> np.ndarray:
        stored = self.questions if self.stored is None else self.stored
        return self.scores([stored[i] for i in rows])

    def stored_search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.stored_scores(rows), k)


@dataclass
class HybridIndex:
    """Dense and lexical scores blended: cosine + ``LEXICAL_WEIGHT`` x the TF-IDF cosine, divided
    by 1 + ``LEXICAL_WEIGHT`` so that it reads like a cosine (at most 1).

    The blend is the score shown and the one the confidence threshold reads: unlike fused ranks
    it stays a continuous score (right and wrong first answers spread over a range).
    """

    dense: DenseIndex
    lexical: LexicalIndex
    kind: str = "hybrid"

    @property
    def ref(self) -> str:
        return f"hybrid:{self.dense.ref}"

    @property
    def note(self) -> str:
        return self.dense.note

    def scores(self, queries: list[str]) -> np.ndarray:
        return blend(self.dense.scores(queries), self.lexical.scores(queries))

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.scores(queries), k)

    def subset(self, rows: np.ndarray) -> HybridIndex:
        return HybridIndex(self.dense.subset(rows), self.lexical.subset(rows))

    def stored_scores(self, rows: np.ndarray) -> np.ndarray:
        return blend(self.dense.stored_scores(rows), self.lexical.stored_scores(rows))

    def stored_search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_rows(self.stored_scores(rows), k)


def blend(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The hybrid's scores from the dense and lexical ones (same shape): their weighted mean, so
    that a score stays at most 1 like the cosines it comes from."""
    weight = np.float32(LEXICAL_WEIGHT)
    return (dense + weight * lexical) / (1 + weight)


# -- the dense index's cache on disk ------------------------------------------------------------


class CorruptCache(Exception):
    """A cached index file that cannot be used (rebuilt, never shown as an error)."""


def cache_key(embedder: LoadedEmbedder, prompt: str, fingerprint: str) -> str:
    """Model folder (and its weights' modification time), prompt and bank content."""
    path = embedder.resolved.path
    stamps = []
    for name in ("model.safetensors", "adapter_model.safetensors"):
        try:
            stamps.append(str(os.stat(Path(path) / name).st_mtime_ns))
        except OSError:
            continue
    stamp = ",".join(stamps)
    text = json.dumps([path, stamp, prompt, fingerprint])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _cache_files(key: str) -> tuple[Path, Path]:
    folder = get_settings().cache_dir / "rank"
    return folder / f"{key}.npy", folder / f"{key}.json"


def _read_cached(key: str, rows: int) -> np.ndarray | None:
    """The cached vectors if they are whole and belong to this model and bank; else None."""
    vectors_path, meta_path = _cache_files(key)
    if not vectors_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CorruptCache(
            Text(
                "the cached index's record could not be read ({err})",
                "저장된 색인의 기록을 읽을 수 없습니다({err})",
                err=str(err),
            )
        ) from err
    listed = meta.get("files") if isinstance(meta, dict) else None
    if listed and (fault := manifest.verify_files(vectors_path.parent, listed, deep=True)):
        raise CorruptCache(Text("the cached index is damaged ({fault})",
                                "저장된 색인이 손상되었습니다({fault})", fault=fault))  # fmt: skip
    try:
        vectors = np.load(vectors_path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CorruptCache(
            Text(
                "the cached index could not be read ({err})",
                "저장된 색인을 읽을 수 없습니다({err})",
                err=str(err),
            )
        ) from err
    if meta.get("key") != key or vectors.shape[0] != rows or vectors.ndim != 2:
        raise CorruptCache(
            Text(
                "the cached index belongs to another model or bank ({ref})",
                "저장된 색인은 다른 모델이나 모음의 것입니다({ref})",
                ref=meta.get("ref"),
            )
        )
    if not listed:  # written before entries listed their file: it loaded, so adopt it
        files.write_json(meta_path, {**meta, "files": _listing(vectors_path)})
    return vectors.astype(np.float32, copy=False)


def _listing(vectors_path: Path) -> dict[str, dict]:
    return manifest.describe_files(vectors_path.parent, [vectors_path.name])


def _write_cached(key: str, vectors: np.ndarray, ref: str, bank: str) -> None:
    vectors_path, meta_path = _cache_files(key)
    with files.staged_file(vectors_path) as tmp:
        np.save(tmp, vectors)
    # The record is the entry's manifest, written last: the vectors file's size and checksum.
    meta = {
        "key": key, "ref": ref, "bank": bank, "rows": len(vectors), "dim": vectors.shape[1],
        "files": _listing(vectors_path),
    }  # fmt: skip
    files.write_json(meta_path, meta)


def cached_fault(vectors_path: Path) -> str | None:
    """What is wrong with a cached index entry, by sizes only (cheap): None when it looks whole.

    An entry without a record, or whose record lists no file (written before records did), is
    judged by its vectors file being there.
    """
    vectors_path = Path(vectors_path)
    if not vectors_path.is_file():
        return Text("{name} is missing", "{name} 파일이 없습니다", name=vectors_path.name)
    try:
        meta = json.loads(vectors_path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Text("its record (.json) cannot be read", "기록 파일(.json)을 읽을 수 없습니다")
    listed = meta.get("files") if isinstance(meta, dict) else None
    return manifest.verify_files(vectors_path.parent, listed) if listed else None


def build_dense(
    embedder: LoadedEmbedder, questions: list[str], fingerprint: str, bank: str,
    progress: Progress = silent,
) -> DenseIndex:  # fmt: skip
    """The dense index of ``questions``: from the disk cache, or embedded once and cached."""
    from filelock import FileLock, Timeout

    prompt, _ = embeddings.prompts_for(embedder)
    key = cache_key(embedder, prompt, fingerprint)
    vectors_path, _ = _cache_files(key)
    vectors_path.parent.mkdir(parents=True, exist_ok=True)
    # Another process (the start-up preparation, a second app) may be embedding this very bank:
    # wait for its cache file rather than embed everything twice on the same CPU.
    lock = FileLock(str(vectors_path) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        progress(0, 1, Text(
            "Another process is building this index (the start-up preparation?); waiting",
            "다른 프로세스(시작 시 준비 작업?)가 이 색인을 만들고 있어 기다립니다",
        ))  # fmt: skip
        lock.acquire()
    try:
        note = ""
        try:
            cached = _read_cached(key, len(questions))
        except CorruptCache as err:
            cached, note = (
                None,
                Text("Rebuilt: {err}.", "다시 만들었습니다: {err}.", err=error_text(err)),
            )
        if cached is not None:
            progress(
                1, 1, Text("Reloaded the index from the cache", "저장해 둔 색인을 불러왔습니다")
            )
            return DenseIndex(embedder, cached, prompt, RELOADED)

        def report(done: float, total: float, message: str = "") -> None:
            progress(done, total, Text("Embedded {done:,.0f} of {total:,.0f} questions",
                                       "질문 {total:,.0f}개 중 {done:,.0f}개를 임베딩했습니다",
                                       done=done, total=total))  # fmt: skip

        vectors = embeddings.encode(embedder, questions, prompt, progress=report)
        _write_cached(key, vectors, embedder.resolved.ref, bank)
        return DenseIndex(embedder, vectors, prompt, note or BUILT)
    finally:
        lock.release()


def cached_vectors_file(index: DenseIndex, fingerprint: str) -> Path:
    """Where ``index``'s vectors are cached (for the bank with ``fingerprint``)."""
    return _cache_files(cache_key(index.embedder, index.prompt, fingerprint))[0]
