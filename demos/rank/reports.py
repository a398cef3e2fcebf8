"""The Answer ranking tab's results as take-away reports (``models.core.report.Report``).

Pure: each builder takes the plain data a handler already has (the message and its ``Reply``, the
leave-one-out ``RankMetrics``, a finished ``TuneRecord``) and returns a ``Report`` whose words are
``Text``s, so the file is written in the reader's language. Rankers are named plainly, their full
reference beside the name.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.core.i18n import Text, join
from models.core.report import Report
from models.rank.banks import TITLES, QABank
from models.rank.chat import Reply
from models.rank.compare import COLUMNS, comparison_rows
from models.rank.encoders import METHODS, TuneRecord, ranker_title
from models.rank.evaluate import RankMetrics
from models.rank.rankers import QDRANT

YES, NO = Text("yes", "예"), Text("no", "아니요")
WORDS = {
    "bank": Text("Q/A bank", "질문·답변 모음"),
    "bank_source": Text("Bank source", "모음 출처"),
    "message": Text("Message", "메시지"),
    "answer": Text("Answer", "답변"),
    "confident": Text("Confident", "확신 여부"),
    "margin": Text("Margin to the second answer", "두 번째 답변과의 점수 차이"),
    "top_score": Text("Score of the first answer", "첫 답변의 점수"),
    "threshold": Text("Threshold", "임계값"),
    "top_k": Text("Answers shown", "보여 줄 답변 수"),
    "search": Text("Search", "검색 위치"),
    "question": Text("stored question", "저장된 질문"),
    "answer_col": Text("answer", "답변"),
    "score": Text("score", "점수"),
    "also": Text("also matched", "같은 답변의 다른 질문"),
    "ranker": Text("ranker", "검색 모델"),
    "held_out": Text("Held-out questions", "따로 떼어 둔 질문 수"),
}
NO_ANSWER = Text("no confident answer", "확신 있는 답 없음")
SEARCHES = {QDRANT: "Qdrant"}
IN_PROCESS = Text("in this process", "이 프로세스 안")
VERSUS_LEXICAL = Text("Chosen ranker vs character n-grams", "고른 검색 모델과 문자 n-그램 비교")


def _ranker(ref: str) -> Text:
    """The ranker in words, then its reference (a Hub id, a packaged name, a tuned folder)."""
    return Text("{name} · `{ref}`", "{name} · `{ref}`", name=ranker_title(ref), ref=ref)


def _bank(qa: QABank) -> dict[Any, Any]:
    return {WORDS["bank"]: qa.title, WORDS["bank_source"]: qa.source}


def candidates_table(result: Reply) -> pd.DataFrame:
    """The top-k candidates: the stored question, its answer, the score, the other questions."""
    columns = [WORDS["question"], WORDS["answer_col"], WORDS["score"], WORDS["also"]]
    rows = [(c.question, c.answer, c.score, " / ".join(c.questions)) for c in result.candidates]
    return pd.DataFrame(rows, columns=columns)


def reply_report(
    query: str, qa: QABank, result: Reply, top_k: int, own_threshold: bool, backend: str
) -> Report:
    """The last chat reply: the message, the answer (or that there was no confident one), how
    sure, the candidates, the ranker, the bank and where it was searched."""
    outputs: dict[Any, Any] = {
        WORDS["answer"]: result.answer if result.confident and result.answer else NO_ANSWER,
        WORDS["confident"]: YES if result.confident else NO,
    }
    if result.candidates:
        outputs[WORDS["top_score"]] = result.candidates[0].score
    if result.margin is not None:
        outputs[WORDS["margin"]] = result.margin
    chosen = (
        Text("typed", "직접 입력")
        if own_threshold
        else Text("the bank's, read off its held-out questions",
                  "따로 떼어 둔 질문으로 정한 이 모음의 값")
    )  # fmt: skip
    threshold = Text("{t:.4f} ({how})", "{t:.4f} ({how})", t=result.threshold, how=chosen)
    return Report(
        title=Text("Answer ranking: {bank}", "답변 검색: {bank}", bank=qa.title),
        inputs={WORDS["message"]: query, **_bank(qa)},
        outputs=outputs,
        model=_ranker(result.model),
        settings={
            WORDS["threshold"]: threshold,
            WORDS["top_k"]: top_k,
            WORDS["search"]: SEARCHES.get(backend, IN_PROCESS),
        },
        tables={Text("Candidates", "후보 답변"): candidates_table(result)},
        notes=[result.explanation] if result.explanation else [],
    )


def evaluation_table(results: dict[str, RankMetrics]) -> pd.DataFrame:
    """hit@1, hit@5 and MRR of the chosen ranker and of the lexical one (once when they are
    the same), with how many held-out questions each was asked."""
    rows, seen = [], set()
    for metrics in results.values():
        if metrics.ref in seen:
            continue
        seen.add(metrics.ref)
        rows.append({
            WORDS["ranker"]: ranker_title(metrics.ref), "hit@1": round(metrics.hit_at_1, 4),
            "hit@5": round(metrics.hit_at_5, 4), "MRR": round(metrics.mrr, 4),
            WORDS["held_out"]: metrics.n_queries,
        })  # fmt: skip
    return pd.DataFrame(rows)


def evaluation_report(qa: QABank, results: dict[str, RankMetrics]) -> Report:
    """Leave-one-out evaluation: the chosen ranker's hit@1 / hit@5 / MRR beside the lexical
    ranker's, on the same held-out questions of the bank."""
    chosen = results["model"]
    metrics: dict[Any, Any] = {"hit@1": chosen.hit_at_1, "hit@5": chosen.hit_at_5,
                               "MRR": chosen.mrr, WORDS["held_out"]: chosen.n_queries}  # fmt: skip
    return Report(
        title=Text("Ranker evaluation: {bank}", "검색 모델 평가: {bank}", bank=qa.title),
        inputs=_bank(qa),
        model=_ranker(chosen.ref),
        settings={
            Text("Method", "방법"): Text(
                "leave-one-out: one question of every answer that has several is held out and "
                "asked; the rest stay in the index",
                "하나씩 떼어 내 평가: 질문이 여러 개인 답변마다 질문 하나를 따로 떼어 물어보고, "
                "나머지는 색인에 남겨 둡니다",
            ),
        },
        metrics=metrics,
        tables={VERSUS_LEXICAL: evaluation_table(results)},
    )


