"""A logistic-regression head on frozen sentence embeddings (an "embedding probe").

The encoder stays as it is; each text becomes its mean-pooled, normalised sentence embedding
(for a pair: ``[u, v, |u - v|, u * v]``, as in Sentence-BERT), and scikit-learn fits a
multinomial logistic regression on top. It trains in seconds once the texts are embedded, which
makes it the quickest strong baseline for intents with many classes, and for NLI from little data.
The fine-tuning method that fits it is called ``probe``; its folders have the format
``embedding-probe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.core.maths import probabilities
from models.core.progress import Progress, silent
from models.sources import embeddings
from models.sources.loading import LoadedEmbedder, load_embedder, load_once
from models.sources.resolver import ResolvedModel

WEIGHTS = "probe.npz"
DEFAULT_C = 10.0


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([u, v, np.abs(u - v), u * v])


def embed_features(
    embedder: LoadedEmbedder,
    texts: list[str],
    pairs: list[str] | None = None,
    progress: Progress = silent,
) -> np.ndarray:
    """The probe's input: a text's embedding, or the pair features of two texts."""
    query, _ = embeddings.prompts_for(embedder)
    if pairs is None:
        return embeddings.encode(embedder, texts, query, progress=progress)
    vectors = embeddings.encode(embedder, texts + pairs, query, progress=progress)
    return pair_features(vectors[: len(texts)], vectors[len(texts) :])


@dataclass
class EmbeddingProbe:
    """Weights of a fitted probe, in the label order of ``labels``."""

    labels: list[str]
    coef: np.ndarray  # (classes, features), or (1, features) for two classes
    intercept: np.ndarray
    pair: bool
    c: float

    @property
    def n_parameters(self) -> int:
        return int(self.coef.size + self.intercept.size)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        return probabilities(features @ self.coef.T + self.intercept)

    def meta(self) -> dict:
        """The ``playground.json`` fields that describe the weights."""
        return {"labels": self.labels, "pair": self.pair, "c": self.c}

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / WEIGHTS, coef=self.coef, intercept=self.intercept)
        return folder / WEIGHTS

    @classmethod
    def load(cls, folder: str | Path, meta: dict) -> EmbeddingProbe:
        weights = np.load(Path(folder) / WEIGHTS)
        return cls(
            labels=list(meta["labels"]),
            coef=weights["coef"],
            intercept=weights["intercept"],
            pair=bool(meta.get("pair")),
            c=float(meta.get("c", DEFAULT_C)),
        )


def fit_probe(
    features: np.ndarray,
    labels: list[str],
    targets: list[str],
    c: float = DEFAULT_C,
    pair: bool = False,
) -> EmbeddingProbe:
    """Fit the logistic regression; ``labels`` fixes the class order."""
    from sklearn.linear_model import LogisticRegression

    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit(features, y)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) != len(labels):
        raise ValueError("every class needs at least one training row")
    return EmbeddingProbe(
        list(labels), coef.astype(np.float32), intercept.astype(np.float32), pair, c
    )


class ProbeClassifier:
    """This app's "sentence embeddings + logistic regression" runs."""

    mode = "embeddings + logistic regression"

    def __init__(self, embedder: LoadedEmbedder, probe: EmbeddingProbe, resolved: ResolvedModel):
        self.embedder = embedder
        self.probe = probe
        self.labels = list(probe.labels)
        self.ref = resolved.ref
        self.description = resolved.describe()
        self.max_length = embeddings.max_length(embedder)

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        lengths = embeddings.token_counts(self.embedder, texts, pairs)
        features = embed_features(self.embedder, texts, pairs if self.probe.pair else None)
        return self.probe.predict_proba(features), [n > self.max_length for n in lengths]


def load_probe_classifier(task: str, resolved: ResolvedModel) -> ProbeClassifier:
    """A saved probe on its (shared) base embedder."""
    assert resolved.base is not None
    embedder = load_embedder(resolved.base.ref)
    probe = load_once(
        ("probe", resolved.path), lambda: EmbeddingProbe.load(resolved.path, resolved.meta)
    )
    return ProbeClassifier(embedder, probe, resolved)
