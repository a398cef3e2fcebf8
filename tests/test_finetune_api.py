"""The Fine-tuning tab's API endpoints through gradio_client, and its pure table builders."""

from __future__ import annotations

import math

import pytest

from models.core.jobs import TRAINING_SLOT
from models.finetune import report

TINY = {
    "dataset": "snips",
    "methods": ["lora", "head"],
    "train_size": 64,
    "eval_size": 32,
    "max_length": 32,
    "seed": 5,
}


@pytest.fixture(scope="module")
def api_record(client):
    record = client.predict(config=TINY, api_name="/finetune")
    assert "error" not in record, record
    return record


@pytest.mark.slow
def test_finetune_api_trains_and_returns_the_record(api_record):
    assert [m["method"] for m in api_record["methods"]] == ["lora", "head"]
    assert all(m["status"] == "done" for m in api_record["methods"])
    assert api_record["data"]["train_rows"] == 64
    assert api_record["config"]["seed"] == 5


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**TINY, "train_size": 10**5}, "training rows"),
        ({**TINY, "learning_rates": {"lora": -1}}, "above 0"),
        ({**TINY, "colour": "blue"}, "Unknown settings: colour"),
        ({**TINY, "dataset": "upload"}, "not through the API"),
    ],
)
def test_finetune_api_explains_bad_settings(client, config, message):
    result = client.predict(config=config, api_name="/finetune")
    assert message in result["error"]


def test_a_second_user_is_told_what_is_training(client):
    assert TRAINING_SLOT.try_acquire("someone's LoRA vs full on nsmc", lambda: 90.0)
    try:
        result = client.predict(config=TINY, api_name="/finetune")
    finally:
        TRAINING_SLOT.release()
    assert "Another training run is in progress" in result["error"]
    assert "someone's LoRA vs full on nsmc" in result["error"]
    assert "should end around" in result["error"]


@pytest.mark.slow
def test_past_run_can_be_shown_again(client, api_record):
    status, results, _curves, notes, confusion = client.predict(
        api_record["run_id"], api_name="/finetune_run"
    )
    assert api_record["run_id"] in status
    table = results["value"]  # sent as an update that also makes the table visible
    assert [row[0] for row in table["data"]] == ["LoRA", "Frozen encoder + head"]
    assert "LoRA" in notes and "accuracy" in confusion


@pytest.mark.slow
def test_curves_frame_has_a_placeholder_for_every_series_and_the_losses(api_record):
    frame = report.curves_frame(api_record["methods"])
    assert set(frame["series"]) == {"lora train", "lora eval", "head train", "head eval"}
    placeholders = frame[frame["step"] == 0]
    assert len(placeholders) == 4 and placeholders["loss"].map(math.isnan).all()
    real = frame[frame["step"] > 0]
    assert (real["loss"] > 0).all() and real["epoch"].max() == pytest.approx(1.0)


@pytest.mark.slow
def test_results_frame_and_fit_markdown(api_record):
    table = report.results_frame(api_record)
    assert list(table["method"]) == ["LoRA", "Frozen encoder + head"]
    assert {"est. time (s)", "time (s)", "checkpoint (MB)", "macro-F1"} <= set(table.columns)
    markdown = report.fit_markdown(api_record)
    assert markdown.count("- **") == 2
