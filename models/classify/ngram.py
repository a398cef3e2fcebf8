"""Character n-grams + logistic regression: the classical text classifier, baseline and partner.

Each text becomes TF-IDF weights of its character 1- to 4-grams within words (``char_wb``), and
scikit-learn fits a logistic regression on them. It needs no tokenizer or encoder, fits 18,000
Korean reviews in seconds on 2 cores, and copes with spelling variants and Korean's glued-on
particles because parts of words still match. It sees no word order beyond 4 characters and no
meaning, so a fine-tuned encoder beats it with enough data; averaged with one, their errors
differ enough that the pair beats either (measured on NSMC validation: docs/experiments/nsmc.md).

A pair (NLI) is read as two bags of n-grams side by side, which is weak: the model cannot compare
the sentences, only notice words typical of each label.

Weights are saved as JSON (the vocabulary) and ``.npz`` (idf and coefficients), never pickled, so
loading a downloaded run cannot run code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models.core import manifest
from models.core.maths import probabilities
from models.core.progress import Progress, silent
from models.sources.formats import META_FILE
from models.sources.loading import load_once
from models.sources.resolver import ResolvedModel

VOCABULARY = "ngram_vocabulary.json"
WEIGHTS = "ngram.npz"
# Chosen on the NSMC validation split (char_wb 1-4, min_df 2, sublinear tf, C 3: 0.838).
DEFAULT_C = 3.0
NGRAM_RANGE = (1, 4)
MIN_DF = 2
MAX_FEATURES = 300_000  # bounds the checkpoint (~4 MB per 100k n-grams) on large uploads


@dataclass
class NgramModel:
    """A fitted vectoriser and logistic regression, in the label order of ``labels``."""

    labels: list[str]
    vocabulary: list[str]  # n-gram of each feature column
    idf: np.ndarray
    coef: np.ndarray  # (classes, features x sides), or (1, ...) for two classes
    intercept: np.ndarray
    pair: bool = False
    c: float = DEFAULT_C
    ngram_range: tuple[int, int] = NGRAM_RANGE
    _vectorizer: Any = field(default=None, repr=False, compare=False)

    @property
    def n_parameters(self) -> int:
        return int(self.coef.size + self.intercept.size + self.idf.size)

    def vectorizer(self) -> Any:
        if self._vectorizer is None:
            self._vectorizer = _make_vectorizer(
                self.ngram_range, {term: i for i, term in enumerate(self.vocabulary)}
            )
            self._vectorizer.idf_ = self.idf
        return self._vectorizer

    def features(self, texts: list[str], pairs: list[str] | None = None) -> Any:
        import scipy.sparse as sp

        vectorizer = self.vectorizer()
        x = vectorizer.transform(texts)
        if self.pair:
            x = sp.hstack([x, vectorizer.transform(pairs or [""] * len(texts))]).tocsr()
        return x

    def predict_proba(self, texts: list[str], pairs: list[str] | None = None) -> np.ndarray:
        return probabilities(np.asarray(self.features(texts, pairs) @ self.coef.T) + self.intercept)

    def meta(self) -> dict:
        return {
            "labels": self.labels, "pair": self.pair, "c": self.c,
            "ngram_range": list(self.ngram_range), "features": len(self.vocabulary),
        }  # fmt: skip

    def save(self, folder: Path) -> None:
        """The vocabulary and weights, then (last) the manifest that lists them."""
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.vocabulary, ensure_ascii=False)
        (folder / VOCABULARY).write_text(text, encoding="utf-8")
        np.savez(folder / WEIGHTS, idf=self.idf, coef=self.coef, intercept=self.intercept)
        # ``write_meta`` writes it again after playground.json; this one is for a bare save.
        manifest.write(folder, exclude=(META_FILE,))

    @classmethod
    def load(cls, folder: str | Path, meta: dict) -> NgramModel:
        folder = Path(folder)
        vocabulary = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
        weights = np.load(folder / WEIGHTS)  # allow_pickle stays False
        return cls(
            labels=list(meta["labels"]),
            vocabulary=vocabulary,
            idf=weights["idf"],
            coef=weights["coef"],
            intercept=weights["intercept"],
            pair=bool(meta.get("pair")),
            c=float(meta.get("c", DEFAULT_C)),
            ngram_range=tuple(meta.get("ngram_range", NGRAM_RANGE)),
        )


def _make_vectorizer(ngram_range: tuple[int, int], vocabulary: dict | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=tuple(ngram_range), min_df=1 if vocabulary else MIN_DF,
        sublinear_tf=True, max_features=None if vocabulary else MAX_FEATURES,
        vocabulary=vocabulary, dtype=np.float32,
    )  # fmt: skip


def fit_ngram(
    texts: list[str],
    labels: list[str],
    targets: list[str],
    pairs: list[str] | None = None,
    c: float = DEFAULT_C,
    progress: Progress = silent,
) -> NgramModel:
    """Fit the vectoriser and the regression; ``labels`` fixes the class order.

    Raises:
        ValueError: a class without training rows, or texts with no n-gram seen twice.
    """
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[t] for t in targets])
    if len(set(y.tolist())) != len(labels):
        raise ValueError("every class needs at least one training row")
    vectorizer = _make_vectorizer(NGRAM_RANGE)
    progress(0, 2, "counting n-grams")
    # Both sides of a pair share one vocabulary, so an n-gram means the same on either side.
    x = vectorizer.fit_transform(texts + pairs if pairs is not None else texts)
    if pairs is not None:
        x = sp.hstack([x[: len(texts)], x[len(texts) :]]).tocsr()
    progress(1, 2, "fitting the logistic regression")
    regression = LogisticRegression(C=c, max_iter=2000)
    regression.fit(x, y)
    return NgramModel(
        labels=list(labels),
        vocabulary=vectorizer.get_feature_names_out().tolist(),
        idf=vectorizer.idf_.astype(np.float32),
        coef=regression.coef_.astype(np.float32),
        intercept=regression.intercept_.astype(np.float32),
        pair=pairs is not None,
        c=c,
        _vectorizer=vectorizer,
    )


class NgramClassifier:
    """This app's "character n-grams + logistic regression" runs (no neural network)."""

    mode = "character n-grams + logistic regression"
    max_length = 1_000_000  # reads the whole text: nothing is ever cut

    def __init__(self, model: NgramModel, resolved: ResolvedModel) -> None:
        self.model = model
        self.labels = list(model.labels)
        self.ref = resolved.ref
        self.description = resolved.describe()

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        return self.model.predict_proba(texts, pairs), [False] * len(texts)


def load_ngram_classifier(task: str, resolved: ResolvedModel) -> NgramClassifier:
    """A saved n-gram model (loaded once, shared)."""
    model = load_once(
        ("ngram", resolved.path), lambda: NgramModel.load(resolved.path, resolved.meta)
    )
    return NgramClassifier(model, resolved)
