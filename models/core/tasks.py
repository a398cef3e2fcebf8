"""The tasks the playground knows: the one list every layer reads.

A classification task may need one model per language (sentiment: Korean and English); which
model each uses is set in ``models/sources/task_models.toml``.
"""

from __future__ import annotations

from typing import Literal

from models.core.i18n import Text

Task = Literal["sentiment", "nli", "intent", "ranking", "similarity"]
CLASSIFICATION_TASKS: tuple[str, ...] = ("sentiment", "nli", "intent")
# Fine-tuning also takes "custom": an uploaded file whose labels are the user's own.
TRAINABLE_TASKS: tuple[str, ...] = (*CLASSIFICATION_TASKS, "custom")
NLI_LABELS: tuple[str, ...] = ("entailment", "neutral", "contradiction")
LANGUAGES: tuple[str, ...] = ("ko", "en")

# The tasks and languages as a reader sees them (a ``Text``: English and Korean).
TASK_NAMES = {
    "sentiment": Text("sentiment", "감성"),
    "nli": Text("NLI", "자연어 추론(NLI)"),
    "intent": Text("intent", "의도"),
    "ranking": Text("answer ranking", "답변 검색"),
    "similarity": Text("similarity", "유사도"),
    "custom": Text("custom labels", "사용자 레이블"),
}
LANGUAGE_NAMES = {"ko": Text("Korean", "한국어"), "en": Text("English", "영어")}
