"""The fine-tuning engine: records, checkpoints that load back, reproducibility, stop, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from models.core.errors import ConfigError, PlaygroundError
from models.core.monitor import Monitor
from models.finetune import report
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.methods import LoraSettings, available_methods
from models.finetune.runs import list_runs, load_record, saved_classifiers
from models.sources import loading
from tests.conftest import ROOT

TINY = {
    "task": "intent",
    "dataset": "snips",
    "base": "packaged:all-MiniLM-L6-v2",
    "train_size": 96,
    "eval_size": 48,
    "epochs": 1.0,
    "batch_size": 8,
    "max_length": 32,
    "seed": 7,
}
RECORD_FIELDS = {
    "method", "trainable_params", "total_params", "wall_s", "samples_per_s", "peak_mem_mb",
    "checkpoint_mb", "eval_accuracy", "eval_macro_f1", "history",
}  # fmt: skip


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def three_methods(runs_dir):
    """One run of full, LoRA (merged too) and head, shared by the tests that read it."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PLAYGROUND_RUNS", str(runs_dir))
    config = FinetuneConfig(**TINY, methods=("full", "lora", "head"), merge_lora=True)
    monitor = Monitor(config.methods)
    record = run_finetune(config, monitor)
    yield record, monitor
    mp.undo()


@pytest.mark.slow
def test_record_has_every_measured_field(three_methods):
    record, _ = three_methods
    assert record.status == "done"
    assert [m.method for m in record.methods] == ["full", "lora", "head"]
    for result in record.methods:
        assert result.status == "done", result.error
        assert set(result.__dict__) >= RECORD_FIELDS
        assert result.wall_s > 0 and result.samples_per_s > 0 and result.peak_mem_mb > 100
        assert 0 <= result.eval_accuracy <= 1 and 0 <= result.eval_macro_f1 <= 1
        assert sum(map(sum, result.confusion_matrix)) == 48
        assert any("train_loss" in p for p in result.history)
        assert any("eval_loss" in p for p in result.history)
        assert result.estimate["seconds"] > 0 and result.estimate["memory_mb"] > 0
        assert result.fit["verdict"]
    assert record.versions["transformers"] and record.device == "cpu"
    assert record.config["seed"] == 7


@pytest.mark.slow
def test_lora_trains_a_sliver_and_saves_a_tiny_checkpoint(three_methods):
    record, _ = three_methods
    full, lora, head = record.methods
    assert full.trainable_params == full.total_params
    assert lora.trainable_pct <= 2.0
    assert lora.checkpoint_mb * 20 <= full.checkpoint_mb
    assert head.trainable_params < lora.trainable_params


def reloaded_accuracy(checkpoint: str, labels: list[str]) -> float:
    """Accuracy of ``checkpoint`` loaded back from disk, on TINY's evaluation rows."""
    import torch

    from models.finetune.data import prepare_data

    classifier = loading.load_classifier(checkpoint)
    assert classifier.labels == labels
    data = prepare_data(FinetuneConfig(**TINY))
    batch = classifier.tokenizer(
        data.eval["text"].tolist(), padding=True, truncation=True, max_length=32,
        return_tensors="pt",
    )  # fmt: skip
    with torch.no_grad():
        predicted = classifier.model(**batch).logits.argmax(-1).tolist()
    truth = [labels.index(label) for label in data.eval["label"]]
    loading.forget(("classifier",))
    return sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["full", "lora", "head"])
def test_saved_checkpoints_load_and_reproduce_the_recorded_accuracy(three_methods, method):
    """The checkpoint is what was evaluated: reloading it gives the same predictions."""
    record, _ = three_methods
    result = record.result(method)
    assert reloaded_accuracy(result.checkpoint, record.labels) == pytest.approx(
        result.eval_accuracy
    )


@pytest.mark.slow
def test_merged_lora_is_a_plain_transformers_model(three_methods):
    record, _ = three_methods
    merged = record.result("lora").merged_checkpoint
    assert merged
    classifier = loading.load_classifier(merged)
    assert classifier.resolved.format == "transformers"
    assert type(classifier.model).__name__ == "BertForSequenceClassification"
    # The adapter itself is folded into its base when it loads: serving costs no adapter layers.
    adapter = loading.load_classifier(record.result("lora").checkpoint)
    assert adapter.resolved.format == "peft-adapter"
    assert adapter.resolved.meta["peft_type"] == "LORA"
    assert type(adapter.model).__name__ == "BertForSequenceClassification"
    loading.forget(("classifier",))


