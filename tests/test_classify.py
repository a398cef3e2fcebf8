"""Classification: fine-tuned, probe and zero-shot classifiers; explanations; probes; evaluation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from models.classify.evaluate import (
    align_labels,
    evaluate,
    positive_label,
    threshold_curve,
    threshold_metrics,
)
from models.classify.explain import occlusion
from models.classify.loaders import NLI_PREFIX, ZERO_SHOT, get_classifier
from models.classify.predict import classify
from models.classify.robustness import check_robustness, rewrites
from models.core.errors import PlaygroundError
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.sources import loading, task_models
from tests.conftest import ROOT

SNIPS_TINY = {"task": "intent", "dataset": "snips", "train_size": 160, "eval_size": 48,
              "max_length": 32, "seed": 11}  # fmt: skip


@pytest.fixture(scope="module")
def snips_models(tmp_path_factory):
    """A tiny LoRA and a tiny probe on SNIPS, trained once for this module."""
    runs = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv("PLAYGROUND_RUNS", str(runs))
    record = run_finetune(
        FinetuneConfig(**SNIPS_TINY, methods=("lora", "probe"), learning_rates={"lora": 3e-3}),
        estimate=False,
    )
    yield {m.method: m.checkpoint for m in record.methods}
    mp.undo()
    loading.forget(("classifier",))


@pytest.mark.slow
def test_fine_tuned_and_probe_classifiers_predict_snips_intents(snips_models):
    for path in snips_models.values():
        prediction = classify("intent", "play some jazz music by miles davis", model=path)
        assert set(prediction.scores) == {
            "AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook",
            "SearchCreativeWork", "SearchScreeningEvent",
        }  # fmt: skip
        assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-4)
        assert prediction.label == next(iter(prediction.scores))
    assert classify("intent", "play some jazz music", model=snips_models["probe"]).mode == (
        "embeddings + logistic regression"
    )


@pytest.mark.slow
def test_a_classifier_is_reused_until_its_folder_changes(snips_models):
    path = snips_models["lora"]
    first = get_classifier("intent", path)
    assert get_classifier("intent", path) is first  # no re-resolving per call
    stamp = os.stat(path).st_mtime_ns + 10**9
    os.utime(path, ns=(stamp, stamp))  # a folder rewritten in place is read again
    assert get_classifier("intent", path) is not first


@pytest.mark.slow
def test_text_beyond_max_length_is_cut_with_a_visible_notice(snips_models):
    long_text = "play the song " * 300
    prediction = classify("intent", long_text, model=snips_models["lora"])
    assert prediction.truncated
    assert "longer than the 32 tokens" in prediction.notice
    assert not classify("intent", "play a song", model=snips_models["lora"]).truncated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("최고의 영화! 배우들 연기도 좋고 정말 재미있어요", "positive"),
        ("최악이다. 돈 아깝고 지루해서 실망했다", "negative"),
        ("A brilliant, moving film. I loved it.", "positive"),
        ("Boring and disappointing, a waste of time.", "negative"),
    ],
)
def test_zero_shot_sentiment_with_packaged_e5(text, expected):
    prediction = classify("sentiment", text, model=ZERO_SHOT)
    assert prediction.mode == "zero-shot (embeddings)"
    assert prediction.label == expected
    assert set(prediction.scores) == {"negative", "positive"}


def test_zero_shot_with_labels_the_user_types():
    prediction = classify(
        "intent", "the striker scored twice in the final", model=ZERO_SHOT,
        labels=["sports", "cooking", "finance"],
    )  # fmt: skip
    assert prediction.label == "sports"


@pytest.mark.parametrize(
    ("task", "text", "pair", "labels", "message"),
    [
        ("sentiment", "   ", None, None, "Type a sentence"),
        ("nli", "한 남자가 달린다.", "", None, "type a hypothesis"),
        ("intent", "hello", None, ["only-one"], "at least two different labels"),
        ("intent", "hello", None, ["sports", "sports"], "at least two different labels"),
        ("topic", "hello", None, None, "Unknown task 'topic'"),
    ],
)
def test_bad_input_gets_a_clear_message(task, text, pair, labels, message):
    with pytest.raises(PlaygroundError, match=message):
        classify(task, text, pair, model=ZERO_SHOT, labels=labels)


def test_unknown_model_reference_is_explained():
    with pytest.raises(PlaygroundError, match="No such folder"):
        classify("intent", "play music", model="/no/such/model")


@pytest.mark.slow
def test_nli_zero_shot_by_embeddings_and_entailment_zero_shot_with_an_nli_model(
    tmp_path, monkeypatch, snips_models
):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    prediction = classify(
        "nli", "한 남자가 공원에서 달리고 있다.", "남자가 밖에 있다.", model=ZERO_SHOT
    )
    assert set(prediction.scores) == {"entailment", "neutral", "contradiction"}
    record = run_finetune(
        FinetuneConfig(task="nli", dataset="kornli", base="packaged:multilingual-e5-small",
                       methods=("head",), train_size=48, eval_size=24, max_length=48, seed=2),
        estimate=False,
    )  # fmt: skip
    nli_model = record.methods[0].checkpoint
    zero = classify("sentiment", "정말 좋은 영화", model=NLI_PREFIX + nli_model,
                    labels=["good", "bad"])  # fmt: skip
    assert zero.mode == "zero-shot (NLI entailment)" and set(zero.scores) == {"good", "bad"}
    with pytest.raises(PlaygroundError, match="not an NLI model .*PlayMusic"):
        get_classifier("sentiment", NLI_PREFIX + snips_models["lora"], ["a", "b"])
    with pytest.raises(PlaygroundError, match="no classification head"):
        get_classifier("sentiment", NLI_PREFIX + "packaged:all-MiniLM-L6-v2", ["a", "b"])
    loading.forget(("classifier",))


@pytest.mark.slow
def test_occlusion_covers_every_word_and_scales_to_one(snips_models):
    classifier = get_classifier("intent", snips_models["lora"])
    text = "add this song to my workout playlist please"
    result = occlusion(classifier, text)
    assert "".join(span for span, _ in result.spans) == text
    weights = [w for _, w in result.spans]
    assert max(abs(w) for w in weights) == pytest.approx(1.0)
    assert result.label in classifier.labels and result.label in result.how_to_read


def test_occlusion_of_a_long_text_stays_within_budget():
    class Counting:
        labels = ("a", "b")
        calls = 0

        def predict_proba(self, texts, pairs=None):
            Counting.calls += len(texts)
            p = np.array([[min(len(t) / 1000, 1.0), 1 - min(len(t) / 1000, 1.0)] for t in texts])
            return p, [False] * len(texts)

    text = " ".join(f"w{i}" for i in range(500))
    result = occlusion(Counting(), text)
    assert Counting.calls <= 49
    assert "".join(span for span, _ in result.spans) == text


def test_probes_for_korean_and_english():
    korean = {p.name: p for p in rewrites("이 영화 정말 재밌다")}
    assert korean["no spacing"].text == "이영화정말재밌다"
    assert korean["negation"].text == "이 영화 정말 재밌지 않다"
    assert not korean["swapped gender / names"].applies
    english = {p.name: p for p in rewrites("He said the movie was great and his wife agreed.")}
    assert (
        english["swapped gender / names"].text
        == "She said the movie was great and her husband agreed."
    )
    assert english["negation"].text == "He said the movie was not great and his wife agreed."
    assert english["typos"].text != "He said the movie was great and his wife agreed."


def test_negation_is_removed_from_a_negative_text_instead_of_doubled():
    english = {p.name: p for p in rewrites("The movie was not bad.")}
    assert english["negation"].text == "The movie was bad."
    assert english["negation"].note.startswith("negation removed")
    assert {p.name: p for p in rewrites("I didn't like it")}["negation"].text == "I did like it"
    assert {p.name: p for p in rewrites("Not bad at all")}["negation"].text == "Bad at all"
    assert {p.name: p for p in rewrites("연기가 좋지 않았다")}["negation"].text == "연기가 좋았다"
    assert {p.name: p for p in rewrites("스토리가 안 좋아")}["negation"].text == "스토리가 좋아"


def test_a_rewrite_that_changes_nothing_is_not_applicable():
    short = {p.name: p for p in rewrites("좋아")}
    assert not short["typos"].applies and short["typos"].note == "no word of 3+ characters"
    assert not short["no spacing"].applies
    # The appended clause starts a new sentence.
    assert short["irrelevant clause"].text == "좋아. 참고로 그날은 비가 왔다."
    rows = {
        r["rewrite"]: r for r in check_robustness("좋아", lambda t, p: [("positive", 0.9)] * len(t))
    }
    assert rows["typos"]["note"] == "not applicable: no word of 3+ characters"
    assert rows["typos"]["verdict"] == ""


def test_nli_probes_swap_gender_in_both_texts_and_flag_a_surviving_entailment():
    seen = []

    def predict(texts, pairs):  # entailment while premise and hypothesis agree on the gender
        seen.append((texts, pairs))
        agree = [("남자" in t) == ("남자" in p) for t, p in zip(texts, pairs, strict=True)]
        return [("entailment" if a else "contradiction", 0.8) for a in agree]

    premise, hypothesis = "한 남자가 공원에서 달리고 있다.", "남자가 밖에 있다."
    rows = {r["rewrite"]: r for r in check_robustness(premise, predict, "nli", hypothesis)}
    swapped = rows["swapped gender / names"]
    assert (swapped["text"], swapped["hypothesis"]) == (
        "한 여자가 공원에서 달리고 있다.",
        "여자가 밖에 있다.",
    )
    assert swapped["verdict"] == "as expected" and not swapped["flipped"]
    assert rows["typos"]["hypothesis"] == hypothesis  # the other rewrites touch the premise only
    assert rows["negation"]["verdict"] == "⚠ still entailment"
    assert all(pairs is not None for _, pairs in seen)


def test_probe_verdicts_flag_unexpected_flips():
    def predict(texts, pairs=None):  # a "model" that only reads the word "not"
        return [("negative" if " not " in t else "positive", 0.9) for t in texts]

    rows = {r["rewrite"]: r for r in check_robustness("The food was great.", predict, "sentiment")}
    assert rows["negation"]["flipped"] and rows["negation"]["verdict"] == "as expected"
    assert rows["irrelevant clause"]["verdict"] == "as expected"
    assert rows["swapped gender / names"]["note"].startswith("not applicable")

    def fragile(texts, pairs=None):  # flips on anything longer than the original
        return [("positive" if len(t) <= 20 else "negative", 0.7) for t in texts]

    rows = {r["rewrite"]: r for r in check_robustness("The food was great.", fragile, "sentiment")}
    assert rows["irrelevant clause"]["verdict"] == "⚠ flipped"


def test_label_alignment():
    assert align_labels(["NEGATIVE", "POSITIVE"], ["negative", "positive"])[0] == {
        "NEGATIVE": "negative", "POSITIVE": "positive",
    }  # fmt: skip
    mapping, note = align_labels(["LABEL_0", "LABEL_1"], ["negative", "positive"])
    assert mapping == {"LABEL_0": "negative", "LABEL_1": "positive"} and "by position" in note
    with pytest.raises(PlaygroundError, match="do not match"):
        align_labels(["sports", "politics"], ["negative", "positive"])


def test_threshold_metrics_by_hand():
    rows = [
        {"true": "positive", "positive_score": 0.9},
        {"true": "positive", "positive_score": 0.4},
        {"true": "negative", "positive_score": 0.6},
        {"true": "negative", "positive_score": 0.1},
    ]
    at_half = threshold_metrics(rows, "positive", 0.5)
    assert (at_half["precision"], at_half["recall"], at_half["accuracy"]) == (0.5, 0.5, 0.5)
    strict = threshold_metrics(rows, "positive", 0.8)
    assert (strict["precision"], strict["recall"]) == (1.0, 0.5)
    lenient = threshold_metrics(rows, "positive", 0.3)
    assert (lenient["precision"], lenient["recall"]) == (2 / 3, 1.0)
    # Nothing called positive: precision is undefined, not 1.0, and the curve leaves it out.
    nothing = threshold_metrics(rows, "positive", 0.95)
    assert (nothing["precision"], nothing["recall"], nothing["f1"]) == (None, 0.0, 0.0)
    curve = threshold_curve(rows, "positive", steps=21)
    precision = curve[curve["metric"] == "precision"]
    assert precision["threshold"].max() == pytest.approx(0.9)
    assert len(curve[curve["metric"] == "recall"]) == 21


def test_the_positive_class_is_found_by_name_not_by_alphabet():
    assert positive_label(["부정", "긍정"]) == "긍정"
    assert positive_label(["negative", "positive"]) == "positive"
    assert positive_label(["0", "1"]) == "1"
    assert positive_label(["ham", "spam"]) == "spam"
    assert positive_label(["cat", "dog"]) == "dog"  # no name to go by: the second, sorted
    assert positive_label(["a", "b", "c"]) is None


def test_auto_that_means_zero_shot_scores_the_datasets_own_labels(isolated_settings):
    import pandas as pd

    from models.classify.evaluate import evaluate_frame

    choice = task_models.choose_model("sentiment-ko")
    assert choice.mode == "zero-shot"
    assert choice.as_row()["mode"] == "zero-shot (no trained model yet)"  # the Models & data row
    frame = pd.DataFrame(
        {
            "text": ["정말 최고의 영화, 감동적이다", "돈 아깝다 최악의 영화", "배우들 연기 훌륭함"],
            "label": ["긍정", "부정", "긍정"],
        }
    )
    report = evaluate_frame(frame, "sentiment", "auto", "ko")
    assert report.mode == "zero-shot (embeddings)"
    assert report.labels == ["긍정", "부정"] and report.positive_label == "긍정"
    assert all("positive_score" in row for row in report.rows)
    assert report.accuracy == 1.0


def test_predictions_in_chunks_report_progress_and_match_one_call():
    from models.classify.predict import predict_with_progress

    class Lengths:
        labels = ("short", "long")

        def predict_proba(self, texts, pairs=None):
            share = np.array([min(len(t), 50) / 50 for t in texts])
            return np.stack([1 - share, share], axis=1), [len(t) > 40 for t in texts]

    texts = [("x" * (i % 60)) for i in range(2500)]
    reports = []
    probs, cut = predict_with_progress(
        Lengths(), texts, progress=lambda done, total, message: reports.append((done, total))
    )
    whole, whole_cut = Lengths().predict_proba(texts)
    assert np.array_equal(probs, whole) and cut == whole_cut
    assert reports == [(1000, 2500), (2000, 2500), (2500, 2500)]


@pytest.mark.slow
def test_evaluation_metrics_come_from_scikit_learn(snips_models):
    from sklearn.metrics import accuracy_score, f1_score

    report = evaluate("intent", "snips", "test", snips_models["lora"], limit=70)
    truth = [r["true"] for r in report.rows]
    predicted = [r["predicted"] for r in report.rows]
    assert report.n == 70 == len(truth)
    assert report.accuracy == accuracy_score(truth, predicted)
    assert report.macro_f1 == f1_score(truth, predicted, average="macro", labels=report.labels[:7])
    assert sum(map(sum, report.confusion_matrix)) == 70
    assert set(report.per_class) == set(report.labels[:7])
    assert all(m["support"] == 10 for m in report.per_class.values())  # stratified sample


@pytest.mark.slow
def test_evaluate_command_agrees_with_the_function(snips_models, tmp_path):
    out = tmp_path / "eval.json"
    args = [
        sys.executable, "-m", "models.classify.evaluate", "--task", "intent", "--dataset", "snips",
        "--split", "test", "--model", snips_models["probe"], "--limit", "70", "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from_cli = json.loads(out.read_text())
    from_function = evaluate("intent", "snips", "test", snips_models["probe"], limit=70).metrics()
    for key in ("accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n"):
        assert from_cli[key] == from_function[key], key


@pytest.mark.parametrize(
    ("limit", "message"),
    [(10.5, "whole number"), ("abc", "whole number"), (0, "between 1 and"), (True, "whole")],
)
def test_evaluate_rejects_a_limit_that_is_not_a_row_count(limit, message):
    with pytest.raises(PlaygroundError, match=message):
        evaluate("intent", "snips", "test", ZERO_SHOT, limit)


def test_evaluate_command_bad_input(tmp_path):
    args = [sys.executable, "-m", "models.classify.evaluate", "--task", "nli", "--dataset", "snips"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: SNIPS (7 intents) is a intent dataset, not nli."


@pytest.mark.slow
def test_default_for_a_task_trains_and_becomes_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    assert task_models.choose_model("intent").mode == "zero-shot"
    args = [sys.executable, "-m", "models.finetune", "--default-for", "intent",
            "--dataset", "clinc150", "--budget-minutes", "0.75", "--quiet"]  # fmt: skip
    env = {**__import__("os").environ, "PLAYGROUND_RUNS": str(tmp_path)}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "now the default for intent" in done.stdout
    choice = task_models.choose_model("intent")
    assert choice.mode == "trained"
    prediction = classify("intent", "what is my bank balance", model="auto")
    assert prediction.mode == "embeddings + logistic regression"
    assert prediction.label in {"balance", "transfer", "bill_balance"}


def test_the_tab_names_a_chosen_model_and_marks_runs_stopped_early(isolated_settings, monkeypatch):
    from demos.classify import choices as classification

    status = classification.model_status("intent", "auto")
    assert "No trained model for Intent" in status
    assert status.lower().count("no trained model") == 1  # said once, not once per clause
    unavailable = task_models.ModelChoice(
        "intent", "Intent", "packaged:x", "unavailable", "not here."
    )
    with monkeypatch.context() as patch:
        patch.setattr(classification, "choose_model", lambda key: unavailable)
        status = classification.model_status("intent", "auto")
    assert "cannot be loaded: not here." in status
    assert "used meanwhile" not in status  # nothing is used: zero-shot cannot load either
    # A model the user picked is what classifies: no talk of zero-shot being used meanwhile.
    assert classification.model_status("intent", "/runs/7/full") == "Model: `/runs/7/full`."
    saved = [
        {"path": f"/runs/7/{m}", "run_id": "7", "method": m, "task": "intent",
         "dataset": "snips", "labels": [], "accuracy": acc, "status": status}
        for m, acc, status in (("full", 0.98, "done"), ("head", 0.27, "stopped"))
    ]  # fmt: skip
    monkeypatch.setattr(classification, "saved_classifiers", lambda viewer=None: saved)
    labels = dict((value, label) for label, value in classification.model_choices("intent"))
    # Named by what they are, not by run id or path (issue 20).
    assert labels["/runs/7/full"] == "English intent, full fine-tuning, accuracy 0.980"
    assert labels["/runs/7/head"] == (
        "English intent, frozen encoder + head, accuracy 0.270 · stopped early"
    )
    hub = [label for label, value in classification.model_choices("sentiment") if "Hub" in label]
    assert hub and all(label.endswith("(needs the Hub: offline now)") for label in hub)
    assert [key for _, key in classification.default_choices("sentiment")] == [
        "sentiment-ko", "sentiment-en",
    ]  # fmt: skip
