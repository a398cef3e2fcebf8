"""Which words drove a decision: occlusion (remove a word, see how the score moves).

Occlusion treats the model as a black box, so it explains fine-tuned and zero-shot classifiers
alike. A word's weight is how much the predicted label's probability drops when that word is
removed (positive: the word supported the label; negative: it pulled the other way), scaled so the
strongest word is +1 or -1. Long inputs are occluded in spans of a few words, so one explanation
never costs more than ``MAX_VARIANTS`` extra predictions; those spans are also what is shown (one
weight, one coloured chunk), so a 5,000-character text draws a few dozen chunks, not 1,500 words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from models.classify.classifiers import Classifier
from models.classify.labels import label_text
from models.core.i18n import Text

MAX_VARIANTS = 48


def how_to_read(label: str) -> Text:
    """The legend of the word colours, for the explained label."""
    return Text(
        "Red words pushed the model toward “{label}”; blue words pushed it away. Strength is how "
        "much the score for “{label}” drops when the word is removed (occlusion).",
        "빨간 단어는 모델을 “{label}” 쪽으로, 파란 단어는 반대쪽으로 밀었습니다. 색의 세기는 그 "
        "단어를 지웠을 때 “{label}” 점수가 얼마나 떨어지는지입니다(가림 기법).",
        label=label_text(label),
    )  # fmt: skip


def chunks_note(words: int, chunks: int, size: int) -> Text:
    """The one line that says a long text is coloured in chunks, not word by word."""
    return Text(
        "A long text ({words:,} words): coloured in {chunks} chunks of up to {size} words, each "
        "removed at once.",
        "긴 텍스트({words:,}단어)라서 최대 {size}단어씩 {chunks}개 묶음으로 나누어, 묶음마다 "
        "한 번에 지우고 색을 칠했습니다.",
        words=words, chunks=chunks, size=size,
    )  # fmt: skip


@dataclass
class Attribution:
    """Spans of the input with a weight each, for ``gr.HighlightedText``."""

    label: str
    spans: list[tuple[str, float | None]]
    how_to_read: Text
    note: str = ""  # a Text when words were merged into chunks


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

    # One span per occluded group: the words of a group share one weight, so drawing them
    # apart would only multiply the chips (1,500 for a 5,000-character text).
    spans: list[tuple[str, float | None]] = []
    largest = 1
    for n, (which, words) in enumerate(parts):
        if n:
            spans.append(("  ‖  ", None))
        for group in _groups(len(words), budget):
            largest = max(largest, len(group))
            chunk = "".join(words[i] for i in group)
            spans.append((chunk, round(weights[which][group[0]], 3)))
    note: str = ""
    if largest > 1:
        n_words = sum(len(words) for _, words in parts)
        note = chunks_note(n_words, len(owners), largest)
    return Attribution(label, spans, how_to_read(label), note)
