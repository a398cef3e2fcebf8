"""How well a ranker answers: leave one question of each answer group out, ask it, score the reply.

Chatbot_data has answers with several paraphrased questions. For every answer with at least two
different questions, one of them (chosen by a hash, so always the same one) is held out as a
query and the rest stay in the index; a reply is right when the best candidate's answer is the
held-out question's answer. Candidates are answers, not rows: questions that share an answer
count once. Reported: hit@1, hit@5 and MRR (over the first 50 answers), for the chosen model and
for the lexical ranker beside it, and the scores of right and wrong first answers, which is what
gives a score its meaning (the chat's confidence threshold).

    python -m models.rank.evaluate --bank chatbot_data [--model REF] [--part all] --json OUT
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from models.core import files
from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.rank.banks import BANKS, DEFAULT_BANK, QABank, load_bank
from models.rank.index import Index, LexicalIndex
from models.rank.rankers import AUTO, get_index

PARTS = ("all", "validation", "test")
DEPTH = 50  # answers ranked per query for MRR


@dataclass(frozen=True)
class HeldOut:
    """The leave-one-out split of a bank: held-out query rows and the rows left in the index."""

    queries: np.ndarray
    index_rows: np.ndarray

    @property
    def n_queries(self) -> int:
        return len(self.queries)


def _hash(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def held_out(bank: QABank, part: str = "all") -> HeldOut:
    """One question of each answer group with 2+ different questions; ``part`` halves the groups.

    ``validation`` and ``test`` split the groups in two by a hash of the answer, so settings can be
    chosen on one half and reported on the other.
    """
    if part not in PARTS:
        raise PlaygroundError(
            Text(
                "Unknown part '{part}'. Choose one of: {known}.",
                "알 수 없는 부분 '{part}'입니다. 다음 중에서 고르세요: {known}.",
                part=part,
                known=", ".join(PARTS),
            )
        )
    by_answer: dict[int, list[int]] = {}
    seen: set[str] = set()
    for row, (question, group) in enumerate(zip(bank.questions, bank.answer_ids, strict=True)):
        if question not in seen:  # the same question twice is no paraphrase
            seen.add(question)
            by_answer.setdefault(int(group), []).append(row)
    queries = []
    for rows in by_answer.values():
        if len(rows) < 2:
            continue
        if part != "all":
            half = "validation" if int(_hash(bank.answers[rows[0]])[:8], 16) % 2 else "test"
            if half != part:
                continue
        queries.append(min(rows, key=lambda r: _hash(bank.questions[r])))
    held = np.array(sorted(queries), dtype=int)
    # Every held-out question leaves the index, whichever part is reported.
    all_held = held_out(bank, "all").queries if part != "all" else held
    keep = np.setdiff1d(np.arange(len(bank)), all_held)
    # A held-out question stored again under another answer would find itself: leave it out too.
    duplicates = np.isin(np.array(bank.questions, dtype=object)[keep],
                         np.array(bank.questions, dtype=object)[all_held])  # fmt: skip
    return HeldOut(held, keep[~duplicates])


@dataclass
class RankMetrics:
    """One ranker's scores on the held-out questions."""

    ref: str
    hit_at_1: float
    hit_at_5: float
    mrr: float
    n_queries: int
    right_scores: list[float]  # the first answer's score when it was right
    wrong_scores: list[float]  # ... and when it was wrong

    def summary(self) -> dict:
        """What the command writes: no per-query scores."""
        data = asdict(self)
        del data["right_scores"], data["wrong_scores"]
        return data


def score_rankings(index: Index, bank: QABank, split: HeldOut, batch: int = 256) -> RankMetrics:
    """hit@1, hit@5 and MRR of ``index`` (built over the whole bank) on the split."""
    if not split.n_queries:
        raise PlaygroundError(
            Text(
                "This bank has no answer with two different questions, so there is nothing to "
                "hold out: evaluation needs paraphrases.",
                "이 모음에는 서로 다른 질문이 두 개 이상 달린 답변이 없어 따로 떼어 둘 질문이 "
                "없습니다. 평가하려면 같은 뜻의 다른 질문이 필요합니다.",
            )
        )
    kept = index.subset(split.index_rows)
    kept_groups = bank.answer_ids[split.index_rows]
    truth = bank.answer_ids[split.queries]
    hits1 = hits5 = reciprocal = 0.0
    right, wrong = [], []
    for start in range(0, split.n_queries, batch):
        rows, top = kept.stored_search(split.queries[start : start + batch], DEPTH * 4)
        for r, (row_ids, row_scores) in enumerate(zip(rows, top, strict=True)):
            answers = list(dict.fromkeys(kept_groups[row_ids]))[:DEPTH]
            target = truth[start + r]
            (right if answers[0] == target else wrong).append(float(row_scores[0]))
            hits1 += answers[0] == target
            hits5 += target in answers[:5]
            reciprocal += 1.0 / (answers.index(target) + 1) if target in answers else 0.0
    n = split.n_queries
    return RankMetrics(index.ref, hits1 / n, hits5 / n, reciprocal / n, n, right, wrong)


def evaluate_bank(bank: QABank, index: Index, part: str = "all") -> dict[str, RankMetrics]:
    """The chosen index and the lexical ranker on the same held-out questions."""
    split = held_out(bank, part)
    results = {"model": score_rankings(index, bank, split)}
    results["lexical"] = (
        results["model"]
        if index.kind == "lexical"
        else score_rankings(LexicalIndex(bank.questions), bank, split)
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.rank.evaluate", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--bank", default=DEFAULT_BANK, choices=list(BANKS))
    parser.add_argument("--model", default=AUTO, help="auto, lexical, hybrid, or an embedder")
    parser.add_argument("--part", default="all", choices=PARTS)
    parser.add_argument("--json", type=Path, help="write the metrics here")
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.bank)
        results = evaluate_bank(bank, get_index(bank, args.model), args.part)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for name, metrics in results.items():
        print(
            f"{name:8} {metrics.ref}: hit@1 {metrics.hit_at_1:.4f} hit@5 {metrics.hit_at_5:.4f} "
            f"MRR {metrics.mrr:.4f} ({metrics.n_queries:,} queries)"
        )
    if args.json:
        files.write_json(args.json, {name: m.summary() for name, m in results.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
