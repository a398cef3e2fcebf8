"""Hosted mode through the served app, as a visitor reaches it: gradio_client and raw HTTP.

The app is served in-process (conftest), and settings are read per call, so setting
PLAYGROUND_HOSTED here turns a running server into a public one.
"""

from __future__ import annotations

import time

import pytest

from bench.http import call_event, event_of, outputs
from models.core.jobs import TRAINING_SLOT
from models.core.settings import get_settings
from models.sources.task_models import trained_index_file

QUICK_RUN = {"dataset": "snips", "methods": ["lora"], "train_size": 2000, "eval_size": 50,
             "epochs": 3.0, "max_length": 32}  # fmt: skip


@pytest.fixture
def hosted(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    monkeypatch.setenv("PLAYGROUND_OPERATORS", "alice")


def _new_client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False)


def _wait_until(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_an_anonymous_visitor_cannot_train_a_default_even_through_the_hidden_event(
    served_app, hosted
):
    fn, trigger = event_of(served_app, "cls-train-default")
    message = call_event(served_app, fn, ["sentiment", "sentiment-en", 0.2], trigger)
    status = str(outputs(message)[0])
    assert "for its operators" in status
    assert TRAINING_SLOT.busy_message() is None
    assert not trained_index_file(get_settings()).exists()


def test_an_anonymous_visitor_cannot_start_or_stop_the_preparation(client, hosted):
    from models.prepare.background import get_preparation

    summary = client.predict(api_name="/prepare")[0]
    assert "for its operators" in summary
    assert not get_preparation().running


def test_a_past_run_is_read_by_id_only(client):
    for path in ("../../../etc", "/etc/passwd", "a/b"):
        status = client.predict(path, api_name="/finetune_run")[0]
        assert "A run id is letters" in status
    status = client.predict("20990101-000000-snips-none", api_name="/finetune_run")[0]
    assert "There is no past run" in status


def test_stop_with_nothing_running_says_so(client):
    assert client.predict(api_name="/stop") == {
        "stopping": False,
        "message": "Nothing of yours is training.",
    }


def test_finetune_settings_of_the_wrong_type_get_one_sentence(client):
    answer = client.predict(config={"epochs": [1]}, api_name="/finetune")
    assert answer == {"error": "epochs must be a number (got list [1])."}
    answer = client.predict(
        config={"lora": {"rank": 4096}, "methods": ["lora"]}, api_name="/finetune"
    )
    assert "LoRA rank is 4,096" in answer["error"]


@pytest.mark.slow
def test_stop_stops_the_callers_run_and_nobody_elses(served_app, client):
    job = client.submit(QUICK_RUN, api_name="/finetune")
    assert _wait_until(lambda: TRAINING_SLOT.busy_message() is not None)
    stranger = _new_client(served_app)
    assert stranger.predict(api_name="/stop")["stopping"] is False
    assert client.predict(api_name="/stop")["stopping"] is True
    record = job.result(timeout=300)
    assert record["status"] == "stopped"
    assert TRAINING_SLOT.busy_message() is None


@pytest.mark.slow
def test_cancelling_the_call_stops_the_run(client):
    job = client.submit(QUICK_RUN, api_name="/finetune")
    assert _wait_until(lambda: TRAINING_SLOT.busy_message() is not None)
    time.sleep(2)  # training, not just starting
    job.cancel()
    # The run ends after its current step, and the slot is free for the next visitor.
    assert _wait_until(lambda: TRAINING_SLOT.busy_message() is None, timeout=120)


@pytest.mark.slow
def test_a_visitors_runs_are_theirs(served_app, client, hosted):
    small = {**QUICK_RUN, "methods": ["head"], "train_size": 200, "epochs": 1.0}
    record = client.predict(config=small, api_name="/finetune")
    assert record["status"] == "done" and record["owner"].startswith("session:")
    assert str(get_settings().runs_dir) not in str(record)  # no server path in hosted answers
    assert "Run `" in client.predict(record["run_id"], api_name="/finetune_run")[0]
    stranger = _new_client(served_app)
    status = stranger.predict(record["run_id"], api_name="/finetune_run")[0]
    assert "There is no past run" in status
