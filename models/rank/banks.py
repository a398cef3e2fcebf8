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
from models.core.i18n import Text, join
from models.core.settings import get_settings
from models.core.text import detect_language
from models.datasets.registry import load_dataset
from models.datasets.upload import read_table

CHATTERBOT = "chatterbot-corpus==1.3.3"
CHATTERBOT_LANGUAGES = ("korean", "english")
MAX_COLUMN = inputs.MAX_NAME_CHARS  # characters of a column name
# Each bank by what it is, in both languages (the bank list and every message name them so).
TITLES = {
    "chatbot_data": Text(
        "Chatbot_data (Korean chit-chat)", "songys/Chatbot_data (한국어 일상 대화)"
    ),
    "chatterbot": Text(
        "ChatterBot corpus (Korean + English dialogues)", "ChatterBot 말뭉치 (한국어 + 영어 대화)"
    ),
    "upload": Text("The uploaded bank", "올린 파일의 질문·답변"),
}
ROLES = {"question": Text("question", "질문"), "answer": Text("answer", "답변")}


@dataclass(frozen=True)
class QABank:
    """Stored questions and the answer of each, cleaned; ``note`` says what cleaning did."""

    name: str
    title: str  # a Text where the bank is ours
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

    def describe(self) -> Text:
        """One line for the UI: what the bank is, how big, where it came from, what was dropped."""
        text = Text(
            "{title}: {q:,} questions, {a:,} answers; {source}.",
            "{title}: 질문 {q:,}개, 답변 {a:,}개. 출처: {source}.",
            title=self.title, q=len(self), a=len(set(self.answers)), source=self.source,
        )  # fmt: skip
        return join([text, self.note], " ") if self.note else text


def clean_pairs(questions: list[str], answers: list[str]) -> tuple[list[str], list[str], Text]:
    """Stripped pairs without empty cells or repeats, and a note on what was dropped."""
    frame = pd.DataFrame({"q": questions, "a": answers}).astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    empty = (frame["q"] == "") | (frame["a"] == "") | frame.isin(["nan", "None"]).any(axis=1)
    kept = frame[~empty]
    unique = kept.drop_duplicates()
    notes = []
    if empty.sum():
        notes.append(
            Text(
                "{n:,} rows with an empty question or answer were left out",
                "질문이나 답변이 빈 {n:,}개 행은 뺐습니다",
                n=int(empty.sum()),
            )
        )
    if len(unique) < len(kept):
        notes.append(
            Text(
                "{n:,} repeated rows were kept once",
                "반복된 {n:,}개 행은 한 번만 남겼습니다",
                n=len(kept) - len(unique),
            )
        )
    note = join([join(notes, "; "), "."]) if notes else Text("", "")
    return unique["q"].tolist(), unique["a"].tolist(), note


def _chatbot_data() -> QABank:
    loaded = load_dataset("chatbot_data", "all")
    questions, answers, note = clean_pairs(
        loaded.frame["text"].tolist(), loaded.frame["answer"].tolist()
    )
    source = (
        Text("the data home", "데이터 폴더") if loaded.source == "data home" else loaded.describe()
    )
    note = join([x for x in (note, loaded.note) if x], " ")
    return QABank("chatbot_data", TITLES["chatbot_data"], questions, answers, source, note)


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
        raise DatasetError(
            Text(
                "The chatterbot bank needs its package: pip install {p}",
                "chatterbot 모음에는 패키지가 필요합니다: pip install {p}",
                p=CHATTERBOT,
            )
        )
    pairs = [pair for language in CHATTERBOT_LANGUAGES for pair in chatterbot_pairs(language)]
    questions, answers, note = clean_pairs([q for q, _ in pairs], [a for _, a in pairs])
    source = Text("the PyPI package {p} (BSD-3)", "PyPI 패키지 {p} (BSD-3)", p=CHATTERBOT)
    return QABank("chatterbot", TITLES["chatterbot"], questions, answers, source, note)


BANKS: dict[str, Callable[[], QABank]] = {"chatbot_data": _chatbot_data, "chatterbot": _chatterbot}
DEFAULT_BANK = "chatbot_data"


@functools.cache
def _registered(name: str) -> QABank:
    return BANKS[name]()


def load_bank(name: str) -> QABank:
    """A registered bank by name (read once per process)."""
    if not isinstance(name, str) or name not in BANKS:
        raise DatasetError(Text(
            "Unknown Q/A bank {name}. Choose one of: {known}.",
            "알 수 없는 질문·답변 모음 {name}입니다. 다음 중에서 고르세요: {known}.",
            name=inputs.quoted(name), known=", ".join(BANKS),
        ))  # fmt: skip
    return _registered(name)


def bank_from_upload(path: str, question: str, answer: str, name: str = "upload") -> QABank:
    """A bank from an uploaded CSV / TSV / JSONL and its question / answer columns.

    Raises:
        DatasetError: unreadable file, too many rows, a missing column, or no usable row.
    """
    for role, column in (("question", question), ("answer", answer)):
        field = Text("The {role} column", "{role} 열", role=ROLES[role])
        if not inputs.text(column, field, allow_empty=True, max_chars=MAX_COLUMN):
            raise DatasetError(Text("Choose which column holds the {role}s.",
                                    "{role}이 든 열을 고르세요.", role=ROLES[role]))  # fmt: skip
    table = read_table(path, get_settings().max_upload_rows)
    for role, column in (("question", question), ("answer", answer)):
        if column not in table.columns:
            raise DatasetError(Text(
                "There is no column {column} for the {role}s. Columns: {columns}.",
                "{role}으로 쓸 열 {column}이 없습니다. 열: {columns}.",
                column=inputs.quoted(column), role=ROLES[role],
                columns=inputs.clip(", ".join(map(str, table.columns)), 300),
            ))  # fmt: skip
    if question == answer:
        raise DatasetError(Text("The question and answer columns must differ.",
                                "질문 열과 답변 열은 서로 달라야 합니다."))  # fmt: skip
    questions, answers, note = clean_pairs(table[question].tolist(), table[answer].tolist())
    if not questions:
        raise DatasetError(Text("No row has both a question and an answer.",
                                "질문과 답변이 모두 있는 행이 없습니다."))  # fmt: skip
    source = Text("an uploaded file", "올린 파일")
    return QABank(name, TITLES["upload"], questions, answers, source, note)
