"""Robustness probe: small, automatic rewrites of the input, and whether the label flips.

The rewrites are rule-based and deterministic (a seed per text), so the same input always gets
the same probes. Each says what it changed; one that does not apply (no gendered words, say)
is reported as such rather than silently skipped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from models.zero_shot import detect_language

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
CLAUSE = {"en": " By the way, it was raining that day.", "ko": " 참고로 그날은 비가 왔다."}
AUXILIARIES = (
    "is", "was", "are", "were", "am", "do", "does", "did", "can", "will", "would", "should",
    "could", "has", "have", "had",
)  # fmt: skip


@dataclass
class Probe:
    """One rewrite of the input."""

    name: str
    text: str
    applies: bool
    note: str = ""


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


def _negate(text: str, language: str) -> tuple[str, bool]:
    if language == "ko":
        stripped = text.rstrip(" .!?~")
        if stripped.endswith("다") and len(stripped) > 1:
            return stripped[:-1] + "지 않다" + text[len(stripped) :], True
        return f"{stripped}, 라고 하기는 어렵다.", True
    pattern = re.compile(rf"\b({'|'.join(AUXILIARIES)})\b", re.IGNORECASE)
    if pattern.search(text):
        return pattern.sub(lambda m: f"{m.group(1)} not", text, count=1), True
    return f"I don't think that {text[0].lower()}{text[1:]}", True


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


def probes(text: str) -> list[Probe]:
    """The rewrites of ``text`` (Korean and English rules chosen by the text's script)."""
    language = detect_language(text)
    rng = random.Random(sum(map(ord, text)))
    result = [Probe("typos", _typos(text, rng), len(text.split()) > 0, "two swapped letters")]
    if language == "ko":
        spaced = re.sub(r"\s+", "", text)
        result.append(Probe("no spacing", spaced, spaced != text, "띄어쓰기 제거"))
    negated, ok = _negate(text, language)
    result.append(Probe("negation", negated, ok, "rule-based; may read awkwardly"))
    swapped, ok = _swap_gendered(text, language)
    result.append(
        Probe("swapped gender / names", swapped, ok, "" if ok else "no gendered words or names")
    )
    result.append(Probe("irrelevant clause", text.rstrip() + CLAUSE[language], True, "appended"))
    return result


def run_probes(
    text: str, predict: Callable[[list[str]], list[tuple[str, float]]], task: str = "sentiment"
) -> list[dict[str, object]]:
    """Predict every applicable rewrite; flag those whose label differs from the original's.

    A flip is a warning for every rewrite that keeps the meaning; for negation in sentiment it
    is what a good model should do, and *not* flipping is the warning.

    Args:
        text: the original input.
        predict: texts -> (label, probability of that label) per text.
        task: decides what negation should do.
    """
    original_label, original_score = predict([text])[0]
    items = probes(text)
    applicable = [p for p in items if p.applies]
    predictions = predict([p.text for p in applicable]) if applicable else []
    outcome = dict(zip((p.name for p in applicable), predictions, strict=True))
    rows = [
        {
            "probe": "original",
            "text": text,
            "prediction": original_label,
            "score": round(original_score, 3),
            "flipped": False,
            "verdict": "",
            "note": "",
        }
    ]
    for probe in items:
        if not probe.applies:
            rows.append(
                {"probe": probe.name, "text": "", "prediction": "", "score": None,
                 "flipped": False, "verdict": "", "note": f"not applicable: {probe.note}"}
            )  # fmt: skip
            continue
        label, score = outcome[probe.name]
        flipped = label != original_label
        should_flip = probe.name == "negation" and task == "sentiment"
        if probe.name == "negation" and task != "sentiment":
            verdict = "flipped" if flipped else "kept"
        elif flipped == should_flip:
            verdict = "as expected"
        else:
            verdict = "⚠ should have flipped" if should_flip else "⚠ flipped"
        rows.append(
            {
                "probe": probe.name,
                "text": probe.text,
                "prediction": label,
                "score": round(score, 3),
                "flipped": flipped,
                "verdict": verdict,
                "note": probe.note,
            }
        )
    return rows
