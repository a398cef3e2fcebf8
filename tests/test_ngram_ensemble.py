"""Character n-grams + logistic regression, ensembles, and fitted methods on every row."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from models.classify.ensemble import (
    WEIGHT_MARGIN,
    average,
    choose_weights,
    member_paths,
    write_ensemble,
)
from models.classify.loaders import get_classifier
from models.classify.ngram import VOCABULARY, WEIGHTS, NgramModel, fit_ngram
from models.classify.predict import classify
from models.core.errors import ModelUnavailable
from models.core.manifest import MANIFEST
from models.core.settings import get_settings
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.estimate import Calibration
from models.finetune.prepared import prepare_run
from models.finetune.sizing import apply_budget
from models.sources import loading

REVIEWS = [
    ("정말 재밌다 최고의 영화", "positive"), ("배우 연기가 훌륭하고 감동적이다", "positive"),
    ("또 보고 싶은 명작", "positive"), ("great movie, loved it", "positive"),
    ("최고 최고 강추", "positive"), ("wonderful acting and a great story", "positive"),
    ("지루하고 재미없다", "negative"), ("시간 낭비 최악의 영화", "negative"),
    ("돈 아깝다 노잼", "negative"), ("boring and awful, a waste of time", "negative"),
    ("최악 다시는 안 본다", "negative"), ("terrible plot, awful acting", "negative"),
]  # fmt: skip
SNIPS_TINY = {"task": "intent", "dataset": "snips", "train_size": 160, "eval_size": 48,
              "max_length": 32, "seed": 11}  # fmt: skip


def _fit(pairs: list[str] | None = None) -> NgramModel:
    texts, labels = [t for t, _ in REVIEWS], [label for _, label in REVIEWS]
    return fit_ngram(texts, ["negative", "positive"], labels, pairs, c=10.0)


def test_ngram_model_learns_and_reloads_without_pickle(tmp_path):
    model = _fit()
    probs = model.predict_proba(["최고의 명작", "최악 노잼", "a great story"])
    assert probs.shape == (3, 2)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert probs.argmax(1).tolist() == [1, 0, 1]
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([VOCABULARY, WEIGHTS, MANIFEST])
    assert json.loads((tmp_path / VOCABULARY).read_text(encoding="utf-8")) == model.vocabulary
    np.load(tmp_path / WEIGHTS, allow_pickle=False)  # plain arrays only
    again = NgramModel.load(tmp_path, model.meta())
    new = ["재밌다", "시간 낭비", "loved it", ""]
    assert np.allclose(again.predict_proba(new), model.predict_proba(new), atol=1e-6)


def test_ngram_pairs_read_both_sides():
    texts = [t for t, _ in REVIEWS]
    model = _fit(pairs=list(reversed(texts)))
    assert model.pair
    assert model.coef.shape[1] == 2 * len(model.vocabulary)
    assert model.predict_proba(["최고"], ["최악"]).shape == (1, 2)


def test_ngram_refuses_a_class_without_rows():
    with pytest.raises(ValueError, match="every class"):
        fit_ngram(["good", "fine"], ["negative", "positive"], ["positive", "positive"])


def test_ngram_calibration_leaves_the_first_fits_one_off_cost_out(monkeypatch):
    """The first fit in a process pays for imports; as a per-row cost it inflated estimates 4x."""
    import pandas as pd

    from models.finetune import fitted

    clock = {"now": 0.0, "calls": 0}

    def fake_fit(texts, labels, targets, pairs=None, **_):
        clock["now"] += (2.0 if clock["calls"] == 0 else 0.0) + 0.001 * len(texts)
        clock["calls"] += 1
        return SimpleNamespace(vocabulary={"a": 0})

    monkeypatch.setattr(fitted, "fit_ngram", fake_fit)
    monkeypatch.setattr(fitted, "time", SimpleNamespace(perf_counter=lambda: clock["now"]))
    frame = pd.DataFrame({"text": ["좋다", "싫다"] * 600, "label": ["positive", "negative"] * 600})
    data = SimpleNamespace(train=frame, pair=False, labels=["negative", "positive"])
    calibration = fitted.NgramFitter().calibrate(
        SimpleNamespace(data=data, config=SimpleNamespace(seed=0))
    )
    assert clock["calls"] == 2
    assert calibration.row_s == pytest.approx(0.001)


def test_ngram_vocabulary_estimate_follows_the_growth_of_its_two_samples():
    from models.classify.ngram import MAX_FEATURES
    from models.finetune.fitted import scaled_vocabulary

    # Two samples on rows**0.8 give the power law back at the run's size.
    def grow(rows: int) -> float:
        return 30 * rows**0.8

    estimate = scaled_vocabulary(int(grow(1000)), 1000, int(grow(250)), 250, 16_000)
    assert estimate == pytest.approx(grow(16_000), rel=0.01)
    # When the samples cannot tell (no warm-up fit), it grows with the square root of the rows.
    assert scaled_vocabulary(1000, 1000, 0, 250, 16_000) == 4000
    assert scaled_vocabulary(90_000, 1000, 10_000, 250, 10**6) == MAX_FEATURES


def test_average_matches_labels_by_name_and_weights():
    a = np.array([[0.9, 0.1]])  # labels: neg, pos
    b = np.array([[0.2, 0.8]])  # labels: pos, neg
    mean = average([a, b], [["neg", "pos"], ["pos", "neg"]], ["pos", "neg"], [1.0, 1.0])
    assert mean[0].tolist() == pytest.approx([0.15, 0.85])
    weighted = average([a, b], [["neg", "pos"], ["pos", "neg"]], ["neg", "pos"], [3.0, 1.0])
    assert weighted[0].tolist() == pytest.approx([0.875, 0.125])
    with pytest.raises(ModelUnavailable, match="no label maybe"):
        average([a, b], [["neg", "pos"], ["pos", "neg"]], ["neg", "pos", "maybe"], [1.0, 1.0])


def _members_that_disagree_on(rows: int, disputed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Two members right on every row with 0.9, except ``disputed`` rows where the first is
    right with 0.6 and the second wrong with 0.7: only a mix giving the first >= 0.7 gets them."""
    truth = np.arange(rows) % 2
    first = np.where(truth[:, None] == np.arange(2), 0.9, 0.1)
    second = first.copy()
    first[:disputed] = np.where(truth[:disputed, None] == np.arange(2), 0.6, 0.4)
    second[:disputed] = np.where(truth[:disputed, None] == np.arange(2), 0.3, 0.7)
    return [first, second], truth


