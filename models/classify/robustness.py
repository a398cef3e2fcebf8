"""Robustness check: small, automatic rewrites of the input, and whether the label flips.

The rewrites are rule-based and deterministic (a seed per text), so the same input always gets
the same rewrites. Each says what it changed; one that does not apply (no gendered words, say)
is reported as such rather than silently skipped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from models.core.i18n import Text
from models.core.text import detect_language

SWAPS_EN = {
    "he": "she", "she": "he", "him": "her", "his": "her", "her": "his", "himself": "herself",
    "herself": "himself", "man": "woman", "woman": "man", "men": "women", "women": "men",
    "boy": "girl", "girl": "boy", "father": "mother", "mother": "father", "husband": "wife",
    "wife": "husband", "son": "daughter", "daughter": "son", "brother": "sister",
    "sister": "brother", "king": "queen", "queen": "king", "actor": "actress",
    "actress": "actor", "mr": "ms", "ms": "mr", "john": "mary", "mary": "john",
    "james": "emily", "emily": "james", "michael": "sarah", "sarah": "michael",
}  # fmt: skip
SWAPS_KO = {
    "남자": "여자", "여자": "남자", "그녀": "그", "아버지": "어머니", "어머니": "아버지",
    "아빠": "엄마", "엄마": "아빠", "남편": "아내", "아내": "남편", "아들": "딸", "딸": "아들",
    "오빠": "언니", "언니": "오빠", "형": "누나", "누나": "형", "남배우": "여배우",
    "여배우": "남배우", "철수": "영희", "영희": "철수", "민수": "지영", "지영": "민수",
}  # fmt: skip
CLAUSE = {"en": "By the way, it was raining that day.", "ko": "참고로 그날은 비가 왔다."}
AUXILIARIES = (
    "is", "was", "are", "were", "am", "do", "does", "did", "can", "will", "would", "should",
    "could", "has", "have", "had",
)  # fmt: skip
# A text that is already negative gets its negation removed: adding another one ("was not not
# bad") makes a sentence nobody writes, and a model's answer to it means nothing.
CONTRACTIONS = {
    "don't": "do", "doesn't": "does", "didn't": "did", "isn't": "is", "aren't": "are",
    "wasn't": "was", "weren't": "were", "can't": "can", "won't": "will", "wouldn't": "would",
    "shouldn't": "should", "couldn't": "could", "hasn't": "has", "haven't": "have",
    "hadn't": "had",
}  # fmt: skip
NEGATED_EN = re.compile(rf"\b({'|'.join(map(re.escape, CONTRACTIONS))})\b|\bnot\s+", re.IGNORECASE)
# Korean: the "-지 않-" ending ("좋지 않았다" -> "좋았다") and the adverbs 안 / 못 before a verb.
NEGATED_KO = re.compile(r"지\s*않|(?:^|(?<=\s))(?:안|못)\s+")

# What people read: rewrite names, notes and verdicts are Texts (their English is the str that
# programs and tests compare).
ORIGINAL = Text("original", "원문")
TYPOS = Text("typos", "오타")
NO_SPACING = Text("no spacing", "띄어쓰기 없음")
NEGATION = Text("negation", "부정 표현")
SWAPPED = Text("swapped gender / names", "성별·이름 바꾸기")
CLAUSE_NAME = Text("irrelevant clause", "무관한 문장 추가")
NEGATION_REMOVED = Text("negation removed", "부정 표현 제거")
NEGATION_ADDED = Text("negation added", "부정 표현 추가")
AS_EXPECTED = Text("as expected", "예상대로")
FLIPPED_WARNING = Text("⚠ flipped", "⚠ 바뀜")
SHOULD_HAVE_FLIPPED = Text("⚠ should have flipped", "⚠ 바뀌었어야 함")
STILL_ENTAILMENT = Text("⚠ still entailment", "⚠ 여전히 함의")
FLIPPED = Text("flipped", "바뀜")
KEPT = Text("kept", "유지")


@dataclass
class Rewrite:
    """One rewrite of the input."""

    name: str
    text: str
    applies: bool
    note: str = ""
    pair: str | None = None  # NLI: the hypothesis this rewrite is judged with


def _typos(text: str, rng: random.Random) -> str:
    """Swap two neighbouring characters in up to two words of 3+ characters."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 3]
    for i in rng.sample(candidates, min(2, len(candidates))):
        word = list(words[i])
        j = rng.randrange(len(word) - 1)
        word[j], word[j + 1] = word[j + 1], word[j]
        words[i] = "".join(word)
    return " ".join(words)


