"""Classification: fine-tuned models, zero-shot by embeddings, zero-shot by NLI; one interface.

Every classifier turns texts (and, for NLI, second texts) into label probabilities in batches
sorted by length, so a batch pads to rows of similar length instead of the longest row overall.
Only loaded models are shared between users; a classifier object holds nothing per user.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from models import catalog, loading
from models.errors import ModelUnavailable, PlaygroundError
from models.zero_shot import describe_labels, detect_language

TASKS = ("sentiment", "nli", "intent")
NLI_LABELS = ("entailment", "neutral", "contradiction")
ZERO_SHOT = "zero-shot"  # model choice: embedding similarity with the task's default embedder
NLI_PREFIX = "zero-shot-nli:"  # model choice: entailment with the NLI model named after the colon
# e5 cosine similarities sit close together; dividing by this spreads them into probabilities.
TEMPERATURE = 0.02
BATCH_SIZE = 32
TEMPLATES = {"en": "This text is about {}.", "ko": "이 글은 {}에 관한 것이다."}


class Classifier(Protocol):
    labels: list[str]
    ref: str
    mode: str
    description: str
    max_length: int

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        """Probabilities (rows x labels) and, per row, whether the input was cut to max_length."""
        ...


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _length_order(lengths: list[int]) -> list[int]:
    return sorted(range(len(lengths)), key=lengths.__getitem__)


class FinetunedClassifier:
    """A sequence-classification checkpoint (this app's runs, a folder or a Hub id)."""

    mode = "fine-tuned"

    def __init__(self, loaded: loading.LoadedClassifier) -> None:
        self.loaded = loaded
        self.labels = list(loaded.labels)
        self.ref = loaded.resolved.ref
        self.description = loaded.resolved.describe()
        self.max_length = loaded.max_length

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None, batch_size: int = BATCH_SIZE
    ) -> tuple[np.ndarray, list[bool]]:
        import torch

        tokenizer, model = self.loaded.tokenizer, self.loaded.model
        encoded = tokenizer(texts, pairs, truncation=False)
        truncated = [len(ids) > self.max_length for ids in encoded["input_ids"]]
        if any(truncated):
            encoded = tokenizer(texts, pairs, truncation=True, max_length=self.max_length)
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
        rows = [{k: encoded[k][i] for k in keys} for i in range(len(texts))]
        order = _length_order([len(r["input_ids"]) for r in rows])
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        device = next(model.parameters()).device
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                batch = tokenizer.pad([rows[i] for i in chunk], return_tensors="pt")
                logits = model(**{k: v.to(device) for k, v in batch.items()}).logits
                probs[chunk] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return probs, truncated


