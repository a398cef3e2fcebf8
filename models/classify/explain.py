"""Which words drove a decision: occlusion (remove a word, see how the score moves).

Occlusion treats the model as a black box, so it explains fine-tuned and zero-shot classifiers
alike. A word's weight is how much the predicted label's probability drops when that word is
removed (positive: the word supported the label; negative: it pulled the other way), scaled so the
strongest word is +1 or -1. Long inputs are occluded in spans of a few words, so one explanation
never costs more than ``MAX_VARIANTS`` extra predictions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from models.classify.classifiers import Classifier

MAX_VARIANTS = 48
HOW_TO_READ = (
    "Red words pushed the model toward “{label}”; blue words pushed it away. Strength is how much "
    "the score for “{label}” drops when the word is removed (occlusion)."
)


@dataclass
class Attribution:
    """Spans of the input with a weight each, for ``gr.HighlightedText``."""

    label: str
    spans: list[tuple[str, float | None]]
    how_to_read: str


def _words(text: str) -> list[str]:
    """Words with their trailing whitespace, so joining them gives the text back."""
    return re.findall(r"\S+\s*", text)


def _groups(n_words: int, budget: int) -> list[range]:
    size = max(1, -(-n_words // budget))  # ceil: words per span
    return [range(i, min(i + size, n_words)) for i in range(0, n_words, size)]


def occlusion(
    classifier: Classifier,
    text: str,
    text_pair: str | None = None,
    label: str | None = None,
) -> Attribution:
    """Word weights for ``label`` (default: the predicted one) over text and, for NLI, the pair."""
    texts_fixed = [text]
    pairs_fixed = [text_pair] if text_pair is not None else None
    base, _ = classifier.predict_proba(texts_fixed, pairs_fixed)
    target = classifier.labels.index(label) if label else int(np.argmax(base[0]))
    label = classifier.labels[target]

    parts = [("text", _words(text))]
    if text_pair is not None:
        parts.append(("pair", _words(text_pair)))
    budget = max(MAX_VARIANTS // len(parts), 1)
    variants_text, variants_pair, owners = [], [], []
    for which, words in parts:
        for group in _groups(len(words), budget):
            kept = "".join(w for i, w in enumerate(words) if i not in group).strip()
            if which == "text":
                variants_text.append(kept or " ")
                variants_pair.append(text_pair)
            else:
                variants_text.append(text)
                variants_pair.append(kept or " ")
            owners.append((which, group))
    probs, _ = classifier.predict_proba(
        variants_text, variants_pair if text_pair is not None else None
    )
    drops = base[0, target] - probs[:, target]
    scale = float(np.abs(drops).max()) or 1.0
    weights: dict[str, list[float]] = {which: [0.0] * len(words) for which, words in parts}
    for (which, group), drop in zip(owners, drops, strict=True):
        for i in group:
            weights[which][i] = float(drop) / scale

    spans: list[tuple[str, float | None]] = []
    for n, (which, words) in enumerate(parts):
        if n:
            spans.append(("  ‖  ", None))
        for word, weight in zip(words, weights[which], strict=True):
            spans.append((word, round(weight, 3)))
    return Attribution(label, spans, HOW_TO_READ.format(label=label))
