"""The take-away report, wired into the Answer ranking tab: the last chat reply (message, answer or
that there was none, how sure, the candidates, the ranker by name and reference, bank, search),
the leave-one-out evaluation (vs the lexical ranker) and the encoder fine-tuning comparison, in
the page's language; the button under each result appears with a file and goes with the result."""

from __future__ import annotations

import re
from dataclasses import asdict
from types import SimpleNamespace

import gradio as gr
import pytest

from models.core.report import render_markdown
from models.rank import encoders
from models.rank.banks import QABank, load_bank
from models.rank.chat import ask
from models.rank.evaluate import evaluate_bank
from models.rank.rankers import LEXICAL, MEMORY, get_index
from models.rank.tune import TuneSettings
from tests.english_check import leftover_english

KOREAN = SimpleNamespace(session_hash=None, username=None, session={},
                         headers={"accept-language": "ko-KR,ko;q=0.9"})  # fmt: skip
ENGLISH = SimpleNamespace(session_hash=None, username=None, session={},
                          headers={"accept-language": "en-US"})  # fmt: skip
ASKED = "배고파"
# Names a Korean report keeps as they are: the bank's package, its licence, the metrics.
NAMES = {"ChatterBot", "chatterbot", "corpus", "PyPI", "BSD", "hit", "MRR", "MiniLM", "L6"}


@pytest.fixture(autouse=True)
def reports_folder(tmp_path, monkeypatch):
    """Reports the buttons write go to a throwaway folder."""
    from demos import report

    monkeypatch.setattr(report, "REPORTS", tmp_path / "reports")


@pytest.fixture(scope="module")
def bank() -> QABank:
    return load_bank("chatterbot")


def _korean(markdown: str, before: str) -> None:
    """No English left before ``before`` (what follows is the bank's own text), code aside."""
    body = re.sub(r"`[^`]*`", "", markdown.split(before)[0])
    assert not leftover_english(body, NAMES), leftover_english(body, NAMES)


# -- pure builders ---------------------------------------------------------------------------------
def test_a_reply_report_holds_the_message_answer_candidates_ranker_bank_and_search(bank):
    from demos.rank.reports import reply_report

    result = ask(ASKED, bank, LEXICAL, 3)
    report = reply_report(ASKED, bank, result, 3, False, MEMORY)
    english = render_markdown(report, "en")
    first = result.candidates[0]
    for part in ("# Answer ranking: ChatterBot corpus", f"**Message**: {ASKED}",
                 "**Confident**: ", f"**Threshold**: {result.threshold:.4f} (the bank's",
                 "**Answers shown**: 3", "**Search**: in this process",
                 "**Model**: character n-grams (no model) · `lexical`", "## Candidates",
                 "| stored question | answer | score | also matched |",
                 f"| {first.question} | {first.answer} | {first.score:.4g} |",
                 "**Q/A bank**: ChatterBot corpus"):  # fmt: skip
        assert part in english, part
    answer = result.answer if result.confident else "no confident answer"
    assert f"**Answer**: {answer}" in english
    korean = render_markdown(report, "ko")
    for part in ("# 답변 검색: ChatterBot 말뭉치", f"**메시지**: {ASKED}", "**임계값**: ",
                 "**검색 위치**: 이 프로세스 안", "**모델**: 문자 n-그램(모델 없음)",
                 "| 저장된 질문 | 답변 | 점수 | 같은 답변의 다른 질문 |"):  # fmt: skip
        assert part in korean, part
    _korean(korean, "## 결과")  # the answer and the candidates are the bank's own words


def test_a_reply_with_no_confident_answer_says_so_and_names_qdrant(bank):
    from demos.rank.reports import reply_report

    result = ask("How are you?", bank, LEXICAL, 2, threshold=1.5)
    assert not result.confident
    report = reply_report("How are you?", bank, result, 2, True, "qdrant")
    english = render_markdown(report, "en")
    assert "**Answer**: no confident answer" in english and "**Confident**: no" in english
    assert "**Threshold**: 1.5000 (typed)" in english and "**Search**: Qdrant" in english
    korean = render_markdown(report, "ko")
    assert "**답변**: 확신 있는 답 없음" in korean and "(직접 입력)" in korean
    _korean(korean.split("## 결과")[1], "## 후보 답변")


def test_an_evaluation_report_holds_hit_at_1_hit_at_5_mrr_vs_lexical_and_the_bank(bank):
    from demos.rank.reports import evaluation_report

    results = evaluate_bank(bank, get_index(bank, LEXICAL))
    scores = results["model"]
    report = evaluation_report(bank, results)
    english = render_markdown(report, "en")
    for part in ("# Ranker evaluation: ChatterBot corpus", f"**hit@1**: {scores.hit_at_1:.4g}",
                 f"**hit@5**: {scores.hit_at_5:.4g}", f"**MRR**: {scores.mrr:.4g}",
                 f"**Held-out questions**: {scores.n_queries}", "leave-one-out",
                 "## Chosen ranker vs character n-grams",
                 "| ranker | hit@1 | hit@5 | MRR | Held-out questions |",
                 "| character n-grams (no model) |"):  # fmt: skip
        assert part in english, part
    korean = render_markdown(report, "ko")
    for part in ("# 검색 모델 평가: ChatterBot 말뭉치", "**따로 떼어 둔 질문 수**",
                 "| 검색 모델 | hit@1 | hit@5 | MRR | 따로 떼어 둔 질문 수 |"):  # fmt: skip
        assert part in korean, part
    _korean(korean, "## 실행 환경")