def _negate(text: str, language: str) -> tuple[str, Text]:
    """The text with its negation removed if it has one, else with one added; and which."""
    if language == "ko":
        if NEGATED_KO.search(text):
            return NEGATED_KO.sub("", text, count=1), NEGATION_REMOVED
        stripped = text.rstrip(" .!?~")
        if stripped.endswith("다") and len(stripped) > 1:
            return stripped[:-1] + "지 않다" + text[len(stripped) :], NEGATION_ADDED
        return f"{stripped}, 라고 하기는 어렵다.", NEGATION_ADDED
    negated = NEGATED_EN.search(text)
    if negated:
        if negated.group(1):
            word = CONTRACTIONS[negated.group(1).lower()]
            word = word.capitalize() if negated.group(1)[0].isupper() else word
        else:
            word = ""
        rest = text[negated.end() :]
        if negated.start() == 0 and not word:  # "Not bad at all." -> "Bad at all."
            rest = rest[:1].upper() + rest[1:]
        return text[: negated.start()] + word + rest, NEGATION_REMOVED
    pattern = re.compile(rf"\b({'|'.join(AUXILIARIES)})\b", re.IGNORECASE)
    if pattern.search(text):
        return pattern.sub(lambda m: f"{m.group(1)} not", text, count=1), NEGATION_ADDED
    return f"I don't think that {text[0].lower()}{text[1:]}", NEGATION_ADDED


def _swap_gendered(text: str, language: str) -> tuple[str, bool]:
    if language == "ko":
        pattern = re.compile("|".join(sorted(map(re.escape, SWAPS_KO), key=len, reverse=True)))
        swapped = pattern.sub(lambda m: SWAPS_KO[m.group(0)], text)
        return swapped, swapped != text

    def swap(match: re.Match) -> str:
        word = match.group(0)
        new = SWAPS_EN[word.lower()]
        return new.capitalize() if word[0].isupper() else new

    pattern = re.compile(rf"\b({'|'.join(SWAPS_EN)})\b", re.IGNORECASE)
    swapped = pattern.sub(swap, text)
    return swapped, swapped != text


def _with_clause(text: str, language: str) -> str:
    base = text.rstrip()
    end = "" if base.endswith((".", "!", "?", "…", "~")) else "."
    return f"{base}{end} {CLAUSE[language]}"


