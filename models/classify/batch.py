"""Classify every row of an uploaded file: the file's own columns kept, predictions added.

The result has one row per row of the file, in its order, so it joins back to whatever the
user's spreadsheet holds beside the text; rows with no text are kept and left unclassified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.classify.loaders import AUTO, get_classifier
from models.classify.predict import predict_with_progress
from models.core.errors import PlaygroundError
from models.core.i18n import Text, join
from models.core.progress import Progress, silent
from models.core.text import detect_language
from models.datasets.upload import ColumnMapping, apply_mapping


@dataclass
class BatchResult:
    """The classified table and what happened to its rows."""

    frame: pd.DataFrame
    model: str
    classified: int
    skipped_empty: int
    truncated: int

    def describe(self, model_name: str | None = None) -> Text:
        """What happened, in a line; ``model_name``: the model as people know it (default: its
        reference)."""
        parts = [
            Text(
                "Classified {n:,} rows with {model}.", "{n:,}개 행을 {model}(으)로 분류했습니다.",
                n=self.classified, model=model_name or f"`{self.model}`",
            )
        ]  # fmt: skip
        if self.skipped_empty:
            rows = "row has" if self.skipped_empty == 1 else "rows have"
            parts.append(
                Text(
                    "{n:,} " + rows + " no text: kept in the result, unclassified.",
                    "텍스트가 없는 {n:,}개 행은 분류하지 않고 결과에 그대로 두었습니다.",
                    n=self.skipped_empty,
                )
            )
        if self.truncated:
            parts.append(
                Text(
                    "{n:,} rows were longer than the model reads and were cut.",
                    "{n:,}개 행은 모델이 읽는 길이보다 길어서 잘렸습니다.",
                    n=self.truncated,
                )
            )
        return join(parts, " ")


def _free_name(name: str, taken: list[str]) -> str:
    while name in taken:
        name = f"{name} (model)"
    return name


def classify_table(
    table: pd.DataFrame,
    mapping: ColumnMapping,
    task: str,
    model: str = AUTO,
    labels: list[str] | None = None,
    progress: Progress = silent,
) -> BatchResult:
    """Classify the mapped text column (and hypothesis, for NLI) of every row of ``table``.

    Raises:
        PlaygroundError: a mapped column is missing, NLI without a hypothesis column, no row
            has text, or the model cannot be loaded.
    """
    if task == "nli" and not mapping.text_pair:
        raise PlaygroundError(
            Text("NLI needs a hypothesis column as well.", "자연어 추론에는 가설 열도 필요합니다.")
        )
    rows = apply_mapping(table, mapping)  # checks the columns; drops rows with no text
    has_text = (table[mapping.text].astype(str).str.strip() != "").to_numpy()
    language = detect_language(" ".join(rows["text"].head(20)))
    classifier = get_classifier(task, model, labels, language)
    pairs = rows["text_pair"].tolist() if "text_pair" in rows else None
    probs, truncated = predict_with_progress(classifier, rows["text"].tolist(), pairs, progress)
    probs = probs.astype(np.float64)  # float32 rounded to 4 places still prints 0.63520002

    result = table.copy()
    added: dict[str, list] = {
        "predicted": [classifier.labels[int(i)] for i in probs.argmax(axis=1)],
        "confidence": probs.max(axis=1).round(4).tolist(),
        **{
            f"p({label})": probs[:, i].round(4).tolist()
            for i, label in enumerate(classifier.labels)
        },
        "truncated": truncated,
    }
    for name, values in added.items():
        column = np.full(len(table), None, dtype=object)
        column[has_text] = values
        result[_free_name(name, list(result.columns))] = column
    return BatchResult(
        frame=result,
        model=classifier.ref,
        classified=len(rows),
        skipped_empty=int((~has_text).sum()),
        truncated=int(sum(truncated)),
    )
