"""Tokenised rows for the Trainer: tokenised once per run and shared by every method."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.finetune.estimate import CURVE_ROWS


class EncodedRows:
    """A map-style dataset of ``{"input_ids", "attention_mask", ["token_type_ids"], "labels"}``.

    Rows are unpadded; the collator pads each batch to its longest row, and the Trainer's
    length-grouped sampler keeps rows of similar length together, so little padding is wasted.
    The tokenizer's columns are kept as they come and a row's dict is built when it is read:
    a budgeted run may train on ~2,000 of 135,000 encoded rows, and building a dict per row
    up front cost seconds of that budget.
    """

    def __init__(self, columns: dict[str, list[Any]], labels: list[int]) -> None:
        self.columns = columns
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict[str, Any]:
        row = {key: column[index] for key, column in self.columns.items()}
        row["labels"] = self.labels[index]
        return row

    @property
    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.columns["input_ids"]]

    def subset(self, indices: list[int]) -> EncodedRows:
        columns = {key: [column[i] for i in indices] for key, column in self.columns.items()}
        return EncodedRows(columns, [self.labels[i] for i in indices])


def encode(
    tokenizer: Any, frame: pd.DataFrame, labels: list[str], max_length: int, pair: bool
) -> EncodedRows:
    """Tokenise ``frame`` (``text`` [+ ``text_pair``]) with label ids in ``labels`` order."""
    texts = frame["text"].astype(str).tolist()
    pairs = frame["text_pair"].astype(str).tolist() if pair else None
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    index = {label: i for i, label in enumerate(labels)}
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    return EncodedRows(
        {key: encoded[key] for key in keys}, [index[str(label)] for label in frame["label"]]
    )


def curve_subset(rows: EncodedRows, seed: int) -> EncodedRows:
    """At most CURVE_ROWS evaluation rows for the loss curves (the final metrics use them all)."""
    if len(rows) <= CURVE_ROWS:
        return rows
    import random

    picked = sorted(random.Random(seed).sample(range(len(rows)), CURVE_ROWS))
    return rows.subset(picked)
