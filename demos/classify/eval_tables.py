"""The Evaluate sub-tab's results as people read them (pure: plain data in, tables and ``Text``s
out): the per-class table, the misclassified rows, the threshold's sentence and curve, the headline.
"""

from __future__ import annotations

import pandas as pd

from demos.classify.choices import model_name
from demos.widgets import details
from models.classify.evaluate import EvalReport, threshold_curve, threshold_metrics
from models.classify.labels import display_label, label_text
from models.core.i18n import Text, join, localize

ANY = "(any)"
SHOWN_CHARS = 400  # a misclassified text longer than this is cut in the table (not in the data)
HEADERS = {
    "class": Text("class", "클래스"),
    "precision": Text("precision", "정밀도"),
    "recall": Text("recall", "재현율"),
    "f1": Text("F1", "F1"),
    "support": Text("support", "행 수"),
    "true": Text("true", "실제"),
    "predicted": Text("predicted", "예측"),
    "confidence": Text("confidence", "확신도"),
    "text": Text("text", "텍스트"),
    "text_pair": Text("hypothesis", "가설"),
}
METRICS = {"precision": HEADERS["precision"], "recall": HEADERS["recall"]}


def class_choices(labels: list[str], lang: str | None = None) -> list[tuple[str, str]]:
    """A filter's entries: any class, then each class by its display name (values stay raw).
    ``lang`` None: ``Text``s, for a caller that renders them."""
    entries = [(Text("(any)", "(전체)"), ANY), *((label_text(label), label) for label in labels)]
    return entries if lang is None else localize(entries, lang)


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(
        columns={c: HEADERS[c].in_lang(lang) for c in frame.columns if c in HEADERS}
    )


def errors_frame(
    rows: list[dict], true_value: str, predicted_value: str, lang: str | None = None
) -> pd.DataFrame:
    """The misclassified rows, filtered by true and predicted class.

    ``lang``: as people read it (key columns first, display labels, long texts cut, headers in
    that language); None: the raw data.
    """
    wrong = [r for r in rows if r["true"] != r["predicted"]]
    if true_value != ANY:
        wrong = [r for r in wrong if r["true"] == true_value]
    if predicted_value != ANY:
        wrong = [r for r in wrong if r["predicted"] == predicted_value]
    pair = ["text_pair"] if rows and "text_pair" in rows[0] else []
    if lang is None:
        frame = pd.DataFrame(wrong, columns=["text", *pair, "true", "predicted", "confidence"])
        return frame.round({"confidence": 3})
    frame = pd.DataFrame(wrong, columns=["true", "predicted", "confidence", "text", *pair])
    for column in ("true", "predicted"):
        frame[column] = [display_label(v, lang) for v in frame[column]]
    for column in ("text", *pair):
        frame[column] = [_cut(t) for t in frame[column]]
    return _headers(frame.round({"confidence": 3}), lang)


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def per_class_frame(report: EvalReport, lang: str) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support, classes by their display names."""
    frame = pd.DataFrame(
        [{"class": display_label(k, lang), **m} for k, m in report.per_class.items()]
    )
    keys = [c for c in ("class", "precision", "recall", "f1", "support") if c in frame.columns]
    rest = [c for c in frame.columns if c not in keys]
    return _headers(frame[keys + rest].round(4), lang)


def threshold_text(rows: list[dict], positive: str, value: float) -> Text:
    """The positive class's precision / recall / F1 at one threshold, in a sentence."""
    m = threshold_metrics(rows, positive, value)
    precision = Text("n/a", "정의 안 됨") if m["precision"] is None else f"{m['precision']:.3f}"
    return Text(
        "Predicting **{label}** when its probability ≥ {value:.2f}: precision {precision}, recall "
        "{recall:.3f}, F1 {f1:.3f}, accuracy {accuracy:.3f} ({called} of {n} rows called "
        "{label}). A higher threshold trades recall for precision.",
        "확률이 {value:.2f} 이상일 때 **{label}**(으)로 예측하면: 정밀도 {precision}, 재현율 "
        "{recall:.3f}, F1 {f1:.3f}, 정확도 {accuracy:.3f}({n}개 행 중 {called}개를 {label}(으)로 "
        "예측). 임계값을 높이면 재현율을 내주고 정밀도를 얻습니다.",
        label=label_text(positive), value=value, precision=precision, recall=m["recall"],
        f1=m["f1"], accuracy=m["accuracy"], called=m["predicted_positive"], n=len(rows),
    )  # fmt: skip


def summary_text(report: EvalReport, uploaded: bool) -> Text:
    """The headline: accuracy and macro-F1, on what, with which model (its source collapsed)."""
    where = (
        Text("the uploaded file", "올린 파일")
        if uploaded
        else Text("{d}/{s}", "{d}/{s}", d=report.dataset, s=report.split)
    )
    summary = Text(
        "**Accuracy {accuracy:.4f}** · **macro-F1 {f1:.4f}** on {n:,} rows of {where}. Model: "
        "{model}.",
        "**정확도 {accuracy:.4f}** · **매크로 F1 {f1:.4f}** ({where}의 {n:,}개 행). 모델: {model}.",
        accuracy=report.accuracy, f1=report.macro_f1, n=report.n, where=where,
        model=model_name(report.model, report.mode),
    )  # fmt: skip
    summary = join([summary, details(report.source)], " ")
    return join([summary, report.note], "\n\n") if report.note else summary


def threshold_plot_data(rows: list[dict], positive: str, lang: str) -> pd.DataFrame:
    """The precision / recall curve with its metric names in ``lang``."""
    curve = threshold_curve(rows, positive)
    curve["metric"] = [METRICS[m].in_lang(lang) for m in curve["metric"]]
    return curve
