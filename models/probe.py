"""A logistic-regression head on frozen sentence embeddings (a "probe").

The encoder stays as it is; each text becomes its mean-pooled, normalised sentence embedding
(for a pair: ``[u, v, |u - v|, u * v]``, as in Sentence-BERT), and scikit-learn fits a
multinomial logistic regression on top. It trains in seconds once the texts are embedded, which
makes it the quickest strong baseline for intents with many classes, and for NLI from little data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = "probe.npz"
DEFAULT_C = 10.0


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([u, v, np.abs(u - v), u * v])


def embed_features(
    embedder: Any,
    texts: list[str],
    pairs: list[str] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The probe's input: a text's embedding, or the pair features of two texts."""
    from models.embeddings import encode, prompts_for

    query, _ = prompts_for(embedder)
    if pairs is None:
        return encode(embedder, texts, query, on_batch=on_batch)
    vectors = encode(embedder, texts + pairs, query, on_batch=on_batch)
    return pair_features(vectors[: len(texts)], vectors[len(texts) :])


@dataclass
class ProbeModel:
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
        logits = features @ self.coef.T + self.intercept
        if logits.shape[1] == 1:  # scikit-learn's binary form: one logit for the second class
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / WEIGHTS, coef=self.coef, intercept=self.intercept)
        return folder / WEIGHTS

    @classmethod
    def load(cls, folder: Path, meta: dict) -> ProbeModel:
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
) -> ProbeModel:
    """Fit the logistic regression; ``labels`` fixes the class order."""
    from sklearn.linear_model import LogisticRegression

    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit(features, y)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) != len(labels):
        raise ValueError("every class needs at least one training row")
    return ProbeModel(list(labels), coef.astype(np.float32), intercept.astype(np.float32), pair, c)


def probe_meta(probe: ProbeModel) -> dict:
    return {"labels": probe.labels, "pair": probe.pair, "c": probe.c}


def read_meta(folder: Path) -> dict:
    return json.loads((Path(folder) / "playground.json").read_text(encoding="utf-8"))
