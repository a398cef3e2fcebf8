"""Seeded, stratified row samples: the same seed gives the same rows, every class kept."""

from __future__ import annotations

import pandas as pd


def split_rows(frame: pd.DataFrame, size: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``size`` rows and the rest, stratified by label when every class can be represented."""
    if size >= len(frame):
        return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True), frame.iloc[:0]
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    # Stratifying needs every class twice, and room for each class on both sides of the cut.
    room = min(size, len(frame) - size) >= len(counts)
    stratify = frame["label"] if counts.min() >= 2 and room else None
    picked, rest = train_test_split(frame, train_size=size, random_state=seed, stratify=stratify)
    return picked.reset_index(drop=True), rest.reset_index(drop=True)


def sample_rows(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """``size`` rows, stratified by label when every class can be represented."""
    return split_rows(frame, size, seed)[0]