class EmbeddingZeroShot:
    """Scores each text against label descriptions by embedding similarity (no training).

    For NLI, where labels are relations between two texts, it uses the similarity of premise and
    hypothesis: very similar pairs lean to entailment, dissimilar ones to contradiction. That is a
    weak heuristic, and the tab says so.
    """

    mode = "zero-shot (embeddings)"

    def __init__(self, embedder: loading.LoadedEmbedder, task: str, labels: list[str]) -> None:
        self.embedder = embedder
        self.task = task
        self.labels = list(labels)
        self.ref = embedder.resolved.ref
        self.description = embedder.resolved.describe()
        self.max_length = int(getattr(embedder.model, "max_seq_length", 512) or 512)
        prompts = getattr(embedder.model, "prompts", {}) or {}
        is_e5 = "e5" in embedder.resolved.path.lower() or "e5" in self.ref.lower()
        self.query = prompts.get("query") or ("query: " if is_e5 else "")
        self.passage = prompts.get("passage") or ("passage: " if is_e5 else "")
        self._label_vectors: dict[str, np.ndarray] = {}

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        return self.embedder.model.encode(
            texts, prompt=prompt, normalize_embeddings=True, batch_size=BATCH_SIZE,
            convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip

    def _labels_for(self, language: str) -> np.ndarray:
        if language not in self._label_vectors:
            descriptions = describe_labels(self.task, self.labels, language)
            self._label_vectors[language] = self._encode(descriptions, self.passage)
        return self._label_vectors[language]

    def _truncated(self, texts: list[str]) -> list[bool]:
        tokenizer = self.embedder.model.tokenizer
        lengths = [len(ids) for ids in tokenizer(texts, truncation=False)["input_ids"]]
        return [n > self.max_length for n in lengths]

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        truncated = self._truncated(texts)
        vectors = self._encode(texts, self.query)
        if self.task == "nli":
            assert pairs is not None
            similarity = (vectors * self._encode(pairs, self.query)).sum(axis=1)
            # Centre near a typical e5 pair similarity; entailment up, contradiction down.
            centred = (similarity - 0.85) / TEMPERATURE
            logits = np.stack([centred, np.zeros_like(centred), -centred], axis=1)
            index = {label: i for i, label in enumerate(NLI_LABELS)}
            logits = logits[:, [index[label] for label in self.labels]]
            return _softmax(logits), truncated
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        languages = [detect_language(t) for t in texts]
        for language in set(languages):
            rows = [i for i, lang in enumerate(languages) if lang == language]
            sims = vectors[rows] @ self._labels_for(language).T
            probs[rows] = _softmax(sims / TEMPERATURE)
        return probs, truncated


class NliZeroShot:
    """Zero-shot with an NLI model: does the text entail "This text is about <label>."?"""

    mode = "zero-shot (NLI entailment)"

    def __init__(self, nli: loading.LoadedClassifier, labels: list[str]) -> None:
        lowered = [label.lower() for label in nli.labels]
        matches = [i for i, label in enumerate(lowered) if label.startswith("entail")]
        if not matches:
            raise ModelUnavailable(
                f"{nli.resolved.ref} is not an NLI model (its labels are {', '.join(nli.labels)}; "
                "zero-shot by entailment needs an 'entailment' label)."
            )
        self.entailment = matches[0]
        self.inner = FinetunedClassifier(nli)
        self.labels = list(labels)
        self.ref = nli.resolved.ref
        self.description = nli.resolved.describe()
        self.max_length = nli.max_length

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        premises, hypotheses = [], []
        for text in texts:
            template = TEMPLATES[detect_language(text)]
            for label in self.labels:
                premises.append(text)
                hypotheses.append(template.format(label))
        probs, truncated = self.inner.predict_proba(premises, hypotheses)
        scores = np.log(probs[:, self.entailment] + 1e-9).reshape(len(texts), len(self.labels))
        width = len(self.labels)
        cut = [any(truncated[i * width : (i + 1) * width]) for i in range(len(texts))]
        return _softmax(scores), cut


class ProbeClassifier:
    """This app's "sentence embeddings + logistic regression" runs."""

    mode = "embeddings + logistic regression"

    def __init__(self, embedder: loading.LoadedEmbedder, probe: Any, resolved: Any) -> None:
        self.embedder = embedder
        self.probe = probe
        self.labels = list(probe.labels)
        self.ref = resolved.ref
        self.description = resolved.describe()
        self.max_length = int(getattr(embedder.model, "max_seq_length", 512) or 512)

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        from models.probe import embed_features

        tokenizer = self.embedder.model.tokenizer
        lengths = [len(ids) for ids in tokenizer(texts, pairs, truncation=False)["input_ids"]]
        features = embed_features(self.embedder, texts, pairs if self.probe.pair else None)
        return self.probe.predict_proba(features), [n > self.max_length for n in lengths]


def _load_probe(resolved: Any) -> ProbeClassifier:
    from models.probe import ProbeModel

    embedder = loading.load_embedder(resolved.base.ref)
    probe = loading.load_once(
        ("probe", resolved.path), lambda: ProbeModel.load(resolved.path, resolved.meta)
    )
    return ProbeClassifier(embedder, probe, resolved)


class NgramClassifier:
    """This app's "character n-grams + logistic regression" runs (no neural network)."""

    mode = "character n-grams + logistic regression"
    max_length = 1_000_000  # reads the whole text: nothing is ever cut

    def __init__(self, model: Any, resolved: Any) -> None:
        self.model = model
        self.labels = list(model.labels)
        self.ref = resolved.ref
        self.description = resolved.describe()

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        return self.model.predict_proba(texts, pairs), [False] * len(texts)


class EnsembleClassifier:
    """Several classifiers whose probabilities are averaged (see ``models.ensemble``)."""

    def __init__(self, members: list[Classifier], weights: list[float], resolved: Any) -> None:
        self.members = members
        self.weights = weights
        self.labels = list(resolved.labels)
        self.ref = resolved.ref
        self.mode = "ensemble of " + " + ".join(m.mode for m in members)
        described = "; ".join(m.description for m in members)
        if len(set(weights)) > 1:
            shares = ", ".join(f"{w / sum(weights):.0%}" for w in weights)
            described += f". Weights, in that order: {shares}"
            rows = (resolved.meta.get("weighting") or {}).get("rows")
            described += f" (chosen on {rows:,} validation rows)" if rows else ""
        self.description = f"{resolved.describe()}. Members: {described}"
        self.max_length = min(m.max_length for m in members)

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        from models.ensemble import average

        outputs = [m.predict_proba(texts, pairs) for m in self.members]
        probs = average(
            [p for p, _ in outputs], [m.labels for m in self.members], self.labels, self.weights
        )
        truncated = [any(cut) for cut in zip(*(c for _, c in outputs), strict=True)]
        return probs, truncated


def _load_fitted(task: str, resolved: Any) -> Classifier:
    """This app's formats that are not a transformers checkpoint: probe, n-grams, ensembles."""
    if resolved.format == "probe":
        return _load_probe(resolved)
    if resolved.format == "ngram":
        from models.ngram import NgramModel

        model = loading.load_once(
            ("ngram", resolved.path), lambda: NgramModel.load(resolved.path, resolved.meta)
        )
        return NgramClassifier(model, resolved)
    from models.ensemble import member_paths

    members = [get_classifier(task, path) for path in member_paths(resolved.path, resolved.meta)]
    weights = [float(w) for w in resolved.meta.get("weights", [1.0] * len(members))]
    return EnsembleClassifier(members, weights, resolved)


def task_key(task: str, language: str) -> str:
    """The defaults.toml key: sentiment is per language, the others are not."""
    if task not in TASKS:
        raise PlaygroundError(f"Unknown task '{task}'. Choose one of: {', '.join(TASKS)}.")
    return f"sentiment-{language}" if task == "sentiment" else task


def default_labels(task: str, language: str) -> list[str]:
    """Labels for zero-shot when the user typed none: the task's default dataset's labels."""
    from models.datasets.registry import get_spec, load_dataset

    if task == "nli":
        return list(NLI_LABELS)
    dataset = catalog.task_defaults()[task_key(task, language)].dataset
    spec = get_spec(dataset)
    return list(spec.labels) if spec.labels else load_dataset(dataset, "train").labels


def resolve_choice(task: str, language: str, model: str) -> str:
    """``auto`` becomes the task's current default (trained, Hub or zero-shot)."""
    if model and model != "auto":
        return model
    choice = catalog.choose_model(task_key(task, language))
    return ZERO_SHOT if choice.mode in ("zero-shot", "unavailable") else choice.ref


def get_classifier(
    task: str, model: str = "auto", labels: list[str] | None = None, language: str = "en"
) -> Classifier:
    """The classifier for a task and model choice (loaded once, shared).

    Args:
        task: ``sentiment``, ``nli`` or ``intent``.
        model: ``auto``, ``zero-shot``, ``zero-shot-nli:<NLI model>``, or a model reference.
        labels: labels for zero-shot (default: the task's default dataset's labels).
        language: picks the sentiment default (``ko`` / ``en``).
    """
    choice = resolve_choice(task, language, model)
    if choice == ZERO_SHOT or choice.startswith(NLI_PREFIX):
        # NLI's labels are fixed; a repeated label would split one class's score in two.
        typed = list(dict.fromkeys(labels or [])) if task != "nli" else []
        wanted = typed or default_labels(task, language)
        if len(wanted) < 2:
            raise PlaygroundError(
                "Zero-shot needs at least two different labels, separated by commas."
            )
        if choice == ZERO_SHOT:
            embedder_ref = catalog.task_defaults()[task_key(task, language)].zero_shot
            embedder = loading.load_embedder(embedder_ref)
            return loading.load_once(
                ("zero-shot", task, embedder.resolved.path, *wanted),
                lambda: EmbeddingZeroShot(embedder, task, wanted),
            )
        if task == "nli":
            raise PlaygroundError("NLI itself cannot be zero-shot by entailment; choose a model.")
        nli = loading.load_classifier(choice.removeprefix(NLI_PREFIX))
        return NliZeroShot(nli, wanted)
    from models.resolver import resolve

    def build() -> Classifier:
        resolved = resolve(choice, want="classifier")
        if resolved.format in ("probe", "ngram", "ensemble"):
            return _load_fitted(task, resolved)
        return FinetunedClassifier(loading.load_classifier(choice))

    # Resolving reads several files, a cost every single-text call would pay; a folder's contents
    # do not change under the same modification time (runs always write new folders).
    return loading.load_once(("classifier", "choice", choice, _folder_stamp(choice)), build)


Progress = Callable[[int, int], None]  # (rows done, rows in all)
PROGRESS_CHUNK = 1000


def predict_with_progress(
    classifier: Classifier,
    texts: list[str],
    pairs: list[str] | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, list[bool]]:
    """``classifier.predict_proba`` in chunks of rows, reporting after each one.

    Many rows take minutes on a CPU; chunks let a UI show how far it got. Rows are chunked the
    same way with or without ``progress``, so the tab, the API and the command batch the same
    rows together and agree to the digit. Each chunk is still sorted by length inside the
    classifier, so padding stays small.
    """
    probs, truncated = [], []
    for start in range(0, max(len(texts), 1), PROGRESS_CHUNK):
        end = start + PROGRESS_CHUNK
        chunk_probs, chunk_cut = classifier.predict_proba(
            texts[start:end], None if pairs is None else pairs[start:end]
        )
        probs.append(chunk_probs)
        truncated.extend(chunk_cut)
        if progress is not None:
            progress(min(end, len(texts)), len(texts))
    return np.concatenate(probs), truncated


def _folder_stamp(ref: str) -> str:
    try:
        return str(os.stat(ref).st_mtime_ns)
    except OSError:
        return ""  # a Hub id or packaged:<name>


@dataclass
class Prediction:
    """One classified input, ready to show."""

    label: str
    scores: dict[str, float]
    model: str
    mode: str
    source: str
    truncated: bool = False
    notice: str = ""
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)