@pytest.mark.slow
def test_runs_are_listed_with_their_checkpoints(three_methods, runs_dir, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(runs_dir))
    record, _ = three_methods
    assert list_runs()[0].run_id == record.run_id
    assert load_record(record.run_id).methods[1].method == "lora"
    paths = {c["path"] for c in saved_classifiers()}
    assert {m.checkpoint for m in record.methods} <= paths


@pytest.mark.slow
def test_same_config_and_seed_give_the_same_metrics(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(**TINY, methods=("lora",), save_checkpoints=False)
    first = run_finetune(config, estimate=False).methods[0]
    second = run_finetune(config, estimate=False).methods[0]
    assert first.eval_accuracy == second.eval_accuracy
    assert first.confusion_matrix == second.confusion_matrix
    assert [p.get("train_loss") for p in first.history] == [
        p.get("train_loss") for p in second.history
    ]


def test_stop_keeps_what_finished_and_labels_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(**{**TINY, "train_size": 400}, methods=("lora", "head"))
    monitor = Monitor(config.methods)

    def stop_after_a_few_steps() -> None:
        while monitor.snapshot()["methods"]["lora"]["step"] < 3:
            threading.Event().wait(0.05)
        monitor.request_stop()

    threading.Thread(target=stop_after_a_few_steps, daemon=True).start()
    record = run_finetune(config, monitor, estimate=False)
    lora, head = record.methods
    assert record.status == "stopped"
    assert lora.status == "stopped" and 3 <= lora.steps_done < lora.steps_total
    assert lora.eval_accuracy is not None and lora.checkpoint  # evaluated and saved as stopped
    assert head.status == "skipped"
    assert load_record(record.run_id).status == "stopped"
    # The table shows what LoRA measured and leaves the skipped method's cells blank, not zeros.
    table = report.results_frame(record.as_dict()).set_index("method")
    assert table.loc["LoRA", "trainable params"] == f"{lora.trainable_params:,}" != "0"
    assert table.loc["Frozen encoder + head", "trainable params"] == ""
    assert table.loc["Frozen encoder + head"][["time (s)", "peak memory (MB)"]].isna().all()
    assert "skipped: the run was stopped before its turn" in report.fit_markdown(record.as_dict())


def _upload(tmp_path, rows: list[tuple[str, str]]) -> str:
    path = tmp_path / "rows.csv"
    path.write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in rows))
    return str(path)


