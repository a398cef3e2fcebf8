"""One chat turn: the best stored answer for an utterance, its rivals, and whether to trust it.

Candidates are answers, not rows: stored questions that share an answer are grouped under it, the
best-scoring one shown first. A reply is confident when the first answer's score clears the
threshold; otherwise the bot says it has no confident answer instead of guessing.

Scores mean different things for different rankers (a cosine, a TF-IDF cosine), so
they are read against the bank's own evaluation: the scores of the first answers that were right
and that were wrong on the held-out questions (``models.rank.evaluate``). The default threshold is
where answering starts to pay: the score above which right first answers outnumber wrong ones
most.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Lang, Text
from models.core.progress import Progress, silent
from models.core.text import detect_language
from models.rank.banks import DEFAULT_BANK, QABank, load_bank
from models.rank.evaluate import RankMetrics, held_out, score_rankings
from models.rank.index import Index
from models.rank.rankers import AUTO, MEMORY, get_index
from models.sources.loading import load_once

DEFAULT_TOP_K = 5
MAX_TOP_K = 50
MAX_QUERY_CHARS = 1_000
MAX_THRESHOLD = 1e6  # scores are cosines, TF-IDF cosines or a blend of the two: far inside this


@dataclass(frozen=True)
class Calibration:
    """Scores of right and wrong first answers on the bank's held-out questions."""

    right: np.ndarray
    wrong: np.ndarray
    threshold: float

    def place(self, score: float) -> Text:
        """Where ``score`` falls among them, in a sentence."""
        above_right = float((self.right < score).mean()) if len(self.right) else 0.0
        above_wrong = float((self.wrong < score).mean()) if len(self.wrong) else 0.0
        return Text(
            "{score:.3f} is above {right:.0%} of the scores of right first answers and "
            "{wrong:.0%} of wrong ones on this bank's held-out questions.",
            "{score:.3f}점은 이 모음의 따로 떼어 둔 질문에서 맞힌 첫 답변 점수의 {right:.0%}, "
            "틀린 첫 답변 점수의 {wrong:.0%}보다 높습니다.",
            score=score, right=above_right, wrong=above_wrong,
        )  # fmt: skip


def best_threshold(right: np.ndarray, wrong: np.ndarray) -> float:
    """The score above which answering gains the most: right answers kept minus wrong ones.

    Of equal gains the highest threshold wins: as many right answers, fewer wrong ones given.
    """
    candidates = np.unique(np.concatenate([right, wrong]))
    if not len(candidates):
        return 0.0
    gain = np.array([(right >= t).sum() - (wrong >= t).sum() for t in candidates])
    return float(candidates[np.flatnonzero(gain == gain.max())[-1]])


def calibrate(bank: QABank, index: Index) -> Calibration | None:
    """The bank's score distributions for ``index`` (None: the bank has no paraphrases)."""

    def measure() -> Calibration | None:
        split = held_out(bank)
        if not split.n_queries:
            return None
        metrics: RankMetrics = score_rankings(index, bank, split)
        right, wrong = np.array(metrics.right_scores), np.array(metrics.wrong_scores)
        return Calibration(right, wrong, best_threshold(right, wrong))

    return load_once(("rank-calibration", index.ref, index.kind, bank.fingerprint), measure)


@dataclass
class Candidate:
    """One answer and the stored questions that led to it (best first)."""

    answer: str
    question: str
    score: float
    questions: list[str] = field(default_factory=list)


@dataclass
class Reply:
    """A chat turn's outcome, as plain data for the tab and the API."""

    answer: str | None
    confident: bool
    margin: float | None
    model: str
    threshold: float
    candidates: list[Candidate]
    explanation: str = ""  # a Text: where the first score falls on this bank

    def as_api(self) -> dict:
        return {
            "answer": self.answer,
            "confident": self.confident,
            "margin": self.margin,
            "model": self.model,
            "candidates": [
                {"question": c.question, "answer": c.answer, "score": c.score}
                for c in self.candidates
            ],
        }


