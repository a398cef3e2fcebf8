"""Q/A banks: the stored questions and their answers that the chatbot ranks.

- ``chatbot_data``: Korean chit-chat (Chatbot_data, 11,823 pairs) from the data home, downloaded
  from upstream when missing, or the small built-in sample offline (the bank says which);
- ``chatterbot``: the Korean and English dialogues of the PyPI package ``chatterbot-corpus``
  (BSD-3), which needs no data home;
- an upload: CSV / TSV / JSONL with a question column and an answer column.

Rows with an empty question or answer, and repeated (question, answer) rows, are dropped and
counted in the bank's note. Questions that share an answer form one group: the chatbot shows
them as one candidate, and the evaluation holds one question of each group out.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.core import inputs
from models.core.errors import DatasetError
from models.core.settings import get_settings
from models.core.text import detect_language
from models.datasets.registry import load_dataset
from models.datasets.upload import read_table

CHATTERBOT = "chatterbot-corpus==1.3.3"
CHATTERBOT_LANGUAGES = ("korean", "english")
MAX_COLUMN = inputs.MAX_NAME_CHARS  # characters of a column name


@dataclass(frozen=True)
class QABank:
    """Stored questions and the answer of each, cleaned; ``note`` says what cleaning did."""

    name: str
    title: str
    questions: list[str]
    answers: list[str]
    source: str
    note: str = ""
    answer_ids: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Questions with the same answer text form a group (paraphrases of one intent).
        ids, _ = pd.factorize(pd.Series(self.answers, dtype=object))
        object.__setattr__(self, "answer_ids", np.asarray(ids))

    def __len__(self) -> int:
        return len(self.questions)

    @functools.cached_property
    def fingerprint(self) -> str:
        """A hash of the content: a cached index is reused only for the very same rows."""
        digest = hashlib.sha256()
        for question, answer in zip(self.questions, self.answers, strict=True):
            digest.update(f"{question}\t{answer}\n".encode())
        return digest.hexdigest()[:16]

    @property
    def language(self) -> str:
        sample = " ".join(self.questions[:200])
        return detect_language(sample)

    def describe(self) -> str:
        answers = len(set(self.answers))
        text = f"{self.title}: {len(self):,} questions, {answers:,} answers; {self.source}."
        return f"{text} {self.note}".strip()


def clean_pairs(questions: list[str], answers: list[str]) -> tuple[list[str], list[str], str]:
    """Stripped pairs without empty cells or repeats, and a note on what was dropped."""
    frame = pd.DataFrame({"q": questions, "a": answers}).astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    empty = (frame["q"] == "") | (frame["a"] == "") | frame.isin(["nan", "None"]).any(axis=1)
    kept = frame[~empty]
    unique = kept.drop_duplicates()
    notes = []
    if empty.sum():
        notes.append(f"{int(empty.sum()):,} rows with an empty question or answer were left out")
    if len(unique) < len(kept):
        notes.append(f"{len(kept) - len(unique):,} repeated rows were kept once")
    note = ("; ".join(notes) + ".") if notes else ""
    return unique["q"].tolist(), unique["a"].tolist(), note


def _chatbot_data() -> QABank:
    loaded = load_dataset("chatbot_data", "all")
    questions, answers, note = clean_pairs(
        loaded.frame["text"].tolist(), loaded.frame["answer"].tolist()
    )
    source = "the data home" if loaded.source == "data home" else loaded.describe()
    note = " ".join(x for x in (note, loaded.note) if x)
    return QABank(
        "chatbot_data", "Chatbot_data (Korean chit-chat)", questions, answers, source, note
    )


def chatterbot_pairs(language: str) -> list[tuple[str, str]]:
    """Consecutive turns of every dialogue of one language: (what was said, the reply)."""
    import yaml

    folder = importlib.resources.files("chatterbot_corpus") / "data" / language
    pairs = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yml"):
            continue
        for dialogue in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = [str(turn) for turn in dialogue]
            pairs.extend(itertools.pairwise(turns))
    return pairs


def _chatterbot() -> QABank:
    if importlib.util.find_spec("chatterbot_corpus") is None:
        raise DatasetError(f"The chatterbot bank needs its package: pip install {CHATTERBOT}")
    pairs = [pair for language in CHATTERBOT_LANGUAGES for pair in chatterbot_pairs(language)]
    questions, answers, note = clean_pairs([q for q, _ in pairs], [a for _, a in pairs])
    return QABank(
        "chatterbot", "ChatterBot corpus (Korean + English dialogues)", questions, answers,
        f"the PyPI package {CHATTERBOT} (BSD-3)", note,
    )  # fmt: skip


BANKS: dict[str, Callable[[], QABank]] = {"chatbot_data": _chatbot_data, "chatterbot": _chatterbot}
DEFAULT_BANK = "chatbot_data"


@functools.cache
def _registered(name: str) -> QABank:
    return BANKS[name]()


def load_bank(name: str) -> QABank:
    """A registered bank by name (read once per process)."""
    if not isinstance(name, str) or name not in BANKS:
        raise DatasetError(
            f"Unknown Q/A bank {inputs.quoted(name)}. Choose one of: {', '.join(BANKS)}."
        )
    return _registered(name)


def bank_from_upload(path: str, question: str, answer: str, name: str = "upload") -> QABank:
    """A bank from an uploaded CSV / TSV / JSONL and its question / answer columns.

    Raises:
        DatasetError: unreadable file, too many rows, a missing column, or no usable row.
    """
    for role, column in (("question", question), ("answer", answer)):
        name = inputs.text(column, f"The {role} column", allow_empty=True, max_chars=MAX_COLUMN)
        if not name:
            raise DatasetError(f"Choose which column holds the {role}s.")
    table = read_table(path, get_settings().max_upload_rows)
    for role, column in (("question", question), ("answer", answer)):
        if column not in table.columns:
            raise DatasetError(
                f"There is no column {inputs.quoted(column)} for the {role}s. Columns: "
                f"{inputs.clip(', '.join(table.columns), 300)}."
            )
    if question == answer:
        raise DatasetError("The question and answer columns must differ.")
    questions, answers, note = clean_pairs(table[question].tolist(), table[answer].tolist())
    if not questions:
        raise DatasetError("No row has both a question and an answer.")
    return QABank(name, "The uploaded bank", questions, answers, "an uploaded file", note)