def rewrites(text: str, pair: str | None = None) -> list[Rewrite]:
    """The rewrites of ``text`` (Korean and English rules chosen by the text's script).

    With ``pair`` (NLI's hypothesis), a rewrite that must keep the meaning changes both texts
    alike: swapping "man" for "woman" in the premise alone would make a true contradiction.
    """
    language = detect_language(text)
    rng = random.Random(sum(map(ord, text)))
    typos = _typos(text, rng)
    typo_note = (
        Text("two swapped letters", "이웃한 두 글자 바꿈")
        if typos != text
        else Text("no word of 3+ characters", "3글자 이상인 단어 없음")
    )
    result = [Rewrite(TYPOS, typos, typos != text, typo_note, pair)]
    if language == "ko":
        spaced = re.sub(r"\s+", "", text)
        note = (
            Text("spaces removed (띄어쓰기)", "띄어쓰기 모두 제거")
            if spaced != text
            else Text("no spaces to remove", "지울 띄어쓰기 없음")
        )
        result.append(Rewrite(NO_SPACING, spaced, spaced != text, note, pair))
    negated, how = _negate(text, language)
    note = Text(
        "{how}; rule-based, may read awkwardly", "{how}. 규칙 기반이라 어색할 수 있음", how=how
    )
    result.append(Rewrite(NEGATION, negated, True, note, pair))
    swapped, ok = _swap_gendered(text, language)
    if pair is not None:
        swapped_pair, pair_ok = _swap_gendered(pair, detect_language(pair))
        ok = ok or pair_ok
    else:
        swapped_pair = None
    note = Text("", "") if ok else Text("no gendered words or names", "성별 단어나 이름 없음")
    if ok and pair is not None:
        note = Text("swapped in both premise and hypothesis", "전제와 가설 모두에서 바꿈")
    result.append(Rewrite(SWAPPED, swapped, ok, note, swapped_pair))
    clause = _with_clause(text, language)
    result.append(Rewrite(CLAUSE_NAME, clause, True, Text("appended", "끝에 덧붙임"), pair))
    return result


Predict = Callable[[list[str], list[str] | None], list[tuple[str, float]]]


def check_robustness(
    text: str, predict: Predict, task: str = "sentiment", pair: str | None = None
) -> list[dict[str, object]]:
    """Predict every applicable rewrite; flag those whose label differs from the original's.

    A flip is a warning for every rewrite that keeps the meaning; for negation in sentiment it
    is what a good model should do, and *not* flipping is the warning. In NLI, a negated premise
    rarely still entails the hypothesis, so an entailment that survives it is flagged.

    Args:
        text: the original input (NLI: the premise).
        predict: (texts, hypotheses or None) -> (label, probability of that label) per text.
        task: decides what negation should do.
        pair: NLI's hypothesis.
    """
    original_label, original_score = predict([text], None if pair is None else [pair])[0]
    items = rewrites(text, pair)
    applicable = [p for p in items if p.applies]
    pairs = None if pair is None else [p.pair or pair for p in applicable]
    predictions = predict([p.text for p in applicable], pairs) if applicable else []
    outcome = dict(zip((p.name for p in applicable), predictions, strict=True))
    rows = [_row(ORIGINAL, text, pair, original_label, original_score, False, "", "")]
    for rewrite in items:
        if not rewrite.applies:
            rows.append(
                _row(
                    rewrite.name,
                    "",
                    None if pair is None else "",
                    "",
                    None,
                    False,
                    "",
                    Text("not applicable: {why}", "해당 없음: {why}", why=rewrite.note),
                )
            )
            continue
        label, score = outcome[rewrite.name]
        flipped = label != original_label
        rows.append(
            _row(
                rewrite.name, rewrite.text, rewrite.pair, label, score, flipped,
                _verdict(rewrite.name, task, flipped, original_label), rewrite.note,
            )
        )  # fmt: skip
    return rows


def _verdict(name: str, task: str, flipped: bool, original_label: str) -> Text:
    if name != NEGATION:
        return FLIPPED_WARNING if flipped else AS_EXPECTED
    if task == "sentiment":
        return AS_EXPECTED if flipped else SHOULD_HAVE_FLIPPED
    if task == "nli" and not flipped and original_label == "entailment":
        return STILL_ENTAILMENT
    return FLIPPED if flipped else KEPT


def _row(
    name: str, text: str, pair: str | None, label: str, score: float | None, flipped: bool,
    verdict: str, note: str,
) -> dict[str, object]:  # fmt: skip
    row: dict[str, object] = {"rewrite": name, "text": text}
    if pair is not None:
        row["hypothesis"] = pair
    row.update(
        prediction=label, score=None if score is None else round(score, 3), flipped=flipped,
        verdict=verdict, note=note,
    )  # fmt: skip
    return row