def _fake_decoder(tmp_path) -> str:
    folder = tmp_path / "decoder"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    )
    return str(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"train_size": 10**5}, "has 12,395 training rows; 100,000 were asked"),
        ({"eval_size": 5000}, "validation rows; 5,000 were asked"),
        ({"learning_rates": {"lora": 0.0}}, "learning rate must be above 0"),
        ({"learning_rates": {"full": -1e-4}}, "learning rate must be above 0"),
        ({"epochs": 0}, "Epochs must be more than 0"),
        ({"epochs": 100}, "at most 20"),
        ({"lora": LoraSettings(rank=0)}, "LoRA rank must be at least 1"),
        ({"methods": ("full", "bogus")}, "Unknown method 'bogus'"),
        ({"dataset": "nsmc"}, "NSMC .* is a sentiment dataset"),
        ({"dataset": "korsts"}, "no class labels"),
        ({"base": "/no/such/folder"}, "No such folder"),
        ({"max_length": 4}, "Max length must be between 8 and 512"),
        ({"lora": LoraSettings(top_layers=-1)}, "LoRA top layers must be 0"),
        ({"lora": LoraSettings(top_layers=7)}, "top layers is 7, but .* has 6 layers"),
    ],
)
def test_bad_settings_are_refused_before_training(change, message, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(**{**TINY, "methods": ("lora",), **change})
    with pytest.raises(PlaygroundError, match=message):
        run_finetune(config)
    assert not any(tmp_path.iterdir())  # nothing was trained or saved


def test_lora_on_the_top_layers_adapts_only_those(tmp_path, monkeypatch):
    from models.core.settings import get_settings
    from models.finetune.prepared import build_model, prepare_run

    config = FinetuneConfig(**{**TINY, "methods": ("lora",), "lora": LoraSettings(top_layers=2)})
    model, _ = build_model(prepare_run(config, get_settings()), "lora")
    adapted = {
        int(name.split(".layer.")[1].split(".")[0])
        for name, p in model.named_parameters()
        if p.requires_grad and "lora_" in name
    }
    assert adapted == {4, 5}  # MiniLM has 6 layers: only the top two get adapters


def test_a_decoder_is_not_an_encoder(tmp_path):
    config = FinetuneConfig(**{**TINY, "base": _fake_decoder(tmp_path)}, methods=("lora",))
    with pytest.raises(PlaygroundError, match="not an encoder"):
        run_finetune(config)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(f"text {i}", "same") for i in range(20)], "one class only"),
        ([(f"text {i}", "a" if i % 2 else "b") for i in range(19)] + [("", "a")], "empty 'text'"),
        (
            [(f"text {i}", "a" if i % 2 else "b") for i in range(18)] + [("odd one", "rare")],
            "labels the training rows never show: rare",
        ),
    ],
    ids=["one-class", "empty-text", "unknown-label"],
)
def test_bad_uploads_are_refused_before_training(rows, message, tmp_path):
    config = FinetuneConfig(
        **{**TINY, "train_size": 10, "eval_size": 9, "dataset": "upload", "task": "custom"},
        methods=("head",),
        upload_path=_upload(tmp_path, rows),
        upload_columns={"text": "text", "label": "label"},
    )
    with pytest.raises(ConfigError, match=message):
        run_finetune(config)


def test_qlora_is_offered_only_with_cuda_and_bitsandbytes():
    reason = available_methods()["qlora"]
    assert reason == "QLoRA needs a CUDA GPU."
    config = FinetuneConfig(**TINY, methods=("qlora",))
    with pytest.raises(ConfigError, match="not available here: QLoRA needs a CUDA GPU"):
        run_finetune(config)


@pytest.mark.slow
def test_command_line_writes_the_same_record(tmp_path):
    out = tmp_path / "run.json"
    env = {**__import__("os").environ, "PLAYGROUND_RUNS": str(tmp_path / "runs")}
    args = [
        sys.executable, "-m", "models.finetune", "--task", "intent", "--dataset", "snips",
        "--base", "packaged:all-MiniLM-L6-v2", "--methods", "lora,head", "--train-size", "64",
        "--eval-size", "32", "--epochs", "1", "--lr", "lora=3e-3,head=5e-3", "--batch-size", "8",
        "--seed", "3", "--max-length", "32", "--json", str(out), "--quiet",
    ]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.read_text())
    assert [m["method"] for m in record["methods"]] == ["lora", "head"]
    assert set(record["methods"][0]) >= RECORD_FIELDS
    assert record["methods"][0]["learning_rate"] == 3e-3
    assert record["seed"] == 3 and record["config"]["train_size"] == 64
    assert {"torch", "transformers", "peft"} <= set(record["versions"])
    assert record["device"] == "cpu"
    assert "lora" in done.stdout and "acc" in done.stdout


def test_command_line_bad_input_is_one_clear_line(tmp_path):
    args = [sys.executable, "-m", "models.finetune", "--methods", "lora", "--lora-rank", "0"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: LoRA rank must be at least 1 (got 0)."


def test_headless_budget_counts_from_the_process_start(monkeypatch):
    """--budget-minutes covers the whole command: start-up and imports spend the budget too."""
    import psutil

    from models.finetune import __main__ as command

    seen: dict = {}

    def fake_run(config, monitor, estimate=True):
        seen["started"] = monitor.started
        raise PlaygroundError("stop here")

    monkeypatch.setattr(command, "run_finetune", fake_run)
    config = FinetuneConfig(dataset="snips", methods=("lora",), budget_minutes=3)
    assert command.run_command(config, None, quiet=True) == 2
    assert seen["started"] == pytest.approx(psutil.Process().create_time(), abs=0.01)
