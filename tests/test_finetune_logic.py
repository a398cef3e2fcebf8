"""Pure pieces of fine-tuning: the budget planner, encoded rows, the fit note, the slot, sweeps."""

from __future__ import annotations

import pytest

from models.core.errors import ConfigError
from models.core.jobs import TrainingSlot
from models.finetune.analysis import fit_note
from models.finetune.budget import SAFETY, plan_budget
from models.finetune.config import FinetuneConfig
from models.finetune.encode import encode
from models.finetune.estimate import Calibration, Workload, estimate_seconds
from models.finetune.sweep import run_sweep

CAL = {
    "full": Calibration(step_s=0.05, token_s=2e-4, eval_token_s=5e-5, build_s=1.0,
                        trainable_params=22_000_000, total_params=22_000_000),
    "lora": Calibration(step_s=0.005, token_s=1.2e-4, eval_token_s=5e-5, build_s=1.0,
                        trainable_params=200_000, total_params=22_000_000),
}  # fmt: skip


def _plan(budget_s: float, n_rows: int = 20_000, lengths: int = 30, max_length: int = 128):
    return plan_budget(
        budget_s=budget_s,
        calibrations=CAL,
        train_lengths=[lengths] * (n_rows // 2) + [lengths * 3] * (n_rows // 2),
        eval_lengths=[lengths] * 500,
        batch_size=8,
        max_length=max_length,
        curve_points=4,
        min_rows=64,
    )


def test_plan_fills_the_budget_and_buys_rows_first():
    small, large = _plan(60), _plan(240)
    assert small.epochs == large.epochs == 1.0
    assert 64 <= small.train_rows < large.train_rows < 20_000
    for plan in (small, large):  # fills the budget, less the safety margin
        assert plan.estimated_s == pytest.approx(plan.budget_s * SAFETY, rel=0.05)


def test_plan_adds_epochs_once_every_row_is_used():
    plan = _plan(150, n_rows=2_000)
    assert plan.train_rows == 2_000
    # Partial passes fill the budget instead of rounding down to whole epochs.
    assert 1 < plan.epochs < 3 and plan.epochs != int(plan.epochs)
    assert plan.estimated_s <= 150 * SAFETY
    assert plan.estimated_s == pytest.approx(150 * SAFETY, rel=0.05)
    roomy = _plan(1e6, n_rows=2_000)
    assert roomy.epochs == 3.0
    assert any("all 2,000 training rows fit" in n for n in plan.notes)
    # A budget that outlasts the epoch cap says how much of it goes unused, and why.
    assert not any("unused" in n for n in plan.notes)
    spare_min = (roomy.budget_s - roomy.estimated_s) / 60
    assert any(f"about {spare_min:.0f} min of the budget stays unused" in n for n in roomy.notes)


def test_plan_cuts_max_length_before_starving_the_rows():
    plan = _plan(17, lengths=100, max_length=512)  # at 512 tokens fewer than 64 rows fit
    assert plan.max_length < 512 and plan.train_rows >= 64
    assert plan.estimated_s == pytest.approx(17 * SAFETY, rel=0.05)
    assert any("max length cut" in n for n in plan.notes)
    hopeless = _plan(5, lengths=100, max_length=512)
    assert hopeless.train_rows == 64 and hopeless.estimated_s > 5
    assert any("too small even for 64 rows" in n for n in hopeless.notes)


def test_estimate_grows_with_rows_and_epochs():
    work = Workload(1000, 30_000, 200, 6_000, 1.0, 8, 4)
    double = Workload(2000, 60_000, 200, 6_000, 1.0, 8, 4)
    assert estimate_seconds(CAL["full"], double) > estimate_seconds(CAL["full"], work)
    assert estimate_seconds(CAL["lora"], work) < estimate_seconds(CAL["full"], work)


def _history(train: list[float], evals: list[float]) -> list[dict]:
    points = [{"step": i, "epoch": i / 4, "train_loss": v} for i, v in enumerate(train, 1)]
    points += [
        {"step": i, "epoch": i / len(evals) * 3, "eval_loss": v} for i, v in enumerate(evals, 1)
    ]
    return points


def _word_tokenizer(texts, pairs, truncation, max_length):
    """Stands in for a tokenizer: one id per word (its length), truncated like the real one."""
    out: dict[str, list] = {"input_ids": [], "attention_mask": [], "token_type_ids": []}
    for row, text in enumerate(texts):
        first = [len(w) for w in text.split()]
        second = [len(w) for w in pairs[row].split()] if pairs else []
        ids = (first + second)[:max_length]
        out["input_ids"].append(ids)
        out["attention_mask"].append([1] * len(ids))
        out["token_type_ids"].append(([0] * len(first) + [1] * len(second))[:max_length])
    if not pairs:
        del out["token_type_ids"]
    return out


def test_encoded_rows_are_the_tokenizers_columns_read_row_by_row():
    import pandas as pd

    frame = pd.DataFrame({"text": ["a bb", "ccc dddd eeeee", "f"], "label": ["pos", "neg", "pos"]})
    rows = encode(_word_tokenizer, frame, ["neg", "pos"], max_length=2, pair=False)
    assert len(rows) == 3 and rows.lengths == [2, 2, 1]  # truncated to max_length
    assert rows[1] == {"input_ids": [3, 4], "attention_mask": [1, 1], "labels": 0}
    assert rows[2] == {"input_ids": [1], "attention_mask": [1], "labels": 1}
    picked = rows.subset([2, 0])
    assert [picked[i] for i in range(2)] == [rows[2], rows[0]] and picked.lengths == [1, 2]

    frame["text_pair"] = ["g", "h ii", "jjj"]
    pairs = encode(_word_tokenizer, frame, ["neg", "pos"], max_length=8, pair=True)
    assert pairs[0] == {"input_ids": [1, 2, 1], "attention_mask": [1, 1, 1],
                        "token_type_ids": [0, 0, 1], "labels": 1}  # fmt: skip


def test_fit_note_reads_the_curves():
    over = fit_note(_history([1.0, 0.5, 0.2, 0.05], [0.9, 0.6, 0.7, 0.9]), 0.8, 3)
    assert over["verdict"] == "over-fitting" and over["best_epoch"] == pytest.approx(1.5)
    under = fit_note(_history([1.10, 1.09, 1.08, 1.08], [1.10, 1.09, 1.09, 1.08]), 0.36, 3)
    assert under["verdict"] == "under-fitting"
    improving = fit_note(_history([1.0, 0.7, 0.5, 0.4], [0.9, 0.7, 0.55, 0.45]), 0.8, 3)
    assert improving["verdict"] == "still improving"
    good = fit_note(_history([1.0, 0.5, 0.35, 0.3], [0.9, 0.45, 0.40, 0.40]), 0.9, 3)
    assert good["verdict"] == "good fit" and "levelled off" in good["note"]
    assert fit_note([], None, 3)["verdict"] == "too short to tell"


def test_slot_admits_one_run_and_describes_it_to_others():
    slot = TrainingSlot()
    assert slot.busy_message() is None
    assert slot.try_acquire("LoRA vs full on snips", lambda: 120.0)
    assert not slot.try_acquire("someone else", lambda: None)
    message = slot.busy_message()
    assert "LoRA vs full on snips" in message and "in ~2.0 min" in message
    assert "every other tab keeps working" in message
    slot.release()
    assert slot.busy_message() is None
    assert slot.try_acquire("next", lambda: None)
    slot.release()


@pytest.mark.slow
def test_sweep_fills_a_grid_of_accuracies(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(train_size=64, eval_size=32, max_length=32, seed=1)
    result = run_sweep(config, "head", batch_sizes=[8, 16], learning_rates=[1e-3, 1e-2])
    assert result.status == "done" and not result.errors
    assert len(result.accuracy) == 2 and all(len(row) == 2 for row in result.accuracy)
    assert all(0 <= a <= 1 for row in result.accuracy for a in row)
    assert {c["batch_size"] for c in result.cells()} == {8, 16}
    assert not any(tmp_path.iterdir())  # sweeps save nothing


def test_sweep_rejects_bad_grids():
    config = FinetuneConfig()
    with pytest.raises(ConfigError, match="at least one batch size"):
        run_sweep(config, "lora", [], [1e-3])
    with pytest.raises(ConfigError, match="more than 25 cells"):
        run_sweep(config, "lora", list(range(1, 7)), [1e-3] * 5)
    with pytest.raises(ConfigError, match="above 0"):
        run_sweep(config, "lora", [8], [0.0])


def test_a_failing_run_reports_its_error_and_frees_the_slot():
    """A bug inside training must reach the UI as a message, never as a silent dead thread."""
    from models.core.monitor import Monitor
    from models.finetune.jobs import start_job

    slot = TrainingSlot()

    def broken(monitor):
        raise ValueError("The test_size = 1 should be greater or equal to the number of classes")

    job = start_job("broken run", Monitor(("full",)), broken, slot=slot)
    job.wait(10)
    assert not job.running and job.result is None
    assert job.error.startswith("Training failed (ValueError: The test_size = 1")
    assert slot.try_acquire("next run", lambda: None)  # released for the next user


def test_tiny_samples_stratify_only_when_every_class_fits_both_sides():
    import pandas as pd

    from models.datasets.sampling import split_rows

    frame = pd.DataFrame({"text": list("abcdef"), "label": ["x", "x", "y", "y", "z", "z"]})
    for size in range(1, 7):
        picked, rest = split_rows(frame, size, seed=0)
        assert (len(picked), len(rest)) == (size, 6 - size)
    picked, _ = split_rows(frame, 3, seed=0)
    assert sorted(picked["label"]) == ["x", "y", "z"]  # stratified where it can be
