"""Training pairs for a bank's encoder: questions that share an answer belong together.

Each question is paired with the next different question of its group (both with the query
prompt: the index compares questions with questions) and with its answer (passage prompt: a
group of one question still teaches something). A hard negative can ride along: the stored
question with another answer that the current encoder ranks highest, which is the mistake the
ranker makes (near-paraphrases with different answers).

Batches never hold two pairs of one group: in-batch negatives (MultipleNegativesRankingLoss) would
otherwise push a question away from its own sibling.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from models.rank.banks import QABank
from models.rank.index import Index


@dataclass(frozen=True)
class Pair:
    """An anchor, what it should be near, an optional hard negative, and the anchor's group."""

    anchor: str
    positive: str
    group: int
    negative: str | None = None


def training_pairs(
    bank: QABank, rows: np.ndarray, query_prompt: str = "", passage_prompt: str = "",
    answers: bool = True,
) -> list[Pair]:  # fmt: skip
    """Question -> sibling question and question -> answer pairs over ``rows`` only.

    ``rows`` are the rows allowed in training: the evaluation's held-out questions are not among
    them, so they never reach a pair, as anchor, positive or negative.
    """
    by_group: dict[int, list[str]] = {}
    for row in rows:
        questions = by_group.setdefault(int(bank.answer_ids[row]), [])
        if bank.questions[row] not in questions:
            questions.append(bank.questions[row])
    answer_of = {int(g): a for g, a in zip(bank.answer_ids, bank.answers, strict=True)}
    pairs = []
    for group, questions in by_group.items():
        for i, question in enumerate(questions):
            anchor = query_prompt + question
            if len(questions) > 1:
                sibling = questions[(i + 1) % len(questions)]
                pairs.append(Pair(anchor, query_prompt + sibling, group))
            if answers:
                pairs.append(Pair(anchor, passage_prompt + answer_of[group], group))
    return pairs


def with_hard_negatives(
    pairs: list[Pair], negatives: dict[str, str], query_prompt: str = ""
) -> list[Pair]:
    """The pairs with each anchor's hard negative (``negatives``: question -> its negative)."""
    out = []
    for pair in pairs:
        negative = negatives.get(pair.anchor.removeprefix(query_prompt))
        out.append(Pair(pair.anchor, pair.positive, pair.group, query_prompt + negative)
                   if negative else pair)  # fmt: skip
    return out


def hard_negatives(
    index: Index, bank: QABank, rows: np.ndarray, chunk: int = 512
) -> dict[str, str]:
    """For each question of ``rows``, the question of another group that ``index`` ranks first."""
    kept = index.subset(rows)
    groups = bank.answer_ids[rows]
    out = {}
    for start in range(0, len(rows), chunk):
        scores = kept.stored_scores(rows[start : start + chunk])
        scores[groups[start : start + chunk, None] == groups[None, :]] = -np.inf
        best = scores.argmax(axis=1)
        for offset, column in enumerate(best):
            if np.isfinite(scores[offset, column]):
                out[bank.questions[rows[start + offset]]] = bank.questions[rows[column]]
    return out


def batches(pairs: list[Pair], size: int, seed: int) -> list[list[Pair]]:
    """Shuffled batches of ``size``, no group twice in one: a pair that would clash goes to the
    next batch with room for it (the last batches may be smaller)."""
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    out: list[list[Pair]] = []
    groups: list[set[int]] = []
    first_open = 0
    for pair in shuffled:
        i = first_open
        while i < len(out) and (pair.group in groups[i] or len(out[i]) >= size):
            i += 1
        if i == len(out):
            out.append([])
            groups.append(set())
        out[i].append(pair)
        groups[i].add(pair.group)
        while first_open < len(out) and len(out[first_open]) >= size:
            first_open += 1
    return out
