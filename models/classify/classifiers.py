"""The classifier interface, and the classifiers built on transformers and sentence embeddings.

Every classifier turns texts (and, for NLI, second texts) into label probabilities in batches
sorted by length, so a batch pads to rows of similar length instead of the longest row overall.
Only loaded models are shared between users; a classifier object holds nothing per user. This
app's own formats (n-grams, the embedding probe, ensembles) implement the same interface in
their own modules.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from models.classify.label_descriptions import describe_labels
from models.core.errors import ModelUnavailable
from models.core.i18n import Text
from models.core.maths import softmax
from models.core.tasks import NLI_LABELS
from models.core.text import detect_language
from models.sources import embeddings
from models.sources.loading import LoadedClassifier, LoadedEmbedder

BATCH_SIZE = 32
# e5 cosine similarities sit close together; dividing by this spreads them into probabilities.
TEMPERATURE = 0.02
# Zero-shot NLI by embeddings: a typical e5 similarity of a premise and a related hypothesis.
NLI_SIMILARITY_CENTRE = 0.85
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


def length_order(lengths: list[int]) -> list[int]:
    """Row indices, shortest first: neighbours in this order pad little when batched."""
    return sorted(range(len(lengths)), key=lengths.__getitem__)


class FinetunedClassifier:
    """A sequence-classification checkpoint (this app's runs, a folder or a Hub id)."""

    mode = "fine-tuned"

    def __init__(self, loaded: LoadedClassifier) -> None:
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
        order = length_order([len(r["input_ids"]) for r in rows])
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

    def __init__(self, embedder: LoadedEmbedder, task: str, labels: list[str]) -> None:
        self.embedder = embedder
        self.task = task
        self.labels = list(labels)
        self.ref = embedder.resolved.ref
        self.description = embedder.resolved.describe()
        self.max_length = embeddings.max_length(embedder)
        self.query, self.passage = embeddings.prompts_for(embedder)
        self._label_vectors: dict[str, np.ndarray] = {}

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        return embeddings.encode(self.embedder, texts, prompt, batch_size=BATCH_SIZE)

    def _labels_for(self, language: str) -> np.ndarray:
        if language not in self._label_vectors:
            descriptions = describe_labels(self.task, self.labels, language)
            self._label_vectors[language] = self._encode(descriptions, self.passage)
        return self._label_vectors[language]

    def predict_proba(
        self, texts: list[str], pairs: list[str] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        truncated = [n > self.max_length for n in embeddings.token_counts(self.embedder, texts)]
        vectors = self._encode(texts, self.query)
        if self.task == "nli":
            assert pairs is not None
            similarity = (vectors * self._encode(pairs, self.query)).sum(axis=1)
            # Centred on a typical pair similarity; entailment up, contradiction down.
            centred = (similarity - NLI_SIMILARITY_CENTRE) / TEMPERATURE
            logits = np.stack([centred, np.zeros_like(centred), -centred], axis=1)
            index = {label: i for i, label in enumerate(NLI_LABELS)}
            logits = logits[:, [index[label] for label in self.labels]]
            return softmax(logits), truncated
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        languages = [detect_language(t) for t in texts]
        for language in set(languages):
            rows = [i for i, lang in enumerate(languages) if lang == language]
            sims = vectors[rows] @ self._labels_for(language).T
            probs[rows] = softmax(sims / TEMPERATURE)
        return probs, truncated


class NliZeroShot:
    """Zero-shot with an NLI model: does the text entail "This text is about <label>."?"""

    mode = "zero-shot (NLI entailment)"

    def __init__(self, nli: LoadedClassifier, labels: list[str]) -> None:
        lowered = [label.lower() for label in nli.labels]
        matches = [i for i, label in enumerate(lowered) if label.startswith("entail")]
        if not matches:
            raise ModelUnavailable(
                Text(
                    "{ref} is not an NLI model (its labels are {labels}; zero-shot by entailment "
                    "needs an 'entailment' label).",
                    "{ref}은(는) 자연어 추론 모델이 아닙니다(레이블: {labels}). 함의 기반 "
                    "제로샷에는 'entailment' 레이블이 필요합니다.",
                    ref=nli.resolved.ref,
                    labels=", ".join(nli.labels),
                )
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
        return softmax(scores), cut
