"""Answer ranking: banks, grouped candidates, confidence, leave-one-out metrics, the index."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from models.core.errors import PlaygroundError
from models.core.text import detect_language
from models.rank import chat
from models.rank.banks import QABank, bank_from_upload, load_bank
from models.rank.evaluate import held_out, score_rankings
from models.rank.index import LexicalIndex, build_dense, top_rows
from models.rank.rankers import get_index
from models.sources import loading
from tests.conftest import ROOT

MINILM = "packaged:all-MiniLM-L6-v2"


def _bank() -> QABank:
    rows = [
        ("배고파", "밥 드세요"), ("배가 고파요", "밥 드세요"), ("졸려", "주무세요"),
        ("너무 졸려요", "주무세요"), ("안녕", "안녕하세요"), ("배고프다 진짜", "밥 드세요"),
    ]  # fmt: skip
    return QABank("tiny", "Tiny", [q for q, _ in rows], [a for _, a in rows], "a test")


class FakeIndex:
    """Scores set by hand over the whole bank (rows x rows), for metrics checked by hand."""

    kind, ref, note = "fake", "fake", ""

    def __init__(self, table: np.ndarray, columns: np.ndarray | None = None) -> None:
        self.table = table
        self.columns = np.arange(table.shape[1]) if columns is None else columns

    def scores(self, queries):  # pragma: no cover - the evaluation only asks stored questions
        raise AssertionError

    def subset(self, rows):
        return FakeIndex(self.table, self.columns[rows])

    def stored_scores(self, rows):
        return self.table[rows][:, self.columns]

    def stored_search(self, rows, k):
        return top_rows(self.stored_scores(rows), k)


def test_chatbot_data_keeps_each_pair_once_and_says_so():
    bank = load_bank("chatbot_data")
    assert len(bank) == 11_823 - 73  # upstream repeats 73 (question, answer) rows
    assert "73 repeated rows were kept once" in bank.note
    assert len(set(bank.answers)) == 7_779
    assert bank.language == "ko"


def test_the_offline_bank_has_korean_and_english_dialogues():
    bank = load_bank("chatterbot")
    assert {"ko", "en"} <= {detect_language(q) for q in bank.questions}
    assert "chatterbot-corpus==1.3.3" in bank.describe()
    assert all(q.strip() and a.strip() for q, a in zip(bank.questions, bank.answers, strict=True))


def test_held_out_questions_leave_the_index_and_parts_split_the_groups():
    bank = load_bank("chatbot_data")
    split = held_out(bank)
    assert split.n_queries == 2_903  # answers with two or more different questions
    held = {bank.questions[i] for i in split.queries}
    assert not held & {bank.questions[i] for i in split.index_rows}
    validation, test = held_out(bank, "validation"), held_out(bank, "test")
    assert set(validation.queries) | set(test.queries) == set(split.queries)
    assert not set(validation.queries) & set(test.queries)
    assert np.array_equal(validation.index_rows, split.index_rows)  # one index for both halves


def test_leave_one_out_metrics_by_hand():
    bank = _bank()
    split = held_out(bank)
    assert split.n_queries == 2  # one question of "밥 드세요" and one of "주무세요"
    table = np.zeros((len(bank), len(bank)), dtype=np.float32)
    first, second = split.queries
    # The first query ranks another answer's question first and its own second; the second
    # query finds its own answer first.
    others = [r for r in split.index_rows if bank.answer_ids[r] != bank.answer_ids[first]]
    table[first, others[0]] = 0.9
    own = [r for r in split.index_rows if bank.answer_ids[r] == bank.answer_ids[first]]
    table[first, own] = 0.5
    mine = [r for r in split.index_rows if bank.answer_ids[r] == bank.answer_ids[second]]
    table[second, mine[0]] = 0.8
    metrics = score_rankings(FakeIndex(table), bank, split)
    assert (metrics.hit_at_1, metrics.hit_at_5, metrics.mrr) == (0.5, 1.0, 0.75)
    assert metrics.right_scores == pytest.approx([0.8]) and metrics.wrong_scores == [
        pytest.approx(0.9)
    ]


def test_questions_that_share_an_answer_are_one_candidate():
    bank = _bank()
    result = chat.reply("배고파요", bank, LexicalIndex(bank.questions), top_k=3, threshold=0.0)
    first = result.candidates[0]
    assert first.answer == "밥 드세요" and result.answer == "밥 드세요" and result.confident
    assert len(first.questions) == 2  # the other two questions of that answer, not repeated rows
    assert [c.answer for c in result.candidates].count("밥 드세요") == 1
    assert result.margin == pytest.approx(first.score - result.candidates[1].score, abs=1e-4)


def test_below_the_threshold_the_bot_says_it_has_no_answer():
    bank = _bank()
    result = chat.reply("배고파요", bank, LexicalIndex(bank.questions), threshold=0.99)
    assert not result.confident and result.answer is None
    assert result.candidates  # the candidates are still shown
    assert chat.bot_message("배고파요", result).startswith("확실한 답을 찾지 못했어요")
    assert chat.bot_message("hungry", result).startswith("I have no confident answer")


def test_the_default_threshold_is_where_answering_pays_most():
    right, wrong = np.array([0.9, 0.95, 0.97]), np.array([0.8, 0.85, 0.91])
    assert chat.best_threshold(right, wrong) == pytest.approx(0.95)
    calibration = chat.Calibration(right, wrong, 0.95)
    assert "above 67% of the scores of right first answers and 100% of wrong ones" in (
        calibration.place(0.96)
    )


@pytest.mark.parametrize(
    ("query", "top_k", "threshold", "message"),
    [
        ("", 5, None, "Type a message first"),
        ("   ", 5, None, "Type a message first"),
        ("가" * 1001, 5, None, "reads up to 1,000"),
        ("hi", 0, None, "Top-k must be between 1 and 50"),
        ("hi", 2.5, None, "Top-k must be a whole number"),
        ("hi", 5, "high", "threshold must be a finite number"),
        ("hi\x00", 5, None, "control character"),
        (["hi"], 5, None, "must be text"),
    ],
)
def test_bad_input_gets_a_clear_message(query, top_k, threshold, message):
    bank = _bank()
    with pytest.raises(PlaygroundError, match=message):
        chat.reply(query, bank, LexicalIndex(bank.questions), top_k, threshold)


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_an_uploaded_bank_is_cleaned_and_explained(tmp_path):
    text = "질문,답\n배고파,밥 드세요\n배고파,밥 드세요\n졸려,\n,주무세요\n졸려,주무세요\n"
    bank = bank_from_upload(_write(tmp_path, "qa.csv", text), "질문", "답")
    assert bank.questions == ["배고파", "졸려"]
    assert "2 rows with an empty question or answer" in bank.note
    assert "1 repeated rows were kept once" in bank.note
    cp949 = bank_from_upload(_write(tmp_path, "ko.csv", "q,a\n안녕,반가워\n", "cp949"), "q", "a")
    assert cp949.answers == ["반가워"]


@pytest.mark.parametrize(
    ("text", "question", "answer", "message"),
    [
        ("q,a\nx,y\n", "q", "answer", "no column 'answer'"),
        ("q,a\nx,y\n", "q", "", "which column holds the answers"),
        ("q,a\nx,y\n", "q", "q", "must differ"),
        ("q,a\nx,\n,y\n", "q", "a", "No row has both"),
    ],
)
def test_a_bad_upload_gets_a_clear_message(tmp_path, text, question, answer, message):
    with pytest.raises(PlaygroundError, match=message):
        bank_from_upload(_write(tmp_path, "qa.csv", text), question, answer)


def test_an_upload_over_the_row_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_UPLOAD_ROWS", "2")
    rows = "".join(f"q{i},a{i}\n" for i in range(3))
    with pytest.raises(PlaygroundError, match="the limit is 2"):
        bank_from_upload(_write(tmp_path, "qa.csv", "q,a\n" + rows), "q", "a")


def test_the_index_is_cached_on_disk_and_a_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    bank = _bank()
    embedder = loading.load_embedder(MINILM)
    first = build_dense(embedder, bank.questions, bank.fingerprint, bank.name)
    assert first.note == "Built and cached."
    again = build_dense(embedder, bank.questions, bank.fingerprint, bank.name)
    assert again.note == "Reloaded from the cache."
    np.testing.assert_array_equal(first.vectors, again.vectors)
    [cached] = (tmp_path / "cache" / "rank").glob("*.npy")
    cached.write_bytes(b"not an array")
    rebuilt = build_dense(embedder, bank.questions, bank.fingerprint, bank.name)
    assert rebuilt.note.startswith(f"Rebuilt: the cached index is damaged ({cached.name} has 12")
    np.testing.assert_allclose(rebuilt.vectors, first.vectors, atol=1e-6)
    other = QABank("tiny", "Tiny", bank.questions[:5], bank.answers[:5], "a test")
    fresh = build_dense(embedder, other.questions, other.fingerprint, other.name)
    assert fresh.note == "Built and cached."  # other rows: another cache entry, not a mix-up
    # What the chat serves is the cached index: the search is a dot product of unit vectors.
    scores = first.scores(["배고파"])
    assert scores.shape == (1, len(bank)) and scores[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_a_second_builder_waits_for_the_first_and_reloads_its_cache(tmp_path, monkeypatch):
    """The start-up preparation and a user's first question may ask for the same index at once:
    the second waits for the first's file rather than embedding the bank a second time."""
    import threading

    from filelock import FileLock

    from models.rank.index import cached_vectors_file

    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    bank = _bank()
    embedder = loading.load_embedder(MINILM)
    built = build_dense(embedder, bank.questions, bank.fingerprint, bank.name)
    vectors_file = cached_vectors_file(built, bank.fingerprint)
    saved = vectors_file.read_bytes()
    vectors_file.unlink()  # as if the other process were still embedding
    messages, result = [], {}
    lock = FileLock(str(vectors_file) + ".lock")
    lock.acquire()  # the "other process" holds the index's lock
    waiter = threading.Thread(target=lambda: result.update(index=build_dense(
        embedder, bank.questions, bank.fingerprint, bank.name,
        lambda done, total, message="": messages.append(message),
    )))  # fmt: skip
    waiter.start()
    waiter.join(timeout=3)
    assert waiter.is_alive()  # waiting, not embedding on its own
    assert messages == [
        "Another process is building this index (the start-up preparation?); waiting"
    ]
    vectors_file.write_bytes(saved)  # the other process finishes
    lock.release()
    waiter.join(timeout=30)
    assert result["index"].note == "Reloaded from the cache."
    np.testing.assert_array_equal(result["index"].vectors, built.vectors)