def check_input(task: str, text: str, text_pair: str | None) -> None:
    """Reject empty or incomplete input with a message a user can act on."""
    if not (text or "").strip():
        raise PlaygroundError(
            "Type a premise first." if task == "nli" else "Type a sentence to classify."
        )
    if task == "nli" and not (text_pair or "").strip():
        raise PlaygroundError("NLI compares two sentences: type a hypothesis too.")


def classify(
    task: str,
    text: str,
    text_pair: str | None = None,
    model: str = "auto",
    labels: list[str] | None = None,
) -> Prediction:
    """Classify one input.

    Raises:
        PlaygroundError: empty text, NLI without a hypothesis, too few zero-shot labels, or a
            model that cannot be loaded (with the reason).
    """
    check_input(task, text, text_pair)
    language = detect_language(text)
    classifier = get_classifier(task, model, labels, language)
    pairs = [text_pair.strip()] if task == "nli" and text_pair else None
    probs, truncated = classifier.predict_proba([text.strip()], pairs)
    pairs_scored = zip(classifier.labels, map(float, probs[0]), strict=True)
    scores = dict(sorted(pairs_scored, key=lambda kv: -kv[1]))
    notice = ""
    if truncated[0]:
        notice = (
            f"The input is longer than the {classifier.max_length} tokens this model reads; "
            "only the beginning was classified."
        )
    return Prediction(
        label=next(iter(scores)),
        scores=scores,
        model=classifier.ref,
        mode=classifier.mode,
        source=classifier.description,
        truncated=truncated[0],
        notice=notice,
        language=language,
    )