def test_ensemble_weights_move_from_equal_only_when_a_mix_wins_clearly():
    members, truth = _members_that_disagree_on(1000, disputed=20)
    chosen = choose_weights(members, truth)
    # 0.7, 0.8 and 0.9 tie on every row; the tie goes to the mix closest to equal weights.
    assert chosen.weights == [0.7, 0.3] and not chosen.equal
    assert (chosen.equal_accuracy, chosen.chosen_accuracy, chosen.rows) == (0.98, 1.0, 1000)
    # The same disagreement on fewer rows than the margin: noise, so equal weights stay.
    few = int(1000 * WEIGHT_MARGIN)
    members, truth = _members_that_disagree_on(1000, disputed=few)
    kept = choose_weights(members, truth)
    assert kept.weights == [1.0, 1.0] and kept.equal
    assert kept.chosen_accuracy == kept.equal_accuracy == 1 - few / 1000
    # Order of the members does not matter; three members search the whole grid.
    members, truth = _members_that_disagree_on(1000, disputed=20)
    assert choose_weights(members[::-1], truth).weights == [0.3, 0.7]
    three = choose_weights([members[0], members[1], members[1]], truth)
    assert three.weights[0] >= 0.7 and sum(three.weights) == pytest.approx(1.0)
    # No rows to choose on: equal weights, and the record says none were used.
    empty = choose_weights([m[:0] for m in members], truth[:0])
    assert empty.weights == [1.0, 1.0] and empty.rows == 0


def test_weighting_rows_are_validation_rows_the_evaluation_never_uses():
    from models.datasets.registry import load_dataset
    from models.finetune.data import WEIGHTING_ROWS, prepare_data

    with_ensemble = prepare_data(FinetuneConfig(**SNIPS_TINY, ensemble=True))
    validation = load_dataset("snips", "validation").frame
    used = Counter(with_ensemble.eval["text"]) + Counter(with_ensemble.weighting["text"])
    assert not used - Counter(validation["text"])  # drawn from validation, no row twice
    assert 0 < len(with_ensemble.weighting) <= WEIGHTING_ROWS
    assert with_ensemble.summary()["weighting_rows"] == len(with_ensemble.weighting)
    plain = prepare_data(FinetuneConfig(**SNIPS_TINY))
    assert plain.weighting.empty  # only an ensemble needs them
    assert plain.eval["text"].tolist() == with_ensemble.eval["text"].tolist()