def _record() -> encoders.TuneRecord:
    """A finished LoRA run on the ChatterBot bank, as the tuning job returns it."""
    lora = encoders.MethodOutcome(
        "lora", "LoRA", "done", trainable_params=1_000, total_params=100_000, train_s=61.24,
        steps=12, checkpoint="/runs/encoders/x/lora",
        metrics={"all": {"hit_at_1": 0.5, "hit_at_5": 0.8, "mrr": 0.6}},
    )  # fmt: skip
    settings = asdict(TuneSettings("chatterbot", methods=("lora",), minutes=0.5, seed=3))
    return encoders.TuneRecord(
        "run", "chatterbot", "f" * 16, "packaged:all-MiniLM-L6-v2", settings=settings,
        n_pairs=120, held_out_queries=48, base_metrics={"all": {"hit_at_1": 0.4}},
        lexical_metrics={"all": {"hit_at_1": 0.15}}, methods=[lora],
    )  # fmt: skip


def test_a_tuning_report_holds_the_comparison_minutes_settings_and_seed(isolated_settings):
    from demos.rank.reports import tune_report

    english = render_markdown(tune_report(_record()), "en")
    for part in ("# Encoder fine-tuning: ChatterBot corpus", "**Seed**: 3",
                 "**Training time per method (minutes)**: 0.5", "**Methods**: LoRA",
                 "**LoRA rank**: 16", "**Learning rate, LoRA**", "**Training pairs**: 120",
                 "**hit@1 of LoRA**: 0.5", "**hit@1 of the base encoder**: 0.4",
                 "base: packaged:all-MiniLM-L6-v2", "## Comparison",
                 "| method | hit@1 | time (s) | trainable % |", "| LoRA | 0.5 | 61.2 | 1 |",
                 "| character n-grams (no model) | 0.15 | — |"):  # fmt: skip
        assert part in english, part
    assert "full fine-tuning" not in english  # only the method that ran
    korean = render_markdown(tune_report(_record()), "ko")
    for part in ("# 인코더 미세 조정: ChatterBot 말뭉치", "**시드**: 3",
                 "**방법마다 학습할 시간(분)**: 0.5", "| 문자 n-그램(모델 없음) |",
                 "| 방법 | hit@1 | 시간(초) | 학습 파라미터 % |"):  # fmt: skip
        assert part in korean, part
    _korean(korean, "## 실행 환경")


# -- the buttons under the results ---------------------------------------------------------------
@pytest.fixture(scope="module")
def tab() -> gr.Blocks:
    from demos.rank import create_rank_tab

    with gr.Blocks() as app:
        create_rank_tab(app)
    return app


def _handler(app: gr.Blocks, name: str):
    return next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == name)


def _by_id(app: gr.Blocks, elem_id: str):
    return next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def _file(update: dict) -> str:
    assert update["visible"] is True and update["value"].endswith(".md")
    with open(update["value"], encoding="utf-8") as written:
        return written.read()


def test_a_reply_shows_the_report_button_and_clearing_the_chat_hides_it(tab):
    button = _by_id(tab, "rank-report")
    on_send = _handler(tab, "on_send")
    shown = on_send(ASKED, [], "chatterbot", LEXICAL, 3, False, None, None, MEMORY, KOREAN,
                    lambda *a, **k: None)  # fmt: skip
    text = _file(shown[button])
    assert text.startswith("# 답변 검색: ChatterBot") and f"**메시지**: {ASKED}" in text
    assert "## 후보 답변" in text and "`lexical`" in text and "**검색 위치**" in text
    report, reply = _handler(tab, "cleared")()
    assert report["visible"] is False and reply is None  # the candidates no longer redrawn
    failed = on_send("", [], "chatterbot", LEXICAL, 3, False, None, None, MEMORY, ENGLISH)
    assert button not in failed  # an error keeps the chat, and the report of its last reply


def test_evaluate_shows_the_report_button_and_another_bank_hides_it(tab):
    button = _by_id(tab, "rank-eval-report")
    run = _handler(tab, "on_evaluate")
    text = _file(run("chatterbot", LEXICAL, None, ENGLISH, lambda *a, **k: None)[button])
    assert text.startswith("# Ranker evaluation: ChatterBot") and "**hit@1**" in text
    assert "| ranker | hit@1 | hit@5 | MRR |" in text and "**MRR**" in text
    assert _handler(tab, "on_bank")("chatbot_data", None, ENGLISH)[button]["visible"] is False


def test_a_finished_tuning_run_shows_the_report_button(tab, isolated_settings):
    from models.core.jobs import Job
    from models.core.monitor import Monitor

    button = _by_id(tab, "rank-tune-report")
    job = Job(Monitor(["lora"]), "a test run", result=_record())
    text = _file(_handler(tab, "on_tick")(job, 0, KOREAN)[button])
    assert text.startswith("# 인코더 미세 조정: ChatterBot") and "**시드**: 3" in text
    assert "| 방법 | hit@1 | 시간(초) | 학습 파라미터 % |" in text
