"""Ensembles: several of this app's classifiers whose label probabilities are averaged.

A run chooses the members' weights on validation rows its evaluation never sees
(``choose_weights``); a hand-made ensemble weighs its members equally.

An ensemble is a folder with only a ``playground.json``: its labels, and its members as paths
relative to that folder (so a runs folder can be moved or copied whole). Members load through
the resolver like any other model; their probabilities are matched by label name, not position.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.classify.classifiers import Classifier
from models.core.errors import ModelUnavailable
from models.core.i18n import Text
from models.sources.formats import write_meta
from models.sources.resolver import ResolvedModel


def write_ensemble(
    folder: Path,
    members: list[str | Path],
    labels: list[str],
    weights: list[float] | None = None,
    **meta: object,
) -> Path:
    """Create an ensemble folder over existing model folders; returns the folder."""
    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    weights = list(weights) if weights else [1.0] * len(members)
    if len(weights) != len(members) or not all(w > 0 for w in weights):
        raise ValueError("one positive weight per member")
    folder.mkdir(parents=True, exist_ok=True)
    relative = [os.path.relpath(Path(m).resolve(), folder.resolve()) for m in members]
    record = {
        **meta, "format": "ensemble", "labels": list(labels), "members": relative,
        "weights": weights,
    }  # fmt: skip
    write_meta(folder, record)  # and, last, the manifest (members are checked as they load)
    return folder


def member_paths(folder: str | Path, meta: dict) -> list[str]:
    """The members' folders, absolute; a missing one is a clear error."""
    paths = []
    for member in meta.get("members", []):
        path = (Path(folder) / member).resolve()
        if not path.is_dir():
            raise ModelUnavailable(
                Text(
                    "The ensemble in {folder} lists {member}, which is no longer there (looked in "
                    "{path}). Train it again, or delete the ensemble.",
                    "{folder}의 앙상블에 있는 {member}이(가) 더 이상 없습니다({path}에서 찾음). "
                    "다시 학습하거나 앙상블을 지우세요.",
                    folder=str(folder),
                    member=member,
                    path=str(path),
                )
            )
        paths.append(str(path))
    if len(paths) < 2:
        raise ModelUnavailable(
            Text(
                "The ensemble in {folder} has fewer than two members.",
                "{folder}의 앙상블에 구성 모델이 두 개보다 적습니다.",
                folder=str(folder),
            )
        )
    return paths


def average(
    member_probs: list[np.ndarray],
    member_labels: list[list[str]],
    labels: list[str],
    weights: list[float],
) -> np.ndarray:
    """The weighted mean of the members' probabilities, columns in ``labels`` order."""
    total = np.zeros((member_probs[0].shape[0], len(labels)), dtype=np.float64)
    for probs, own, weight in zip(member_probs, member_labels, weights, strict=True):
        missing = [label for label in labels if label not in own]
        if missing:
            raise ModelUnavailable(
                Text(
                    "An ensemble member has no label {missing} (its labels: {own}); members must "
                    "share the ensemble's labels.",
                    "앙상블 구성 모델 하나에 {missing} 레이블이 없습니다(그 모델의 레이블: {own}). "
                    "구성 모델은 앙상블과 같은 레이블을 써야 합니다.",
                    missing=", ".join(missing),
                    own=", ".join(own),
                )
            )
        total += weight * probs[:, [own.index(label) for label in labels]]
    return (total / sum(weights)).astype(np.float32)


WEIGHT_STEP = 0.1  # weights are tenths: finer steps only fit the noise of ~1,000 rows
# Equal weights stay unless a mix classifies the weighting rows better by more than this: on
# NSMC, 1,000 of 1,988 validation rows chose the weights and the rest judged them (300 draws);
# three pairs of equal strength stayed within 0.13 points of equal weights, and a strong and a
# weak member (0.840 and 0.789) gained 2.1 points.
WEIGHT_MARGIN = 0.005


@dataclass(frozen=True)
class Weighting:
    """The weights chosen for an ensemble's members and the accuracy that chose them."""

    weights: list[float]
    rows: int
    equal_accuracy: float
    chosen_accuracy: float

    @property
    def equal(self) -> bool:
        return len(set(self.weights)) == 1


def _weight_grid(members: int) -> np.ndarray:
    """Every way to split 1 into ``members`` positive multiples of ``WEIGHT_STEP``."""
    parts = round(1 / WEIGHT_STEP)
    grid = [
        np.diff((0, *cuts, parts)) * WEIGHT_STEP
        for cuts in itertools.combinations(range(1, parts), members - 1)
    ]
    return np.array(grid, dtype=np.float64).reshape(-1, members)


def choose_weights(member_probs: list[np.ndarray], truth: np.ndarray) -> Weighting:
    """The members' weights that classify ``truth`` best, or equal weights unless that wins.

    ``member_probs`` are (rows, labels) arrays with the same label columns; ``truth`` holds the
    label index of each row. Ties go to the mix closest to equal weights.
    """
    count = len(member_probs)
    equal = np.full(count, 1.0 / count)
    stacked = np.stack([np.asarray(p, dtype=np.float64) for p in member_probs])
    truth = np.asarray(truth)

    def accuracy(weights: np.ndarray) -> np.ndarray:
        # One mix at a time: rows x labels x mixes would not fit for 150 intents.
        return np.array([(np.tensordot(w, stacked, 1).argmax(-1) == truth).mean() for w in weights])

    equal_accuracy = float(accuracy(equal[None, :])[0]) if len(truth) else 0.0
    grid = _weight_grid(count)
    if not len(truth) or not len(grid):
        return Weighting([1.0] * count, len(truth), equal_accuracy, equal_accuracy)
    scores = accuracy(grid)
    best = np.flatnonzero(scores == scores.max())
    pick = best[np.argmin(np.abs(grid[best] - equal).sum(-1))]
    if scores[pick] - equal_accuracy <= WEIGHT_MARGIN + 1e-9:  # a gain of exactly the margin
        return Weighting([1.0] * count, len(truth), equal_accuracy, equal_accuracy)
    weights = [round(float(w), 2) for w in grid[pick]]
    return Weighting(weights, len(truth), equal_accuracy, float(scores[pick]))


class EnsembleClassifier:
    """Several classifiers whose probabilities are averaged (weights from the folder)."""

    def __init__(
        self, members: list[Classifier], weights: list[float], resolved: ResolvedModel
    ) -> None:
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
        outputs = [m.predict_proba(texts, pairs) for m in self.members]
        probs = average(
            [p for p, _ in outputs], [m.labels for m in self.members], self.labels, self.weights
        )
        truncated = [any(cut) for cut in zip(*(c for _, c in outputs), strict=True)]
        return probs, truncated


def load_ensemble_classifier(
    task: str, resolved: ResolvedModel, load_member: Callable[[str, str], Classifier]
) -> EnsembleClassifier:
    """An ensemble folder's members, each loaded by ``load_member(task, folder)``."""
    members = [load_member(task, path) for path in member_paths(resolved.path, resolved.meta)]
    weights = [float(w) for w in resolved.meta.get("weights", [1.0] * len(members))]
    return EnsembleClassifier(members, weights, resolved)
