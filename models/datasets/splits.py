"""How a dataset's splits are cut from upstream's files: upstream's own, or by a hash of the text.

Where upstream has no validation set, ``validation`` is a deterministic 10% of upstream's training
file (chosen by a hash of the text, so duplicates land on the same side) and ``train`` is the
other 90%. Where upstream has no test set either, ``test`` is a deterministic 20% chosen the same
way. A grown upstream file keeps old rows where they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd


@dataclass(frozen=True)
class SplitRule:
    """How one split is made from the parsed upstream file(s)."""

    read: Callable[[Path], pd.DataFrame]
    holdout: Literal["all", "keep", "drop"] = "all"  # rows inside / outside the hashed holdout
    fraction: float = 0.0
    salt: str = ""


def _in_holdout(key: str, salt: str, fraction: float) -> bool:
    digest = hashlib.md5(f"{salt}:{key}".encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000 < fraction


def with_validation(
    name: str, train: Callable[[Path], pd.DataFrame], test: Callable[[Path], pd.DataFrame]
) -> dict[str, SplitRule]:
    """Upstream train + test; validation carved from train by hash."""
    return {
        "train": SplitRule(train, "drop", 0.1, f"{name}-validation"),
        "validation": SplitRule(train, "keep", 0.1, f"{name}-validation"),
        "test": SplitRule(test),
    }


def three_ways(name: str, read: Callable[[Path], pd.DataFrame]) -> dict[str, SplitRule]:
    """One upstream file: test = 20% by hash; validation = 10% of the rest."""
    return {
        "train": SplitRule(_without_holdout(read, name, 0.2), "drop", 0.1, f"{name}-validation"),
        "validation": SplitRule(
            _without_holdout(read, name, 0.2), "keep", 0.1, f"{name}-validation"
        ),
        "test": SplitRule(read, "keep", 0.2, f"{name}-test"),
    }


def _without_holdout(
    read: Callable[[Path], pd.DataFrame], name: str, fraction: float
) -> Callable[[Path], pd.DataFrame]:
    def reader(root: Path) -> pd.DataFrame:
        return apply(SplitRule(read, "drop", fraction, f"{name}-test"), root)

    return reader


def apply(rule: SplitRule, root: Path) -> pd.DataFrame:
    """The rows of one split: the parsed file, cut by the rule's hashed holdout."""
    frame = rule.read(root)
    if rule.holdout == "all":
        return frame.reset_index(drop=True)
    keys = frame["text"] + "\t" + frame.get("text_pair", pd.Series("", index=frame.index))
    inside = keys.map(lambda key: _in_holdout(key, rule.salt, rule.fraction))
    keep = inside if rule.holdout == "keep" else ~inside
    return frame[keep].reset_index(drop=True)
