"""Tokenised rows for the Trainer: tokenised once per run and shared by every method."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.finetune.estimate import CURVE_ROWS


class EncodedRows:
    """A map-style dataset of ``{"input_ids", "attention_mask", ["token_type_ids"], "labels"}``.

    Rows are unpadded; the collator pads each batch to its longest row, and the Trainer's
    length-grouped sampler keeps rows of similar length together, so little padding is wasted.
    """

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.items[index]

    @property
    def lengths(self) -> list[int]:
        return [len(item["input_ids"]) for item in self.items]

    def subset(self, indices: list[int]) -> EncodedRows:
        return EncodedRows([self.items[i] for i in indices])


def encode(
    tokenizer: Any, frame: pd.DataFrame, labels: list[str], max_length: int, pair: bool
) -> EncodedRows:
    """Tokenise ``frame`` (``text`` [+ ``text_pair``]) with label ids in ``labels`` order."""
    texts = frame["text"].astype(str).tolist()
    pairs = frame["text_pair"].astype(str).tolist() if pair else None
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    index = {label: i for i, label in enumerate(labels)}
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    items = [
        {**{k: encoded[k][row] for k in keys}, "labels": index[str(label)]}
        for row, label in enumerate(frame["label"])
    ]
    return EncodedRows(items)


def curve_subset(rows: EncodedRows, seed: int) -> EncodedRows:
    """At most CURVE_ROWS evaluation rows for the loss curves (the final metrics use them all)."""
    if len(rows) <= CURVE_ROWS:
        return rows
    import random

    picked = sorted(random.Random(seed).sample(range(len(rows)), CURVE_ROWS))
    return rows.subset(picked)
