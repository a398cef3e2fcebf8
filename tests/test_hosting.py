"""Hosted mode: who may change shared state, typed and bounded run settings, stopping runs by
owner and by the server's time limit, and a default replaced only by a better model."""

from __future__ import annotations

import threading
import time

import pytest

from models.core.access import (
    NotAllowed,
    caller_for,
    check_model_ref,
    looks_like_path,
    public_data,
    public_message,
    require_operator,
    viewer,
)
from models.core.errors import ConfigError, PlaygroundError
from models.core.jobs import TrainingSlot, running_job, start_job, stop_owned
from models.core.monitor import Monitor
from models.core.settings import get_settings
from models.finetune.config import FinetuneConfig
from tests.conftest import SHARED_DATA


@pytest.fixture
def hosted(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    monkeypatch.setenv("PLAYGROUND_OPERATORS", "alice, bob")
    return get_settings()


def test_locally_everyone_operates_and_hosted_only_named_operators(monkeypatch, hosted):
    assert caller_for("s1", None).operator is False
    assert caller_for("s1", "mallory").operator is False
    assert caller_for("s1", "bob").operator is True
    with pytest.raises(NotAllowed, match="for its operators"):
        require_operator(caller_for("s1", None), "training a task's default model")
    require_operator(caller_for("s1", "alice"), "training a task's default model")
    monkeypatch.setenv("PLAYGROUND_HOSTED", "0")
    assert caller_for("s1", None).operator is True


def test_hosted_anonymous_callers_see_their_own_runs_only(monkeypatch, hosted):
    anonymous = caller_for("abc", None)
    assert anonymous.owner == "session:abc"
    assert viewer(anonymous) == "session:abc"
    assert viewer(caller_for("abc", "alice")) is None
    monkeypatch.setenv("PLAYGROUND_HOSTED", "0")
    assert viewer(anonymous) is None


@pytest.mark.parametrize(
    ("ref", "is_path"),
    [
        ("auto", False), ("zero-shot", False), ("packaged:multilingual-e5-small", False),
        ("klue/roberta-base", False), ("zero-shot-nli:org/model", False),
        ("/etc", True), ("../runs", True), ("a/b/c", True), ("~/models", True),
        ("zero-shot-nli:/tmp/x", True), ("C:\\models", True), ("packaged:../../x", True),
        ("tests", True),  # a folder beside the app, though it looks like a Hub name
    ],
)  # fmt: skip
def test_typed_references_that_name_server_folders(ref, is_path):
    assert looks_like_path(ref) is is_path


def test_hosted_refuses_typed_paths_with_one_sentence_whether_or_not_they_exist(hosted, tmp_path):
    anonymous = caller_for("s", None)
    messages = set()
    for ref in (str(tmp_path), str(tmp_path / "missing"), "../secret"):
        with pytest.raises(NotAllowed) as refused:
            check_model_ref(ref, anonymous)
        messages.add(str(refused.value))
    assert len(messages) == 1  # the answer does not reveal which folders exist
    check_model_ref("klue/roberta-base", anonymous)
    check_model_ref(str(tmp_path), caller_for("s", "alice"))  # operators may


def test_hosted_messages_name_no_server_folder(hosted):
    settings = get_settings()
    text = f"Could not read {settings.runs_dir}/2026-x/record.json nor /srv/app/secret/file.bin"
    shown = public_message(text)
    assert str(settings.runs_dir) not in shown and "/srv/app" not in shown
    assert "<runs>/2026-x/record.json" in shown and "file.bin" in shown
    data = public_data({"folder": str(settings.cache_dir / "e5"), "rows": [1, "/a/b/c.txt"]})
    assert data == {"folder": "<cache>/e5", "rows": [1, "…/c.txt"]}


def test_local_messages_keep_their_paths(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_HOSTED", "0")
    assert public_message("see /srv/app/secret") == "see /srv/app/secret"


# -- run settings: types and bounds -------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"epochs": [1]}, "epochs must be a number"),
        ({"train_size": "500"}, "train_size must be a whole number"),
        ({"train_size": True}, "train_size must be a whole number"),
        ({"train_size": 1.5}, "train_size must be a whole number"),
        ({"epochs": float("nan")}, "epochs must be a finite number"),
        ({"methods": "lora"}, "methods must be a list"),
        ({"learning_rates": {"lora": "fast"}}, "learning_rates must map names to numbers"),
        ({"lora": {"rank": "8"}}, "lora.rank must be a whole number"),
        ({"lora": {"size": 8}}, "Unknown LoRA settings: size"),
        ({"lora": [8]}, "lora must be an object"),
        ({"secret": 1}, "Unknown settings: secret"),
    ],
)  # fmt: skip
def test_wrong_types_are_refused_in_one_sentence(settings, expected):
    with pytest.raises(ConfigError, match=expected) as refused:
        FinetuneConfig.from_dict(settings)
    assert "not supported between" not in str(refused.value)


def test_not_an_object_is_refused():
    with pytest.raises(ConfigError, match="JSON object"):
        FinetuneConfig.from_dict(["lora"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"lora": {"rank": 4096}, "methods": ["lora"]}, "LoRA rank is 4,096; .* at most 256"),
        ({"epochs": 21.0}, "at most 20 on this server"),
        ({"train_size": 10**9}, "Training rows is 1,000,000,000"),
        ({"eval_size": 10**9}, "Evaluation rows is 1,000,000,000"),
    ],
)  # fmt: skip
def test_sizes_beyond_the_servers_limits_are_refused(settings, expected):
    with pytest.raises(ConfigError, match=expected):
        FinetuneConfig.from_dict(settings).check()


