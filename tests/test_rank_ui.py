"""Answer ranking in two languages: messages, names, tables and hints in Korean and English; tuned
encoders named by what they are; the tables' key columns first; a tuning run that its browser
finds again after a reload."""

from __future__ import annotations

import threading

import gradio as gr
import numpy as np
import pytest

from demos.browser import SESSIONS, Browser
from demos.rank import tune_views, views
from models.core.errors import PlaygroundError
from models.core.i18n import error_text, localize
from models.core.jobs import Job, start_job
from models.core.monitor import Monitor
from models.rank import encoders
from models.rank.banks import QABank, bank_from_upload, load_bank
from models.rank.chat import bot_message, reply
from models.rank.compare import KEY_COLUMNS, comparison_rows
from models.rank.evaluate import RankMetrics
from models.rank.index import LexicalIndex
from models.rank.tune import TuneSettings
from tests.english_check import leftover_english
from tests.handlers import find_handler

HANGUL = "가"  # any syllable: "has Korean in it"


def _bank() -> QABank:
    rows = [("배고파", "밥 드세요"), ("배가 고파요", "밥 드세요"), ("졸려", "주무세요"),
            ("너무 졸려요", "주무세요"), ("안녕", "안녕하세요")]  # fmt: skip
    return QABank("tiny", "Tiny", [q for q, _ in rows], [a for _, a in rows], "a test")


def _korean(text: str) -> bool:
    return any("가" <= c <= "힣" for c in text)


def _tuned_record(root, bank: str = "chatterbot") -> encoders.TuneRecord:
    """A finished tuning run on disk: the base, and LoRA with a checkpoint folder."""
    folder = root / "20261125-224406-chatterbot-all-MiniLM-L6-v2" / "lora"
    folder.mkdir(parents=True)
    lora = encoders.MethodOutcome(
        "lora", "LoRA", "done", trainable_params=1_000, total_params=100_000, train_s=61.24,
        checkpoint=str(folder), metrics={"all": {"hit_at_1": 0.5, "hit_at_5": 0.8, "mrr": 0.6},
                                         "validation": {"hit_at_1": 0.512}},
    )  # fmt: skip
    record = encoders.TuneRecord(
        folder.parent.name, bank, "f" * 16, "packaged:all-MiniLM-L6-v2", created=1_795_000_000,
        base_metrics={"all": {"hit_at_1": 0.4}}, methods=[lora],
    )  # fmt: skip
    encoders.save_record(record)
    return record


# -- messages in both languages ------------------------------------------------------------------


def test_the_no_answer_reply_speaks_the_message_language_else_the_page_language():
    bank = _bank()
    result = reply("배고파요", bank, LexicalIndex(bank.questions), threshold=0.99)
    assert bot_message("배고파요", result, "en").startswith("확실한 답을 찾지 못했어요")
    assert bot_message("so hungry", result, "ko").startswith("I have no confident answer")
    # A message with no letters says nothing about its language: the page's is used.
    assert bot_message("???", result, "ko").startswith("확실한 답을 찾지 못했어요")
    assert bot_message("123", result, "en").startswith("I have no confident answer")


