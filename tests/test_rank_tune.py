"""Answer ranking, part two: training pairs, tuning the encoder, tuned encoders as the default,
the Qdrant backend and the traced query encoder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.core.errors import ConfigError, PlaygroundError
from models.core.monitor import Monitor
from models.rank import encoders, qdrant
from models.rank.banks import QABank, load_bank
from models.rank.chat import ask, calibrate, reply
from models.rank.compare import comparison_rows
from models.rank.evaluate import held_out
from models.rank.index import LEXICAL_WEIGHT, DenseIndex, HybridIndex
from models.rank.pairs import batches, hard_negatives, training_pairs, with_hard_negatives
from models.rank.rankers import get_index
from models.rank.tune import TuneSettings, run_tune
from models.sources import embeddings
from models.sources.loading import load_embedder
from models.sources.traced import traced_encoder
from tests.conftest import ROOT

MINILM = "packaged:all-MiniLM-L6-v2"


def _bank() -> QABank:
    rows = [
        ("I am hungry", "Eat something."), ("I'm so hungry", "Eat something."),
        ("starving here", "Eat something."), ("I am sleepy", "Go to bed."),
        ("so tired and sleepy", "Go to bed."), ("hello there", "Hi!"), ("hi", "Hi!"),
        ("what is the weather", "Look outside."), ("is it raining", "Look outside."),
        ("I feel sad", "I am here for you."), ("feeling down today", "I am here for you."),
        ("tell me a joke", "Why did the chicken cross the road?"),
    ]  # fmt: skip
    return QABank("tiny-en", "Tiny", [q for q, _ in rows], [a for _, a in rows], "a test")


def test_pairs_never_hold_a_held_out_question_and_batches_never_repeat_a_group():
    bank = load_bank("chatbot_data")
    split = held_out(bank)
    pairs = training_pairs(bank, split.index_rows, "query: ", "passage: ")
    held = {"query: " + bank.questions[i] for i in split.queries}
    assert not held & ({p.anchor for p in pairs} | {p.positive for p in pairs})
    answers = [p for p in pairs if p.positive.startswith("passage: ")]
    kept = {(bank.questions[i], bank.answer_ids[i]) for i in split.index_rows}
    assert len(answers) == len(kept)  # one per question of each group
    siblings = [p for p in pairs if p.positive.startswith("query: ")]
    assert siblings and all({(p.anchor[7:], p.group), (p.positive[7:], p.group)} <= kept
                            and p.anchor != p.positive for p in siblings)  # fmt: skip
    only_siblings = training_pairs(bank, split.index_rows, "query: ", "passage: ", answers=False)
    assert only_siblings == siblings
    chunks = batches(pairs, 32, seed=0)
    assert sorted(map(id, (p for b in chunks for p in b))) == sorted(map(id, pairs))
    assert all(len({p.group for p in b}) == len(b) <= 32 for b in chunks)


def test_hard_negatives_are_the_best_question_of_another_answer():
    bank = _bank()
    rows = np.arange(len(bank))
    vectors = np.eye(len(bank), dtype=np.float32)
    vectors[0, 3] = 0.9  # "I am hungry" looks like "I am sleepy" (another answer)
    vectors[0, 1] = 0.95  # ... and more like its own sibling, which must not count
    index = DenseIndex(None, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), "")
    negatives = hard_negatives(index, bank, rows)
    assert negatives["I am hungry"] == "I am sleepy"
    pairs = with_hard_negatives(training_pairs(bank, rows), negatives)
    assert all(p.negative is not None for p in pairs)
    assert all(bank.answer_ids[bank.questions.index(p.negative)] != p.group for p in pairs)


def test_bad_tuning_settings_are_refused_with_a_message():
    for settings, words in [
        (TuneSettings(methods=("qlora",)), "Choose methods"),
        (TuneSettings(methods=()), "Choose methods"),
        (TuneSettings(minutes=0), "minutes"),
        (TuneSettings(batch_size=1), "batch size"),
    ]:
        with pytest.raises(ConfigError, match=words):
            settings.check()
    result = subprocess.run(
        [sys.executable, "-m", "models.rank.tune", "--methods", "dora", "--minutes", "0.1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "Choose methods" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_tuning_full_and_lora_saves_encoders_that_rank_and_join_the_list(isolated_settings):
    bank = _bank()
    settings = TuneSettings(
        bank.name, MINILM, ("full", "lora"), minutes=0.05, batch_size=4, hard_negatives=True
    )
    record = run_tune(bank, settings, Monitor(list(settings.methods)))
    full, lora = record.methods
    assert full.status == lora.status == "done", (full.error, lora.error)
    assert full.steps >= 1 and lora.steps >= 1
    assert lora.trainable_params < full.trainable_params // 10
    assert full.trainable_params == full.total_params
    assert lora.checkpoint_mb < full.checkpoint_mb / 10  # the adapter alone
    assert set(full.metrics) == {"all", "validation", "test"}
    assert 0 <= lora.metrics["all"]["hit_at_1"] <= 1
    assert len(comparison_rows(record)) == 4
    saved = json.loads((encoders.encoders_dir() / record.run_id / "record.json").read_text())
    assert [m["status"] for m in saved["methods"]] == ["done", "done"]
    listed = {t.path for t in encoders.tuned_encoders(bank.name)}
    assert listed == {full.checkpoint, lora.checkpoint}
    # A tuned folder loads again (LoRA on its base) and finds the index built during the run.
    for outcome in (full, lora):
        index = get_index(bank, outcome.checkpoint)
        assert index.note == "Reloaded from the cache."
        answer = reply("I'm hungry", bank, index, top_k=2)
        assert answer.candidates[0].answer == "Eat something."


def _record(run_id: str, bank: QABank, base: float, hits: dict[str, float], root: Path) -> None:
    methods = []
    for method, hit in hits.items():
        folder = root / run_id / method
        folder.mkdir(parents=True)
        methods.append(encoders.MethodOutcome(method, method, "done", checkpoint=str(folder),
                       metrics={"validation": {"hit_at_1": hit}}))  # fmt: skip
    record = encoders.TuneRecord(
        run_id,
        bank.name,
        bank.fingerprint,
        MINILM,
        base_metrics={"validation": {"hit_at_1": base}},
        methods=methods,
    )
    encoders.save_record(record)


def test_auto_is_the_tuned_encoder_that_beats_its_base_on_validation(isolated_settings):
    bank = _bank()
    root = encoders.encoders_dir()
    assert encoders.best_tuned(bank.name, bank.fingerprint) is None
    _record("1-worse", bank, 0.50, {"full": 0.49, "lora": 0.50}, root)
    assert encoders.best_tuned(bank.name, bank.fingerprint) is None  # not better: the base stays
    _record("2-better", bank, 0.50, {"full": 0.55, "lora": 0.53}, root)
    assert encoders.best_tuned(bank.name, bank.fingerprint) == str(root / "2-better" / "full")
    other = QABank(bank.name, "Tiny", bank.questions[:-1], bank.answers[:-1], "edited")
    assert encoders.best_tuned(other.name, other.fingerprint) is None  # other content


def test_qdrant_local_mode_gives_the_in_process_top_k(isolated_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PLAYGROUND_QDRANT_URL", "")
    bank = load_bank("chatterbot")
    memory = get_index(bank, MINILM)
    stored = get_index(bank, MINILM, backend="qdrant")
    assert "Qdrant's embedded local mode" in stored.note
    for query in ("what is your name", "tell me a joke", "안녕하세요", "do you like music"):
        rows_a, scores_a = memory.search([query], 10)
        rows_b, scores_b = stored.search([query], 10)
        np.testing.assert_allclose(scores_a, scores_b, atol=1e-5)
        # Equal scores (repeated questions) may come in either order, and a tie at the 10th
        # score may keep either row: every row scoring above that last score is in both.
        last = scores_a[0, -1] + 1e-5
        assert {r for r, s in zip(rows_a[0], scores_a[0], strict=True) if s > last} == {
            r for r, s in zip(rows_b[0], scores_b[0], strict=True) if s > last
        }
        assert memory.search([query], 1)[1][0, 0] == pytest.approx(scores_b[0, 0], abs=1e-5)
    again = qdrant.qdrant_index(memory, bank.name, bank.fingerprint)  # the collection is reused
    assert again.collection == stored.collection
    assert ask("tell me a joke", bank, MINILM, backend="qdrant").candidates


def test_an_unreachable_qdrant_server_is_a_message_and_the_chat_goes_on(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_QDRANT_URL", "http://127.0.0.1:9")
    bank = _bank()
    with pytest.raises(PlaygroundError, match="Qdrant server at http://127.0.0.1:9 is not reach"):
        ask("hello", bank, MINILM, backend="qdrant")
    with pytest.raises(PlaygroundError, match="searches embeddings"):
        ask("hello", bank, "lexical", backend="qdrant")
    with pytest.raises(PlaygroundError, match="Unknown search backend"):
        ask("hello", bank, MINILM, backend="faiss")
    assert ask("hello there", bank, MINILM).candidates[0].answer == "Hi!"


def test_the_traced_query_encoder_gives_the_eager_vectors(monkeypatch):
    embedder = load_embedder("packaged:multilingual-e5-small")
    traced = traced_encoder(embedder)
    assert traced is not None
    texts = ["안녕", "요즘 너무 피곤하고 아무것도 하기 싫어. 어떻게 하면 좋을까?",
             "a longer English message " * 12]  # fmt: skip
    monkeypatch.setenv("PLAYGROUND_TRACED_QUERIES", "0")
    eager = [embeddings.encode_few(embedder, [t], "query: ") for t in texts]
    monkeypatch.setenv("PLAYGROUND_TRACED_QUERIES", "1")
    for text, expected in zip(texts, eager, strict=True):
        fast = embeddings.encode_few(embedder, [text], "query: ")
        np.testing.assert_allclose(fast, expected, atol=1e-5)
        np.testing.assert_allclose(traced.encode(text, "query: "), expected, atol=1e-5)


def test_hybrid_scores_are_the_cosine_plus_a_small_share_of_the_ngram_cosine_at_most_one():
    bank = load_bank("chatterbot")
    hybrid, dense = get_index(bank, f"hybrid:{MINILM}"), get_index(bank, MINILM)
    lexical = get_index(bank, "lexical")
    query = "what is your favourite book"
    rows, scores = hybrid.search([query], 5)
    cosine, ngrams = dense.scores([query])[0], lexical.scores([query])[0]
    expected = (cosine + LEXICAL_WEIGHT * ngrams) / (1 + LEXICAL_WEIGHT)
    np.testing.assert_allclose(scores[0], expected[rows[0]], atol=1e-6)
    assert rows[0][0] == int(np.argmax(expected))
    assert list(scores[0]) == sorted(scores[0], reverse=True)
    answer = reply(query, bank, hybrid)
    assert answer.candidates[0].score == pytest.approx(float(expected.max()), abs=1e-4)
    # The threshold reads the same blended scores: they spread over a range (fused ranks took a
    # handful of values, which no threshold separates).
    calibration = calibrate(bank, hybrid)
    scores = np.concatenate([calibration.right, calibration.wrong])
    assert scores.max() <= 1.0 + 1e-5 and len(np.unique(scores.round(4))) > 20


def test_the_ngrams_break_a_near_tie_between_meanings():
    """Two stored questions the encoder finds about as close: the one spelled like the query wins
    in the hybrid, while a clear gap in meaning is never overturned by spelling."""
    bank = load_bank("chatterbot")
    dense, hybrid = get_index(bank, MINILM), get_index(bank, f"hybrid:{MINILM}")
    lexical = get_index(bank, "lexical")
    queries = bank.questions[:200]
    cosine, ngrams, blended = dense.scores(queries), lexical.scores(queries), hybrid.scores(queries)
    moved = 0
    for q in range(len(queries)):
        first, top = int(np.argmax(cosine[q])), int(np.argmax(blended[q]))
        if first != top:
            moved += 1
            assert ngrams[q, top] > ngrams[q, first]
            assert cosine[q, first] - cosine[q, top] <= LEXICAL_WEIGHT + 1e-6
    assert moved > 0


def test_auto_is_the_hybrid_in_this_process_and_the_encoder_alone_in_qdrant(
    isolated_settings, monkeypatch, tmp_path
):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PLAYGROUND_QDRANT_URL", "")
    bank = _bank()
    auto = get_index(bank, "auto")
    assert isinstance(auto, HybridIndex) and auto.ref.startswith("hybrid:")
    stored = get_index(bank, "auto", backend="qdrant")
    assert stored.kind == "dense" and stored.ref == auto.dense.ref