def comparison_table(record: TuneRecord) -> pd.DataFrame:
    """The run's comparison (``models.rank.compare``), "—" where a column does not apply."""
    frame = pd.DataFrame(comparison_rows(record), columns=list(COLUMNS)).astype(object)
    return frame.where(frame.notna(), "—")


SETTING_NAMES = {
    "methods": Text("Methods", "방법"),
    "minutes": Text("Training time per method (minutes)", "방법마다 학습할 시간(분)"),
    "batch_size": Text("Batch size", "배치 크기"),
    "hard_negatives": Text("Hard negatives", "어려운 오답"),
    "answer_pairs": Text("Question-answer pairs too", "질문-답변 쌍도 학습"),
    "lora_rank": Text("LoRA rank", "LoRA 랭크"),
    "max_length": Text("Maximum tokens per text", "텍스트당 최대 토큰 수"),
    "lr_full": Text("Learning rate, full fine-tuning", "학습률(전체 미세 조정)"),
    "lr_lora": Text("Learning rate, LoRA", "학습률(LoRA)"),
}


def _setting(key: str, value: Any) -> Any:
    if key == "methods":
        return join([METHODS.get(m, m) for m in value], ", ")
    if isinstance(value, bool):
        return YES if value else NO
    return value


def tune_report(record: TuneRecord) -> Report:
    """Encoder fine-tuning: the bank, the base encoder, the settings and seed, and the
    comparison of the base, the lexical ranker and each method (hit@1 before and after, costs)."""
    bank = TITLES.get(record.bank, record.bank)
    methods = set(record.settings.get("methods", METHODS))
    settings = {
        SETTING_NAMES[key]: _setting(key, value)
        for key, value in record.settings.items()
        if key in SETTING_NAMES and not (key.startswith("lr_") and key[3:] not in methods)
        and not (key == "lora_rank" and "lora" not in methods)
    }  # fmt: skip
    metrics: dict[Any, Any] = {}
    for m in record.methods:
        if m.metrics.get("all", {}).get("hit_at_1") is not None:
            metrics[Text("hit@1 of {m}", "{m}의 hit@1", m=METHODS.get(m.method, m.title))] = (
                m.metrics["all"]["hit_at_1"]
            )
    base = record.base_metrics.get("all", {}).get("hit_at_1")
    if base is not None:
        metrics[Text("hit@1 of the base encoder", "기준 인코더의 hit@1")] = base
    return Report(
        title=Text("Encoder fine-tuning: {bank}", "인코더 미세 조정: {bank}", bank=bank),
        inputs={
            WORDS["bank"]: bank,
            Text("Training pairs", "학습 쌍 수"): record.n_pairs,
            WORDS["held_out"]: record.held_out_queries,
        },
        model=Text("base: {r}", "기준 모델: {r}", r=_ranker(record.base_ref)),
        settings=settings,
        seed=record.settings.get("seed"),
        metrics=metrics,
        tables={Text("Comparison", "비교"): comparison_table(record)},
    )
