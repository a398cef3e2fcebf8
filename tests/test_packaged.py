"""Packaged offline models: converted once into the cache, reused after, loadable by name."""

from __future__ import annotations

import pytest

from models.sources import loading, packaged
from models.sources.resolver import resolve


@pytest.mark.slow
def test_smollm2_converts_once_and_generates(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    model = packaged.get_packaged("SmolLM2-135M-Instruct")
    messages = []
    folder = packaged.prepare(model, progress=lambda done, total, msg: messages.append(msg))
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    assert folder.parent == tmp_path / "cache" / "models"
    assert messages and messages[-1] == "SmolLM2 ready"
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp left

    # Second time: reused, the converter is not called again.
    calls = []
    monkeypatch.setattr(
        packaged,
        "PACKAGED",
        {**packaged.PACKAGED, model.name: _spy(model, calls)},
    )
    assert packaged.prepare(packaged.PACKAGED[model.name]) == folder
    assert calls == []

    resolved = resolve("HuggingFaceTB/SmolLM2-135M-Instruct", want="causal-lm")
    assert resolved.source == "packaged" and resolved.model_type == "llama"
    lm = loading.load_causal_lm("packaged:SmolLM2-135M-Instruct")
    prompt = lm.tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    out = lm.model.generate(**prompt, max_new_tokens=12, do_sample=False)
    answer = lm.tokenizer.decode(out[0][prompt["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer
    loading.forget(("causal-lm",))


def _spy(model: packaged.PackagedModel, calls: list) -> packaged.PackagedModel:
    import dataclasses

    def converter(out_dir, progress):
        calls.append(out_dir)
        return model.converter(out_dir, progress)

    return dataclasses.replace(model, converter=converter)


def test_e5_packaged_folder_is_a_sentence_transformer_with_prompts():
    resolved = resolve("packaged:multilingual-e5-small", want="embedding")
    assert resolved.format == "sentence-transformers"
    assert resolved.model_type == "xlm-roberta"
    embedder = loading.load_embedder("packaged:multilingual-e5-small")
    assert embedder.model.prompts["query"] == "query: "
    ko = embedder.model.encode(
        ["영화 정말 재밌어요", "이 영화 최고예요", "주식 시장이 폭락했다"], prompt_name="query"
    )
    assert ko[0] @ ko[1] > ko[0] @ ko[2]