def test_a_bank_and_its_notes_read_in_korean(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("질문,답\n배고파,밥 드세요\n배고파,밥 드세요\n졸려,\n", encoding="utf-8")
    bank = bank_from_upload(str(path), "질문", "답")
    korean = localize(bank.describe(), "ko")
    assert "질문 1개, 답변 1개" in korean and "반복된 1개 행은 한 번만" in korean
    assert not leftover_english(korean)
    assert "1 questions, 1 answers" in str(bank.describe())  # the English stays as it was
    chatterbot = localize(load_bank("chatterbot").describe(), "ko")
    assert chatterbot.startswith("ChatterBot 말뭉치") and not leftover_english(chatterbot)


@pytest.mark.parametrize(
    ("question", "answer", "korean"),
    [("질문", "nope", "답변으로 쓸 열 'nope'이 없습니다"), ("질문", "", "답변이 든 열을 고르세요"),
     ("질문", "질문", "질문 열과 답변 열은 서로 달라야 합니다")],
)  # fmt: skip
def test_a_bad_upload_is_explained_in_korean(tmp_path, question, answer, korean):
    path = tmp_path / "qa.csv"
    path.write_text("질문,답\n배고파,밥 드세요\n", encoding="utf-8")
    with pytest.raises(PlaygroundError) as caught:
        bank_from_upload(str(path), question, answer)
    assert korean in localize(error_text(caught.value), "ko")


def test_tuning_settings_check_the_learning_rates_in_both_languages():
    settings = TuneSettings(lr_full=3e-5, lr_lora=1e-3)
    settings.check()
    assert (settings.learning_rate("full"), settings.learning_rate("lora")) == (3e-5, 1e-3)
    with pytest.raises(PlaygroundError) as caught:
        TuneSettings(lr_lora=5.0).check()
    assert "LoRA learning rate must be between" in str(caught.value)
    assert "LoRA 학습률은(는)" in localize(error_text(caught.value), "ko")


# -- plain names and tables that fit -------------------------------------------------------------


def test_a_tuned_encoder_is_named_by_bank_method_date_and_score(isolated_settings):
    record = _tuned_record(encoders.encoders_dir())
    [tuned] = encoders.tuned_encoders("chatterbot")
    assert str(tuned.label).startswith("Tuned for ChatterBot: LoRA, ")
    assert "validation hit@1 0.512" in tuned.label and "/" not in tuned.label
    korean = localize(tuned.label, "ko")
    assert (
        korean.startswith("ChatterBot에 맞춘 LoRA, ")
        and "월" in korean
        and "검증 hit@1 0.512" in korean
    )
    # The list shows the name; the folder is only the choice's value.
    choices = views.model_choices("chatterbot", "ko")
    assert (localize(tuned.label, "ko"), record.methods[0].checkpoint) in choices
    assert all(not leftover_english(name) for name, _ in choices)
    assert encoders.ranker_title(record.methods[0].checkpoint) == tuned.label
    assert encoders.ranker_title("/some/folder/my-encoder") == "my-encoder"
    assert localize(encoders.ranker_title("hybrid:lexical"), "ko").startswith("하이브리드")


def test_a_reply_names_its_ranker_plainly_and_folds_the_path_away(isolated_settings):
    record = _tuned_record(encoders.encoders_dir())
    bank = _bank()
    result = reply("배고파요", bank, LexicalIndex(bank.questions), threshold=0.0)
    result.model = record.methods[0].checkpoint
    details = views.reply_details(result, "ko")
    shown, folded = details.split("<details>")
    assert "답변함" in shown and "임계값" in shown and "ChatterBot에 맞춘 LoRA" in shown
    assert record.methods[0].checkpoint not in shown and record.methods[0].checkpoint in folded
    frame = views.candidates_frame(result, "ko")
    assert list(frame.columns) == ["점수", "답변", "저장된 질문", "같은 답변의 다른 질문"]
    assert "stored question" in views.candidates_frame(result, "en").columns


def test_the_evaluation_table_puts_the_scores_first():
    results = {
        "model": RankMetrics("packaged:multilingual-e5-small", 0.5, 0.7, 0.6, 10, [], []),
        "lexical": RankMetrics("lexical", 0.3, 0.5, 0.4, 10, [], []),
    }
    frame = views.evaluation_frame(results, "ko")
    assert list(frame.columns)[:3] == ["hit@1", "hit@5", "MRR"]
    assert list(frame["검색 모델"]) == ["packaged:multilingual-e5-small", "문자 n-그램(모델 없음)"]
    once = views.evaluation_frame(
        {"model": results["lexical"], "lexical": results["lexical"]}, "en"
    )
    assert len(once) == 1


def test_the_tuning_comparison_leads_with_method_hit_time_and_trainable_share(isolated_settings):
    record = _tuned_record(encoders.encoders_dir())
    rows = comparison_rows(record)
    assert [list(row)[:4] for row in rows] == [list(KEY_COLUMNS)] * 3
    assert [str(c) for c in KEY_COLUMNS] == ["method", "hit@1", "time (s)", "trainable %"]
    base, lexical, lora = rows
    assert lexical[KEY_COLUMNS[0]] == "character n-grams (no model)"
    assert base[KEY_COLUMNS[0]] == "base: packaged:all-MiniLM-L6-v2"
    assert (lora[KEY_COLUMNS[1]], lora[KEY_COLUMNS[2]], lora[KEY_COLUMNS[3]]) == (0.5, 61.2, 1.0)
    frame = tune_views.comparison_frame(record, "ko")
    assert list(frame.columns)[:4] == ["방법", "hit@1", "시간(초)", "학습 파라미터 %"]
    assert frame.iloc[2, 0] == "LoRA" and frame.iloc[0, 2] == ""  # blank, not NaN
    assert "checkpoint MB" in tune_views.comparison_frame(record, "en").columns


# -- the tab: hints, examples ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tab() -> gr.Blocks:
    from demos.i18n import create_language_switch, wire_language
    from demos.rank import create_rank_tab

    with gr.Blocks() as app:
        switch = create_language_switch()
        create_rank_tab(app)
        wire_language(app, switch)
    return app


CONTROLS = (gr.Slider, gr.Number, gr.Checkbox, gr.Dropdown, gr.Radio, gr.CheckboxGroup)


def test_every_control_has_a_one_line_hint_in_both_languages(tab):
    labels = []
    for block in tab.blocks.values():
        args = getattr(block, "constructor_args", {}) or {}
        if not isinstance(block, CONTROLS) or block.elem_id == "language":
            continue
        hint = args.get("info")
        label = str(args.get("label"))
        assert hint and _korean(localize(hint, "ko")) and not _korean(str(hint)), label
        assert "\n" not in str(hint) and len(str(hint)) <= 120, label
        labels.append(label)
    expected = ["Q/A bank", "Ranker", "Answers shown", "Threshold", "Batch size", "LoRA rank",
                "Training time per method (minutes)", "Learning rate, LoRA"]  # fmt: skip
    assert set(expected) <= set(labels)


def test_examples_follow_the_page_language():
    assert all(_korean(q) for [q] in views.examples("ko"))
    assert not any(_korean(q) for [q] in views.examples("en"))
    assert views.example(1, "ko") == views.EXAMPLES["ko"][1]
    assert views.example(99, "en") == "" and views.example(None, "en") == ""


# -- a run that survives a reload -----------------------------------------------------------------


def _handler(app: gr.Blocks, name: str):
    return find_handler(app, name).fn


def _request(session: str, browser: str, lang: str = "ko") -> gr.Request:
    SESSIONS.set(session, Browser(browser, lang))
    return gr.Request(session_hash=session)


@pytest.fixture
def running(tmp_path):
    """A fake encoder tuning run owned by browser "b1", stopped and finished at the end."""
    release = threading.Event()
    monitor = Monitor(["full", "lora"])

    def work(m: Monitor) -> None:
        m.phase("Training")
        m.method("full", status="training", step=3, total_steps=10)
        while not m.stop_requested and not release.wait(0.05):
            pass

    job = start_job("a test run", monitor, work, owner="browser:b1", kind=tune_views.KIND,
                    limit_s=0)  # fmt: skip
    yield job
    job.stop()
    release.set()
    job.wait(10)


def test_after_a_reload_the_starter_sees_progress_and_stop_others_see_the_slot(tab, running):
    on_page = _handler(tab, "reattach")
    assert tune_views.own_job("browser:b1") is running
    assert tune_views.own_job("browser:b2") is None and tune_views.own_job("") is None
    mine = on_page(None, _request("reloaded", "b1"))  # a fresh page: nothing in its state
    by_name = {getattr(c, "elem_id", None) or type(c).__name__: v for c, v in mine.items()}
    assert any(value is running for value in mine.values())  # kept in the page's state
    assert (
        "3스텝" in by_name["rank-tune-status"]
        and "전체 미세 조정: 학습 중" in by_name["rank-tune-status"]
    )
    assert by_name["rank-tune-stop"]["visible"] is True
    assert by_name["Timer"].active is True
    theirs = on_page(None, _request("someone-else", "b2", "en"))
    [status] = theirs.values()
    assert "Another training run is in progress" in status and "a test run" in status
    on_stop = _handler(tab, "on_stop")
    assert "멈춥니다" in on_stop(None, _request("reloaded", "b1"))  # Stop without the old page
    running.wait(10)
    assert not running.running
    ended = _handler(tab, "on_tick")(running, 1, _request("reloaded", "b1"))
    by_name = {getattr(c, "elem_id", None) or type(c).__name__: v for c, v in ended.items()}
    assert by_name["Timer"].active is False and by_name["rank-tune-stop"]["visible"] is False


def test_progress_text_and_curves_are_in_the_page_language():
    monitor = Monitor(["full", "lora"])
    monitor.method("lora", status="training", step=2, total_steps=8)
    monitor.log("lora", {"step": 1, "loss": 0.5, "s": 1.0})
    snapshot = monitor.snapshot()
    text = tune_views.progress_text(snapshot, "ko")
    assert "시작하는 중" in text and "LoRA: 학습 중, 약 8스텝 중 2스텝" in text
    assert not leftover_english(text)
    assert set(tune_views.curves(snapshot, "ko")["method"]) == {"전체 미세 조정", "LoRA"}
    job = Job(monitor, "x", error=None)
    assert "결과 없이" in tune_views.ended_text(job, "ko")
    assert np.isnan(tune_views.curves(snapshot, "en")["loss"].iloc[0])
