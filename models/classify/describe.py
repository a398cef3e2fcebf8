"""What classifies, in words: a classifier's kind by name, and how zero-shot decides, in one line.

A classifier's ``mode`` ("zero-shot (embeddings)", "fine-tuned", ...) stays as it is for the API
and the records; people read ``mode_name(mode)``, with no brackets inside brackets.
"""

from __future__ import annotations

from models.core.i18n import Text, join

MODES: dict[str, Text] = {
    "fine-tuned": Text("fine-tuned model", "미세 조정된 모델"),
    "zero-shot (embeddings)": Text(
        "zero-shot, by embedding similarity", "임베딩 유사도 기반 제로샷"
    ),
    "zero-shot (NLI entailment)": Text("zero-shot, by entailment", "함의 판단 기반 제로샷"),
    "embeddings + logistic regression": Text(
        "sentence embeddings + logistic regression", "문장 임베딩 + 로지스틱 회귀"
    ),
    "character n-grams + logistic regression": Text(
        "character n-grams + logistic regression", "문자 n-그램 + 로지스틱 회귀"
    ),
}
ENSEMBLE = "ensemble of "
TASKS: dict[str, Text] = {
    "sentiment": Text("sentiment", "감성"),
    "nli": Text("nli", "자연어 추론"),
    "intent": Text("intent", "의도"),
}


def task_label(task: str) -> Text:
    """A classification task's name in a sentence ("sentiment" / "감성")."""
    return TASKS.get(task, Text(task, task))


def mode_name(mode: str) -> Text:
    """A classifier's kind as people read it ("zero-shot, by embedding similarity")."""
    if mode in MODES:
        return MODES[mode]
    if mode.startswith(ENSEMBLE):
        members = join([mode_name(m) for m in _members(mode.removeprefix(ENSEMBLE))], " + ")
        return Text("ensemble: {members}", "앙상블: {members}", members=members)
    return Text(mode, mode)


def _members(modes: str) -> list[str]:
    """An ensemble's member modes, joined by " + " (which some modes contain themselves)."""
    found = []
    while modes:
        known = next((m for m in MODES if modes == m or modes.startswith(m + " + ")), None)
        if known is None:  # unknown: the rest as written
            found.append(modes)
            break
        found.append(known)
        modes = modes[len(known) + 3 :]
    return found


def how_zero_shot_works(mode: str, task: str) -> Text:
    """One line on how a zero-shot classifier decides ("" for a trained one)."""
    if mode == "zero-shot (embeddings)" and task == "nli":
        return Text(
            "Zero-shot NLI only measures how similar the premise and the hypothesis are "
            "(nothing trained): a rough guess, not a judgement of entailment.",
            "제로샷 자연어 추론은 전제와 가설이 얼마나 비슷한지만 잽니다(학습 없음). 함의 "
            "판단이 아닌 대략적인 추정입니다.",
        )
    if mode == "zero-shot (embeddings)":
        return Text(
            "Zero-shot: the text is compared with a short description of each label (embedding "
            "similarity); nothing was trained on this task.",
            "제로샷: 텍스트를 각 레이블의 짧은 설명과 비교합니다(임베딩 유사도). 이 작업으로 "
            "학습한 것은 없습니다.",
        )
    if mode == "zero-shot (NLI entailment)":
        return Text(
            "Zero-shot by entailment: an NLI model judges, label by label, whether the text "
            "implies “This text is about [label].”; nothing was trained on these labels.",
            "함의 기반 제로샷: 자연어 추론 모델이 레이블마다 텍스트가 “이 글은 [레이블]에 관한 "
            "것이다.”를 함의하는지 판단합니다. 이 레이블로 학습한 것은 없습니다.",
        )
    return Text("", "")
