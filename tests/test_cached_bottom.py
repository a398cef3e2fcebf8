"""Method "top": the top layers trained, the frozen bottom run once per row and replayed."""

from __future__ import annotations

import pytest

from models.core.errors import PlaygroundError
from models.finetune.config import FinetuneConfig
from models.finetune.engine import run_finetune
from models.finetune.estimate import PADDING_OVERHEAD, Calibration, Workload, estimate_seconds
from models.sources import loading
from tests.test_finetune import TINY, reloaded_accuracy

TEXTS = ["play some jazz", "will it rain in Paris tomorrow afternoon or not", "book a table"]


@pytest.fixture(scope="module")
def minilm():
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from models.sources.resolver import resolve

    path = resolve("packaged:all-MiniLM-L6-v2", want="encoder").path
    tokenizer = AutoTokenizer.from_pretrained(path)

    def fresh():
        from transformers import set_seed

        set_seed(0)  # the same new head each time
        return AutoModelForSequenceClassification.from_pretrained(path, num_labels=3).eval()

    return tokenizer, fresh


def _logits(model, tokenizer, texts):
    import torch

    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).logits


def test_replayed_bottom_gives_the_untouched_models_output(minilm):
    from models.finetune.cached_bottom import train_top_layers

    tokenizer, fresh = minilm
    expected = _logits(fresh(), tokenizer, TEXTS)
    model = train_top_layers(fresh(), 2)
    first = _logits(model, tokenizer, TEXTS)  # computes and stores the bottom
    again = _logits(model, tokenizer, TEXTS)  # replays it
    assert model.bottom_cache.misses == 3 and model.bottom_cache.hits == 3
    assert first.allclose(expected, atol=1e-5) and again.allclose(expected, atol=1e-5)
    # A row padded differently (alone, no padding) is the same row: a hit, the same logits.
    alone = _logits(model, tokenizer, TEXTS[:1])
    assert model.bottom_cache.hits == 4
    assert alone.allclose(expected[:1], atol=1e-5)


def test_only_the_top_layers_and_the_head_train(minilm):
    from models.finetune.cached_bottom import train_top_layers

    _, fresh = minilm
    model = train_top_layers(fresh(), 2)
    trained = {name.split(".")[0] for name, p in model.named_parameters() if p.requires_grad}
    layers = {
        int(name.split(".layer.")[1].split(".")[0])
        for name, p in model.named_parameters()
        if p.requires_grad and ".layer." in name
    }
    assert layers == {4, 5}  # MiniLM has 6
    assert trained == {"bert", "classifier"}
    assert not model.bert.embeddings.word_embeddings.weight.requires_grad
    assert model.bert.pooler.dense.weight.requires_grad  # BERT's pooler belongs to the head


def test_a_full_cache_still_gives_the_right_output(minilm):
    from models.finetune.cached_bottom import BottomCache, train_top_layers

    tokenizer, fresh = minilm
    expected = _logits(fresh(), tokenizer, TEXTS)
    model = train_top_layers(fresh(), 3)
    model.bottom_cache = BottomCache(model, 3, limit_bytes=0)
    assert _logits(model, tokenizer, TEXTS).allclose(expected, atol=1e-5)
    assert model.bottom_cache.stored == {} and model.bottom_cache.misses == 3


def test_training_moves_the_top_and_leaves_the_bottom(minilm):
    import torch

    from models.finetune.cached_bottom import train_top_layers

    tokenizer, fresh = minilm
    model = train_top_layers(fresh(), 1).train()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    for _ in range(2):
        model(**batch, labels=torch.tensor([0, 1, 2])).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    moved = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert any(".layer.5." in n for n in moved) and any(n.startswith("classifier") for n in moved)
    assert not any(".layer.4." in n or "embeddings" in n for n in moved)


def test_the_first_pass_is_planned_once_not_per_epoch():
    calibration = Calibration(
        step_s=0.01, token_s=1e-4, eval_token_s=3e-5, build_s=1.0, trainable_params=10,
        total_params=100, first_pass_token_s=2e-4,
    )  # fmt: skip
    one = Workload(1000, 20_000, 100, 2000, 1.0, 16, 0)
    two = Workload(1000, 20_000, 100, 2000, 2.0, 16, 0)
    no_cache = Calibration(**{**calibration.__dict__, "first_pass_token_s": 0.0})
    epoch = estimate_seconds(no_cache, two) - estimate_seconds(no_cache, one)
    assert estimate_seconds(calibration, two) - estimate_seconds(calibration, one) == (
        pytest.approx(epoch)
    )
    first_pass = (20_000 + 2000) * PADDING_OVERHEAD * 2e-4
    assert estimate_seconds(calibration, one) - estimate_seconds(no_cache, one) == (
        pytest.approx(first_pass)
    )


@pytest.mark.slow
def test_a_top_run_saves_a_plain_model_that_reproduces_its_accuracy(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(**{**TINY, "epochs": 2.0}, methods=("top",), trained_layers=2)
    record = run_finetune(config)
    result = record.result("top")
    assert result.status == "done", result.error
    assert result.estimate["seconds"] > 0
    assert 0 < result.trainable_params < result.total_params / 4
    classifier = loading.load_classifier(result.checkpoint)
    assert classifier.resolved.format == "transformers"
    assert not hasattr(classifier.model, "bottom_cache")
    assert reloaded_accuracy(result.checkpoint, record.labels) == pytest.approx(
        result.eval_accuracy
    )


@pytest.mark.parametrize(
    ("layers", "message"),
    [(0, "Train at least 1 top layer"), (7, "Trained top layers is 7, but .* has 6 layers")],
)
def test_impossible_layer_counts_are_refused_early(layers, message, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS", str(tmp_path))
    config = FinetuneConfig(**TINY, methods=("top",), trained_layers=layers)
    with pytest.raises(PlaygroundError, match=message):
        run_finetune(config)
    assert not any(tmp_path.iterdir())


def test_an_encoder_without_bert_layers_is_refused(minilm):
    from models.core.errors import ConfigError
    from models.finetune.heads import encoder_layers

    _, fresh = minilm
    model = fresh()
    del model.bert.encoder.layer
    with pytest.raises(ConfigError, match="needs a BERT-style encoder"):
        encoder_layers(model)


def test_command_line_and_api_carry_the_trained_layers():
    from models.finetune.__main__ import build_parser, config_from_args

    args = build_parser().parse_args(["--methods", "top", "--top-layers", "3"])
    config = config_from_args(args)
    assert config.methods == ("top",) and config.trained_layers == 3
    assert FinetuneConfig.from_dict(config.to_dict()).trained_layers == 3  # the API's dict
