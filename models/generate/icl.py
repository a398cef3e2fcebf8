"""In-context learning against fine-tuning: accuracy of 0-, 1-, 2- and 4-shot prompts on a small
labelled sample, beside the task's fine-tuned classifier on the same rows.

The rows come from a dataset's validation split (a few dozen, chosen by seed, every class kept);
the examples in the prompt from its train split, cycling through the classes so a 2-shot prompt
for sentiment shows one of each. The model's reply is read as a label robustly (case, quotes,
punctuation, "Answer:" lines, Korean names of the labels); a reply that names no label, or
several, counts as unparseable, apart from the wrong ones.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pandas as pd

from models.classify.evaluate import evaluate_frame
from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.progress import Progress, silent
from models.core.tasks import NLI_LABELS
from models.datasets.registry import get_spec, load_dataset
from models.datasets.sampling import sample_rows
from models.generate.params import GenerationParams
from models.generate.run import generate
from models.generate.techniques import Technique
from models.sources.task_models import model_key, trained_model

SHOTS = (0, 1, 2, 4)
ICL_DATASETS = {"sentiment": ("nsmc", "vader"), "intent": ("snips",)}
MIN_ROWS, MAX_ROWS = 4, 200
# Korean (and a few English) words for the labels the datasets use.
ALIASES = {
    "positive": ("긍정", "긍정적", "pos"), "negative": ("부정", "부정적", "neg"),
    **{label: () for label in NLI_LABELS},
}  # fmt: skip


@dataclass
class ShotResult:
    shots: int
    accuracy: float
    correct: int
    unparseable: int
    n: int
    replies: list[dict] = field(default_factory=list)


@dataclass
class IclReport:
    task: str
    dataset: str
    model: str
    labels: list[str]
    results: list[ShotResult]
    reference: float | None = None  # the fine-tuned classifier's accuracy on the same rows
    reference_model: str = ""
    stopped: bool = False


def _norm(text: str) -> str:
    return re.sub(r"[^\w가-힣]+", " ", text.lower()).strip()


def parse_label(reply: str, labels: list[str]) -> str | None:
    """The one label a reply names (None: none, or several)."""
    text = reply.strip()
    answer = re.search(r"(?im)^\s*(?:answer|label|정답|답)\s*[:：]\s*(.+)$", text)
    if answer:
        text = answer.group(1)
    words = f" {_norm(text)} "
    exact = [label for label in labels if _norm(label) == words.strip()]
    if exact:
        return exact[0]
    named = set()
    for label in labels:
        names = {_norm(label), _norm(re.sub(r"(?<!^)(?=[A-Z])", " ", label))}
        names |= {_norm(a) for a in ALIASES.get(label, ())}
        if any(f" {name} " in words for name in names if name):
            named.add(label)
    return named.pop() if len(named) == 1 else None


def icl_technique(labels: list[str], examples: list[tuple[str, str]]) -> Technique:
    """A classification prompt: the labels in the system turn, examples as earlier turns."""
    return Technique(
        key="icl", title="In-context classification", user="{input}",
        system="Classify the text. Reply with exactly one label from this list, and nothing "
        "else: " + ", ".join(labels) + ".",
        examples=tuple(examples),
    )  # fmt: skip


def pick_examples(train: pd.DataFrame, labels: list[str], k: int, seed: int) -> list[tuple]:
    """``k`` train rows cycling through the labels (seeded)."""
    if k == 0:
        return []
    pools = {
        lab: train[train["label"] == lab].sample(frac=1.0, random_state=seed) for lab in labels
    }
    out, depth = [], 0
    while len(out) < k:
        for label in labels:
            pool = pools[label]
            if depth < len(pool) and len(out) < k:
                out.append((str(pool.iloc[depth]["text"])[:500], label))
        depth += 1
        if depth > len(train):
            break
    return out


def _reference(task: str, language: str, frame: pd.DataFrame, dataset: str) -> tuple:
    """The fine-tuned classifier's accuracy on the rows, when the task has one."""
    if trained_model(model_key(task, language)) is None:
        return None, ""
    report = evaluate_frame(frame, task, "auto", language, dataset, "validation")
    return report.accuracy, report.model


def icl_curve(
    task: str, dataset: str, backend: str = "local", model: str = "", rows: int = 24,
    seed: int = 0, params: GenerationParams | None = None, base_url: str = "", api_key: str = "",
    shots: tuple[int, ...] = SHOTS, progress: Progress = silent,
    stop: threading.Event | None = None, reference: bool = True,
) -> IclReport:  # fmt: skip
    """Accuracy of each shot count on the same ``rows`` validation rows.

    Raises:
        PlaygroundError: a task or dataset this comparison does not cover, a bad row count, or
            the backend's own error (the first call fails fast: nothing else is sent).
    """
    if dataset not in ICL_DATASETS.get(task, ()):
        choices = "; ".join(f"{t}: {', '.join(d)}" for t, d in ICL_DATASETS.items())
        raise PlaygroundError(
            Text("In-context learning is compared on {choices}.",
                 "프롬프트 속 학습은 다음 과제와 데이터셋에서만 비교합니다: {choices}.",
                 choices=choices)
        )  # fmt: skip
    if isinstance(rows, bool) or not isinstance(rows, int) or not MIN_ROWS <= rows <= MAX_ROWS:
        raise PlaygroundError(
            Text("Use {lo} to {hi} rows (got {got!r}).", "행 수는 {lo}~{hi}로 정하세요(받은 값: "
                 "{got!r}).", lo=MIN_ROWS, hi=MAX_ROWS, got=rows)
        )  # fmt: skip
    spec, stop = get_spec(dataset), stop or threading.Event()
    evaluation = load_dataset(dataset, "validation")
    frame = sample_rows(evaluation.frame, min(rows, len(evaluation.frame)), seed)
    train, labels = load_dataset(dataset, "train").frame, evaluation.labels
    params = params or GenerationParams(temperature=0.0, max_new_tokens=16)
    report = IclReport(task, dataset, model or backend, labels, [])
    total, done = len(shots) * len(frame), 0
    for k in shots:
        technique = icl_technique(labels, pick_examples(train, labels, k, seed))
        result = ShotResult(k, 0.0, 0, 0, 0)
        for text, truth in zip(frame["text"].astype(str), frame["label"].astype(str), strict=True):
            if stop.is_set():
                report.stopped = True
                return report
            reply = generate(text[:2000], technique, backend, model=model, params=params,
                             base_url=base_url, api_key=api_key)  # fmt: skip
            report.model = reply.model
            label = parse_label(reply.text, labels)
            result.n += 1
            result.correct += label == truth
            result.unparseable += label is None
            result.replies.append(
                {"text": text, "true": truth, "reply": reply.text, "label": label}
            )
            done += 1
            progress(done, total, Text("{k}-shot: {n} of {rows} rows", "{k}샷: {rows}행 중 {n}행",
                                       k=k, n=result.n, rows=len(frame)))  # fmt: skip
        result.accuracy = result.correct / max(result.n, 1)
        report.results.append(result)
    if reference:
        report.reference, report.reference_model = _reference(task, spec.language, frame, dataset)
    return report