def check_query(query: str) -> str:
    """The query, stripped; an empty, oversized or non-text one is refused with a message."""
    if query is None or (isinstance(query, str) and not query.strip()):
        raise PlaygroundError(Text("Type a message first.", "먼저 메시지를 입력하세요."))
    if isinstance(query, str) and len(query) > MAX_QUERY_CHARS:
        raise PlaygroundError(Text(
            "That message is {n:,} characters long; the chatbot reads up to {limit:,}.",
            "메시지가 {n:,}자입니다. 챗봇은 {limit:,}자까지 읽습니다.",
            n=len(query), limit=MAX_QUERY_CHARS,
        ))  # fmt: skip
    field = Text("The message", "메시지")
    return inputs.text(query, field, max_chars=MAX_QUERY_CHARS).strip()


def group_candidates(
    bank: QABank, rows: np.ndarray, scores: np.ndarray, top_k: int
) -> list[Candidate]:
    """The first ``top_k`` distinct answers among ranked rows, each with its questions."""
    grouped: dict[int, Candidate] = {}
    for row, score in zip(rows, scores, strict=True):
        group = int(bank.answer_ids[row])
        if group in grouped:
            grouped[group].questions.append(bank.questions[row])
        elif len(grouped) < top_k:
            grouped[group] = Candidate(
                bank.answers[row], bank.questions[row], round(float(score), 4), []
            )
    return list(grouped.values())


def reply(
    query: str,
    bank: QABank,
    index: Index,
    top_k: int = DEFAULT_TOP_K,
    threshold: float | None = None,
) -> Reply:
    """Answer ``query`` from ``bank`` with ``index``.

    Args:
        threshold: the score the first answer must reach; None: the bank's calibrated one.

    Raises:
        PlaygroundError: an empty or oversized query, or a top-k out of range.
    """
    query = check_query(query)
    top_k = inputs.integer(top_k, "Top-k", 1, MAX_TOP_K)  # a UI number arrives as a float
    if threshold is not None:
        field = Text("The threshold", "임계값")
        threshold = inputs.number(threshold, field, -MAX_THRESHOLD, MAX_THRESHOLD)
    # Enough rows to find top_k distinct answers even when many questions share one.
    rows, top = index.search([query], top_k * 10)
    candidates = group_candidates(bank, rows[0], top[0], top_k)
    calibration = calibrate(bank, index)
    if threshold is None:
        threshold = calibration.threshold if calibration else 0.0
    best = candidates[0]
    confident = best.score >= threshold
    margin = round(best.score - candidates[1].score, 4) if len(candidates) > 1 else None
    explanation = calibration.place(best.score) if calibration else ""
    return Reply(
        best.answer if confident else None, confident, margin, index.ref, float(threshold),
        candidates, explanation,
    )  # fmt: skip


def ask(
    query: str,
    bank: str | QABank = DEFAULT_BANK,
    model: str = AUTO,
    top_k: int = DEFAULT_TOP_K,
    threshold: float | None = None,
    progress: Progress = silent,
    backend: str = MEMORY,
) -> Reply:
    """``reply`` with the bank and index looked up by name (the API and the command line)."""
    query = check_query(query)  # before building anything
    qa = bank if isinstance(bank, QABank) else load_bank(bank)  # load_bank names a bad one
    return reply(query, qa, get_index(qa, model, progress, backend), top_k, threshold)


NOT_CONFIDENT = Text(
    "I have no confident answer. The closest stored question is “{question}”.",
    "확실한 답을 찾지 못했어요. 가장 가까운 질문은 “{question}”입니다.",
)


def reply_language(query: str, page: Lang | None = None) -> Lang:
    """The language to reply in: the message's when it has letters of ours (someone who writes
    Korean reads Korean), else the page's (a message of digits or emoji says nothing)."""
    if detect_language(query) == "ko":
        return "ko"
    if any("a" <= c.lower() <= "z" for c in query or ""):
        return "en"
    return page or "en"


def bot_message(query: str, result: Reply, page: Lang | None = None) -> str:
    """What the chatbot says: the answer, or that it has none it trusts (``reply_language``)."""
    if result.confident and result.answer is not None:
        return result.answer
    closest = result.candidates[0].question
    return Text(NOT_CONFIDENT.en, NOT_CONFIDENT.ko, question=closest).in_lang(
        reply_language(query, page)
    )
