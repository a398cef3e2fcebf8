"""Numerical helpers shared by the classifiers (numpy only)."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def probabilities(logits: np.ndarray) -> np.ndarray:
    """Class probabilities from a linear model's logits, float32.

    scikit-learn's binary form has a single logit (for the second class): that becomes the two
    columns ``[1 - p, p]``; several logits get a softmax.
    """
    logits = np.asarray(logits)
    if logits.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        return np.stack([1.0 - p, p], axis=1).astype(np.float32)
    return softmax(logits).astype(np.float32)
