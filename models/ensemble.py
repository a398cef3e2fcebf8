"""Ensembles: several of this app's classifiers whose label probabilities are averaged.

An ensemble is a folder with only a ``playground.json``: its labels, and its members as paths
relative to that folder (so a runs folder can be moved or copied whole). Members load through
the resolver like any other model; their probabilities are matched by label name, not position.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from models.errors import ModelUnavailable
from models.resolver import PLAYGROUND_META


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
    text = json.dumps(record, indent=2, ensure_ascii=False)
    (folder / PLAYGROUND_META).write_text(text, encoding="utf-8")
    return folder


def member_paths(folder: str | Path, meta: dict) -> list[str]:
    """The members' folders, absolute; a missing one is a clear error."""
    paths = []
    for member in meta.get("members", []):
        path = (Path(folder) / member).resolve()
        if not path.is_dir():
            raise ModelUnavailable(
                f"The ensemble in {folder} lists {member}, which is no longer there "
                f"(looked in {path}). Train it again, or delete the ensemble."
            )
        paths.append(str(path))
    if len(paths) < 2:
        raise ModelUnavailable(f"The ensemble in {folder} has fewer than two members.")
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
                f"An ensemble member has no label {', '.join(missing)} (its labels: "
                f"{', '.join(own)}); members must share the ensemble's labels."
            )
        total += weight * probs[:, [own.index(label) for label in labels]]
    return (total / sum(weights)).astype(np.float32)