def test_an_uploads_ensemble_keeps_equal_weights_and_says_why(tmp_path):
    from models.finetune.combine import weighting_note
    from models.finetune.data import prepare_data

    upload = tmp_path / "reviews.csv"
    rows = [(f"review number {i}", "good" if i % 2 else "bad") for i in range(40)]
    upload.write_text("text,label\n" + "\n".join(f"{t},{y}" for t, y in rows), encoding="utf-8")
    config = FinetuneConfig(
        task="custom", dataset="upload", upload_path=str(upload), train_size=20, eval_size=10,
        upload_columns={"text": "text", "label": "label"}, ensemble=True,
    )  # fmt: skip
    data = prepare_data(config)
    assert data.weighting.empty and len(data.eval) == 10  # every held-out row is evaluated
    empty = choose_weights([np.zeros((0, 2))] * 2, np.zeros(0, dtype=int))
    assert "with equal weights (no validation rows beside the evaluation rows" in (
        weighting_note(empty)
    )


def test_an_ensemble_whose_member_is_gone_says_so(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    folder = write_ensemble(tmp_path / "ens", [first, second], ["x", "y"])
    meta = json.loads((folder / "playground.json").read_text(encoding="utf-8"))
    assert meta["members"] == ["../a", "../b"]  # relative: the runs folder can move
    second.rmdir()
    with pytest.raises(ModelUnavailable, match="no longer there"):
        member_paths(folder, meta)
    with pytest.raises(ValueError, match="two members"):
        write_ensemble(tmp_path / "one", [first], ["x", "y"])


@pytest.fixture(scope="module")
def ngram_lora_run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv("PLAYGROUND_RUNS", str(runs))
    config = FinetuneConfig(
        **SNIPS_TINY, methods=("ngram", "lora"), learning_rates={"lora": 3e-3},
        fitted_all_rows=True, ensemble=True, merge_lora=True,
    )  # fmt: skip
    yield run_finetune(config, estimate=False)
    mp.undo()
    loading.forget(("classifier",))


@pytest.mark.slow
def test_fitted_methods_take_every_row_and_the_rest_the_asked_rows(ngram_lora_run):
    ngram, lora = ngram_lora_run.result("ngram"), ngram_lora_run.result("lora")
    assert ngram.status == lora.status == "done"
    assert ngram.steps_total == 12_395  # every SNIPS training row
    assert lora.steps_total == 160 // 8  # the 160 asked rows, batch 8, one epoch
    assert ngram.trainable_pct == pytest.approx(100.0)  # no encoder: all of it is trained
    assert classify("intent", "play jazz by miles davis", model=ngram.checkpoint).mode == (
        "character n-grams + logistic regression"
    )
    with pytest.raises(ModelUnavailable, match="character n-gram models, not a transformers"):
        loading.load_classifier(ngram.checkpoint)  # e.g. as a zero-shot entailment model


@pytest.mark.slow
def test_the_ensemble_is_the_average_of_its_reloaded_members(ngram_lora_run):
    from models.finetune.data import WEIGHTING_ROWS, prepare_data

    record = ngram_lora_run
    ensemble = record.result("ensemble")
    assert ensemble.status == "done", ensemble.error
    members = [record.result("ngram").checkpoint, record.result("lora").merged_checkpoint]
    data = prepare_data(FinetuneConfig(**SNIPS_TINY, ensemble=True))
    classifiers = [get_classifier("intent", m) for m in members]

    def member_probs(rows):
        texts = rows["text"].tolist()
        return [average([c.predict_proba(texts)[0]], [c.labels], record.labels, [1.0])
                for c in classifiers]  # fmt: skip

    def truth(rows):
        return np.array([record.labels.index(t) for t in rows["label"]])

    # The weights are the ones that classify the weighting rows best (equal unless a mix wins).
    chosen = choose_weights(member_probs(data.weighting), truth(data.weighting))
    saved = json.loads((Path(ensemble.checkpoint) / "playground.json").read_text("utf-8"))
    assert saved["weights"] == chosen.weights == ensemble.fit.get("weights")
    assert saved["weighting"]["rows"] == len(data.weighting) == WEIGHTING_ROWS
    assert (
        f"{len(data.weighting):,} validation rows the evaluation never sees" in ensemble.fit["note"]
    )
    mean = average(member_probs(data.eval), [record.labels] * 2, record.labels, chosen.weights)
    accuracy = float(np.mean(mean.argmax(1) == truth(data.eval)))
    assert ensemble.eval_accuracy == pytest.approx(accuracy)
    served = classify("intent", "will it rain in paris tomorrow", model=ensemble.checkpoint)
    assert served.mode.startswith("ensemble of character n-grams")
    assert served.label == "GetWeather"
    from models.finetune.runs import saved_classifiers

    listed = {s["method"]: s["path"] for s in saved_classifiers()}
    assert listed["ensemble"] == ensemble.checkpoint  # offered in the Classification tab


@pytest.mark.slow
def test_a_weighted_ensemble_serves_and_names_its_weights(ngram_lora_run, tmp_path):
    record = ngram_lora_run
    members = [record.result("ngram").checkpoint, record.result("lora").merged_checkpoint]
    folder = write_ensemble(
        tmp_path / "weighted", members, record.labels, weights=[0.8, 0.2],
        weighting={"rows": 1000},
    )  # fmt: skip
    served = get_classifier("intent", str(folder))
    assert "Weights, in that order: 80%, 20% (chosen on 1,000 validation rows)" in (
        served.description
    )
    texts = ["add this song to my road trip playlist", "book a table for two tonight"]
    alone = [get_classifier("intent", m) for m in members]
    expected = average(
        [m.predict_proba(texts)[0] for m in alone], [m.labels for m in alone], record.labels,
        [0.8, 0.2],
    )  # fmt: skip
    assert served.predict_proba(texts)[0] == pytest.approx(expected, abs=1e-6)
    equal = get_classifier("intent", str(write_ensemble(tmp_path / "eq", members, record.labels)))
    assert "Weights" not in equal.description


def test_a_budget_plans_rows_only_for_the_step_trained_methods():
    config = FinetuneConfig(**{**SNIPS_TINY, "train_size": 2}, methods=("ngram", "lora"),
                            fitted_all_rows=True, budget_minutes=2)  # fmt: skip
    run = prepare_run(config, get_settings(), all_rows=True)
    lora = Calibration(step_s=0.05, token_s=1e-3, eval_token_s=1e-4, build_s=1.0,
                       trainable_params=1000, total_params=10_000)  # fmt: skip
    ngram = Calibration(step_s=0.0, token_s=0.0, eval_token_s=0.0, build_s=0.0,
                        trainable_params=1000, total_params=1000, row_s=2e-3,
                        curves=False)  # fmt: skip
    alone, _ = apply_budget(run, {"lora": lora}, 100.0)
    both, plan = apply_budget(run, {"ngram": ngram, "lora": lora}, 100.0)
    every_row = len(run.data.train)
    assert len(alone.data.train) < every_row
    # The n-grams' fit on every row (~26 s) comes out of LoRA's share of the budget.
    assert len(both.data.train) < len(alone.data.train)
    assert f"fitted methods use all {every_row:,} training rows" in plan["notes"]


def test_korean_sentiment_default_is_ngrams_plus_top_layers_averaged():
    from models.finetune.recipes import default_result, recipe_config
    from models.finetune.runs import MethodResult, RunRecord

    config = recipe_config("sentiment-ko", 3)
    assert config.methods == ("ngram", "top") and config.trained_layers == 4
    assert config.fitted_all_rows and config.ensemble and not config.merge_lora
    record = RunRecord("r", "", "done", {}, {}, [], "cpu", {}, 42)
    record.methods = [MethodResult("ngram", "done"), MethodResult("top", "done")]
    assert default_result(record).method == "top"  # no ensemble: the trained model
    record.methods.append(MethodResult("ensemble", "failed"))
    assert default_result(record).method == "top"  # a failed ensemble is never registered
    record.methods[-1] = MethodResult("ensemble", "done")
    assert default_result(record).method == "ensemble"
    assert recipe_config("sentiment-en", 3).methods == ("full",)  # others unchanged
