"""The tasks the playground knows: the one list every layer reads.

A classification task may need one model per language (sentiment: Korean and English); which
model each uses is set in ``models/sources/task_models.toml``.
"""

from __future__ import annotations

from typing import Literal

Task = Literal["sentiment", "nli", "intent", "ranking", "similarity"]
CLASSIFICATION_TASKS: tuple[str, ...] = ("sentiment", "nli", "intent")
# Fine-tuning also takes "custom": an uploaded file whose labels are the user's own.
TRAINABLE_TASKS: tuple[str, ...] = (*CLASSIFICATION_TASKS, "custom")
NLI_LABELS: tuple[str, ...] = ("entailment", "neutral", "contradiction")
LANGUAGES: tuple[str, ...] = ("ko", "en")