def test_a_text_generator_is_not_a_ranker(tmp_path):
    folder = tmp_path / "llm"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(PlaygroundError, match="text generator"):
        get_index(_bank(), str(folder))


def test_rank_api_answers_and_explains_errors(client):
    result = client.predict(query="hello", bank="chatterbot", top_k=3, api_name="/rank")
    assert set(result) == {"answer", "confident", "margin", "model", "candidates"}
    assert len(result["candidates"]) == 3
    assert set(result["candidates"][0]) == {"question", "answer", "score"}
    assert result["answer"] in (None, result["candidates"][0]["answer"])
    assert client.predict(query=" ", api_name="/rank") == {"error": "Type a message first."}
    unknown = client.predict(query="hi", bank="nope", api_name="/rank")
    assert "Unknown Q/A bank 'nope'" in unknown["error"]


@pytest.mark.slow
def test_evaluate_command_writes_the_model_and_the_lexical_ranker(tmp_path):
    out = tmp_path / "rank.json"
    args = [sys.executable, "-m", "models.rank.evaluate", "--bank", "chatterbot", "--model",
            MINILM, "--json", str(out)]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert set(written) == {"model", "lexical"}
    assert written["model"]["ref"] == MINILM and written["lexical"]["ref"] == "lexical"
    for metrics in written.values():
        assert set(metrics) == {"ref", "hit_at_1", "hit_at_5", "mrr", "n_queries"}
        assert 0 <= metrics["hit_at_1"] <= metrics["hit_at_5"] <= 1
        assert metrics["n_queries"] == written["model"]["n_queries"] > 0
