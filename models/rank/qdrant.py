"""Qdrant as the search backend: the bank's vectors in a Qdrant collection, searched there.

For banks that outgrow one process: the same index interface, with ``search`` answered by Qdrant.
Without a server (``PLAYGROUND_QDRANT_URL`` empty) it runs Qdrant's embedded local mode in the
cache folder, an exact search that gives the in-process index's top-k; with a server or cluster
URL (and ``PLAYGROUND_QDRANT_API_KEY`` where it needs one) the collection lives there and Qdrant's
own approximate (HNSW) search answers. A collection is named by the model, prompt and bank content
(the dense cache's key), so a restart or another replica reuses it.

The evaluation and the confidence threshold still score the vectors in-process: they compare
every held-out question with every stored one, which a search service is not for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.settings import get_settings
from models.rank.index import DenseIndex, cache_key

UPLOAD_BATCH = 1024
# One client per place for the whole process (embedded mode locks its folder): not in the
# model cache, which may drop entries.
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


class QdrantUnavailable(PlaygroundError):
    """The Qdrant server cannot be reached, or refused a request."""


def _errors() -> tuple[type[Exception], ...]:
    from qdrant_client.http.exceptions import ApiException

    return (ApiException, OSError, ValueError, RuntimeError)


def where() -> Text:
    """Where the collections live, for messages (never the API key)."""
    url = get_settings().qdrant_url
    if url:
        return Text("the Qdrant server at {url}", "Qdrant 서버({url})", url=url)
    return Text("Qdrant's embedded local mode", "Qdrant 내장 로컬 모드")


def get_client() -> Any:
    """One client per process: the server's, or the embedded one in the cache folder.

    Raises:
        QdrantUnavailable: the package is missing, or the server does not answer.
    """
    settings = get_settings()
    try:
        from qdrant_client import QdrantClient
    except ImportError as err:
        raise QdrantUnavailable(
            Text(
                "The Qdrant backend needs its package: pip install qdrant-client",
                "Qdrant 검색에는 패키지가 필요합니다: pip install qdrant-client",
            )
        ) from err

    def connect() -> Any:
        if not settings.qdrant_url:
            folder = settings.cache_dir / "qdrant"
            folder.mkdir(parents=True, exist_ok=True)
            return QdrantClient(path=str(folder))
        client = QdrantClient(
            url=settings.qdrant_url, api_key=settings.qdrant_api_key or None,
            timeout=int(settings.download_timeout_s), check_compatibility=False,
        )  # fmt: skip
        try:
            client.get_collections()  # fail here, with a message, rather than mid-chat
        except _errors() as err:
            raise QdrantUnavailable(
                Text(
                    "The Qdrant server at {url} is not reachable ({err}). Start it, fix "
                    "PLAYGROUND_QDRANT_URL, or choose the in-process index.",
                    "Qdrant 서버({url})에 연결할 수 없습니다({err}). 서버를 켜거나, "
                    "PLAYGROUND_QDRANT_URL을 고치거나, 이 프로세스 안의 색인을 고르세요.",
                    url=settings.qdrant_url,
                    err=str(err),
                )
            ) from err
        return client

    place = settings.qdrant_url or str(settings.cache_dir)
    with _clients_lock:
        if place not in _clients:
            _clients[place] = connect()
        return _clients[place]


@dataclass
class QdrantIndex:
    """A dense index whose searches Qdrant answers; evaluation reads the vectors in-process."""

    dense: DenseIndex
    client: Any
    collection: str
    kind: str = "dense"

    @property
    def ref(self) -> str:
        return self.dense.ref

    @property
    def note(self) -> Text:
        return Text(
            "{note} Searched by {where}, collection {name}.",
            "{note} {where}에서 검색합니다(컬렉션 {name}).",
            note=self.dense.note, where=where(), name=self.collection,
        )  # fmt: skip

    def scores(self, queries: list[str]) -> np.ndarray:
        return self.dense.scores(queries)

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        from qdrant_client import models

        k = min(k, len(self.dense.vectors))
        requests = [
            models.QueryRequest(query=vector.tolist(), limit=k, with_payload=False)
            for vector in self.dense.embed(queries)
        ]
        try:
            answers = self.client.query_batch_points(self.collection, requests=requests)
        except _errors() as err:
            raise QdrantUnavailable(
                Text(
                    "{where} could not search ({err}).",
                    "{where}에서 검색하지 못했습니다({err}).",
                    where=where(),
                    err=str(err),
                )
            ) from err
        rows = np.array([[int(p.id) for p in a.points] for a in answers], dtype=int)
        scores = np.array([[float(p.score) for p in a.points] for a in answers], dtype=np.float32)
        return rows, scores

    def subset(self, rows: np.ndarray) -> DenseIndex:
        return self.dense.subset(rows)

    def stored_scores(self, rows: np.ndarray) -> np.ndarray:
        return self.dense.stored_scores(rows)

    def stored_search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.dense.stored_search(rows, k)


def collection_name(dense: DenseIndex, bank: str, fingerprint: str) -> str:
    return f"playground-{bank}-{cache_key(dense.embedder, dense.prompt, fingerprint)}"


def qdrant_index(dense: DenseIndex, bank: str, fingerprint: str) -> QdrantIndex:
    """``dense``'s vectors in Qdrant: the collection is reused when it holds them all.

    Raises:
        QdrantUnavailable: the server cannot be reached or refuses the upload.
    """
    from qdrant_client import models

    client = get_client()
    name = collection_name(dense, bank, fingerprint)
    rows, dim = dense.vectors.shape
    try:
        if client.collection_exists(name) and client.count(name, exact=True).count == rows:
            return QdrantIndex(dense, client, name)
        if client.collection_exists(name):  # a partial upload: start again
            client.delete_collection(name)
        client.create_collection(
            name, vectors_config=models.VectorParams(size=dim, distance=models.Distance.COSINE)
        )
        client.upload_collection(
            name, vectors=dense.vectors, ids=list(range(rows)), batch_size=UPLOAD_BATCH
        )
    except _errors() as err:
        raise QdrantUnavailable(
            Text(
                "{where} could not store the index ({err}).",
                "{where}에 색인을 저장하지 못했습니다({err}).",
                where=where(),
                err=str(err),
            )
        ) from err
    return QdrantIndex(dense, client, name)