def test_limits_follow_the_settings(monkeypatch):
    config = FinetuneConfig.from_dict({"lora": {"rank": 64}, "methods": ["lora"]})
    config.check()
    monkeypatch.setenv("PLAYGROUND_MAX_LORA_RANK", "32")
    with pytest.raises(ConfigError, match="at most 32 .PLAYGROUND_MAX_LORA_RANK"):
        config.check()


# -- jobs: stopped by their owner, and by the server's limit ------------------------------------


def _until_stopped(monitor: Monitor) -> str:
    while not monitor.stop_requested:
        time.sleep(0.01)
    return "stopped"


def test_a_job_is_stopped_by_its_owner_only():
    slot = TrainingSlot()
    job = start_job("test run", Monitor(), _until_stopped, slot=slot, owner="session:a")
    try:
        assert running_job("session:a") is job
        assert stop_owned("session:b") is None
        assert job.running
        assert stop_owned("session:a") is job
        job.wait(5)
        assert not job.running and job.result == "stopped"
        assert running_job("session:a") is None
        assert slot.busy_message() is None
    finally:
        job.stop()


def test_the_servers_time_limit_stops_a_run_and_says_so():
    slot = TrainingSlot()
    monitor = Monitor()
    job = start_job("long run", monitor, _until_stopped, slot=slot, limit_s=0.2)
    job.wait(10)
    assert not job.running and job.result == "stopped"
    assert job.time_limited
    assert "limit" in monitor.snapshot()["phase"]


def test_a_finished_job_is_no_longer_its_owners(monkeypatch):
    slot = TrainingSlot()
    done = threading.Event()
    job = start_job("quick", Monitor(), lambda m: done.set(), slot=slot, owner="session:q")
    job.wait(5)
    assert done.is_set() and running_job("session:q") is None


def test_not_allowed_is_a_playground_error():
    assert issubclass(NotAllowed, PlaygroundError)


# -- a default is replaced only by a model at least as good -------------------------------------


def _finished(accuracy: float, folder) -> tuple:
    from models.finetune.runs import MethodResult, RunRecord

    result = MethodResult(
        method="full", status="done", eval_accuracy=accuracy, checkpoint=str(folder)
    )
    record = RunRecord(
        run_id="r", created="", status="done", config={}, data={"eval_rows": 400}, labels=[],
        device="cpu", versions={}, seed=1, methods=[result],
    )  # fmt: skip
    return record, result


def test_a_worse_model_does_not_replace_the_default(isolated_settings, monkeypatch, tmp_path):
    from models.finetune import promotion
    from models.sources.task_models import trained_model

    monkeypatch.setattr(promotion, "_current_accuracy", lambda *_: (0.85, "trained", 400))
    worse = promotion.promote_if_better("intent", *_finished(0.217, tmp_path), isolated_settings)
    assert not worse.promoted
    assert "Kept the current default (trained, 0.850)" in worse.message and "0.217" in worse.message
    assert trained_model("intent", isolated_settings) is None
    tie = promotion.promote_if_better("intent", *_finished(0.85, tmp_path), isolated_settings)
    assert tie.promoted and "is now the default for intent" in tie.message
    assert trained_model("intent", isolated_settings) == tmp_path


def test_an_unfinished_method_cannot_become_a_default(isolated_settings, tmp_path):
    from models.finetune.promotion import promote_if_better

    record, result = _finished(0.9, tmp_path)
    result.status = "stopped"
    with pytest.raises(PlaygroundError, match="did not finish"):
        promote_if_better("intent", record, result, isolated_settings)


@pytest.mark.slow
def test_a_short_default_run_is_compared_on_its_own_validation_rows(isolated_settings, monkeypatch):
    """The reported attack: a 0.2-minute intent default. Whatever it scores, it becomes the
    default exactly when it is at least as good as the zero-shot one on the same rows."""
    from models.finetune.recipes import train_default
    from models.sources.task_models import choose_model

    monkeypatch.setenv("PLAYGROUND_DATA_HOME", str(SHARED_DATA))
    record = train_default("intent", 0.2, settings=get_settings())
    promotion = record.promotion
    assert promotion["current"] == "zero-shot" and promotion["rows"] == record.data["eval_rows"]
    assert promotion["promoted"] == (promotion["new_accuracy"] >= promotion["current_accuracy"])
    assert (choose_model("intent").mode == "trained") == promotion["promoted"]


def test_the_signed_in_name_decides_who_operates(hosted):
    import gradio as gr

    from demos.access import caller

    assert caller(gr.Request(username="alice", session_hash="s")).operator
    visitor = caller(gr.Request(session_hash="s"))
    assert not visitor.operator and visitor.owner == "session:s"
    assert not caller(None).operator  # a direct call is anonymous on a public server


def test_hosted_endpoint_answers_name_no_server_folder(hosted):
    from demos.safety import api_guard

    runs = get_settings().runs_dir

    @api_guard
    def endpoint(x: int) -> dict:
        raise PlaygroundError(f"Could not read {runs}/7/record.json")

    assert endpoint(1) == {"error": "Could not read <runs>/7/record.json"}


def test_a_budget_beyond_the_servers_run_limit_is_refused(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_RUN_MINUTES", "30")
    with pytest.raises(ConfigError, match="more than this server lets a run take .30"):
        FinetuneConfig.from_dict({"budget_minutes": 45}).check()
    FinetuneConfig.from_dict({"budget_minutes": 20}).check()


def test_the_promotion_command_explains_a_missing_run_or_key(isolated_settings, capsys):
    from models.finetune.promotion import main

    assert main(["nope", "head", "--key", "intent"]) == 1
    assert "There is no run 'nope'" in capsys.readouterr().err
    assert main(["nope", "head", "--key", "embedding"]) == 1  # a key, but not a classifier's
    assert "Unknown classification key" in capsys.readouterr().err
