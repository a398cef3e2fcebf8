"""What the Answer ranking tab shows, as plain data in the page's language: the ranker list, the
candidates, a reply's details, the evaluation table, the example questions.

Pure functions of a result and a language (``lang`` None keeps the ``Text``s, for a component's
constructor), so the tests call them without a page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.core.access import public_message
from models.core.i18n import Text, localize
from models.rank.banks import BANKS, TITLES
from models.rank.chat import Reply
from models.rank.encoders import ranker_title, tuned_encoders
from models.rank.evaluate import RankMetrics
from models.rank.rankers import AUTO, LEXICAL
from models.sources.packaged import PACKAGED

UPLOAD = "upload"
LANGUAGES = {
    "English": Text("English", "영어"),
    "multilingual (Korean + English)": Text(
        "multilingual: Korean + English", "다국어: 한국어 + 영어"
    ),
}
# Questions a visitor might type, in the page's language; the last has no stored answer, to show
# the bot declining rather than guessing.
EXAMPLES = {
    "ko": [
        "요즘 너무 피곤해",
        "배고픈데 뭐 먹을까?",
        "내일 면접인데 너무 떨려",
        "양자역학 좀 설명해 줘",
    ],
    "en": [
        "I feel so tired these days",
        "I'm hungry, what should I eat?",
        "I have a job interview tomorrow",
        "Explain quantum mechanics to me",
    ],
}


def _render(value: Any, lang: str | None) -> Any:
    return value if lang is None else localize(value, lang)


def bank_choices() -> list[tuple[Text, str]]:
    """The registered banks by what they are, then the upload."""
    upload = Text("Upload a file…", "파일 올리기…")
    return [*((TITLES[name], name) for name in BANKS), (upload, UPLOAD)]


def model_choices(bank: str | None = None, lang: str | None = None) -> list[tuple[str, str]]:
    """The rankers offered, by plain name (encoders tuned for ``bank`` among them); any
    sentence-embedding Hub id or folder can be typed as well."""
    packaged = [
        (Text("{hub} ({langs})", "{hub} ({langs})", hub=m.hub_id,
              langs=LANGUAGES.get(m.languages, m.languages)), m.ref)
        for m in PACKAGED.values() if m.kind == "embedding"
    ]  # fmt: skip
    tuned = [(t.label, t.path) for t in tuned_encoders(bank)] if bank else []
    choices = [
        (Text("auto: the best validated encoder for this bank + n-grams",
              "자동: 이 모음에서 검증 점수가 가장 좋은 인코더 + n-그램"), AUTO),
        *packaged,
        *tuned,
        (Text("lexical: character n-grams (no model)", "어휘: 문자 n-그램(모델 없음)"), LEXICAL),
    ]  # fmt: skip
    return _render(choices, lang)


def candidates_frame(result: Reply, lang: str) -> pd.DataFrame:
    """One row per candidate answer, with the stored questions that led to it."""
    columns = [
        Text("score", "점수"),
        Text("answer", "답변"),
        Text("stored question", "저장된 질문"),
        Text("also matched", "같은 답변의 다른 질문"),
    ]
    rows = [(c.score, c.answer, c.question, " / ".join(c.questions)) for c in result.candidates]
    return pd.DataFrame(rows, columns=localize(columns, lang))


def reply_details(result: Reply, lang: str) -> str:
    """The verdict, threshold, margin and ranker in a line; where the score falls on this bank;
    the ranker's full reference folded away (it may be a folder)."""
    verdict = (
        Text("answered", "답변함")
        if result.confident
        else Text("not confident: no answer given", "확신 없음: 답하지 않음")
    )
    margin = (
        Text("", "")
        if result.margin is None
        else Text(" · margin to the second answer {m:.4f}", " · 두 번째 답변과의 차이 {m:.4f}",
                  m=result.margin)
    )  # fmt: skip
    line = Text(
        "**{verdict}** · threshold {t:.4f}{margin} · ranker: {name}",
        "**{verdict}** · 임계값 {t:.4f}{margin} · 검색 모델: {name}",
        verdict=verdict, t=result.threshold, margin=margin, name=ranker_title(result.model),
    )  # fmt: skip
    folded = Text(
        "<details><summary>Ranker details</summary>\n\n`{ref}`\n\n</details>",
        "<details><summary>검색 모델 자세히</summary>\n\n`{ref}`\n\n</details>",
        ref=result.model,
    )
    parts = [line, result.explanation, folded] if result.explanation else [line, folded]
    return public_message("\n\n".join(localize(parts, lang)))


def evaluation_frame(results: dict[str, RankMetrics], lang: str) -> pd.DataFrame:
    """hit@1, hit@5 and MRR first (what the reader compares), then which ranker and on how many
    held-out questions; the lexical ranker's row once when it was the one evaluated."""
    rows, seen = [], set()
    for metrics in results.values():
        if metrics.ref in seen:
            continue
        seen.add(metrics.ref)
        rows.append({
            "hit@1": round(metrics.hit_at_1, 4), "hit@5": round(metrics.hit_at_5, 4),
            "MRR": round(metrics.mrr, 4), Text("ranker", "검색 모델"): ranker_title(metrics.ref),
            Text("held-out questions", "따로 떼어 둔 질문 수"): metrics.n_queries,
        })  # fmt: skip
    return pd.DataFrame(localize(rows, lang))


def examples(lang: str) -> list[list[str]]:
    """The example questions of ``lang``, one per row (``gr.Dataset`` samples)."""
    return [[q] for q in EXAMPLES.get(lang, EXAMPLES["en"])]


def example(index: int | None, lang: str) -> str:
    """The example question a click on row ``index`` picked, in the language shown."""
    shown = EXAMPLES.get(lang, EXAMPLES["en"])
    return shown[index] if isinstance(index, int) and 0 <= index < len(shown) else ""


def failure(message: Any, lang: str) -> str:
    """An error as the page shows it: in ``lang``, with no server folder on a public server."""
    return "⚠️ " + public_message(localize(message, lang))
