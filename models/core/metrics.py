"""Classification metrics from scikit-learn, in one shape for evaluation views and training runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def classification_metrics(
    truth: Sequence[Any], predicted: Sequence[Any], labels: list[Any]
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support and the confusion matrix.

    ``labels`` fixes the class order; predictions outside it (a model that knows more classes)
    get extra rows and columns at the end of the matrix, named in ``matrix_labels``.
    """
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    truth, predicted = list(truth), list(predicted)
    extra = sorted(set(predicted) - set(labels), key=str)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    macro_f1 = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(macro_f1),
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(truth, predicted, labels=labels + extra).tolist(),
        "matrix_labels": labels + extra,
    }
