"""After a language switch, the results on screen are drawn again in the new language, from what
the session kept (nothing is computed again): Classification's evaluation (with the threshold and
filters the reader set), Generation's measurements, Answer ranking's candidates and evaluation,
Fine-tuning's comparison. A page load draws none of them: its session has nothing to draw."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pandas as pd
import pytest

from models.core.i18n import Text
from tests.handlers import find_handler

KOREAN = SimpleNamespace(session_hash=None, username=None, session={},
                         headers={"accept-language": "ko-KR,ko;q=0.9"})  # fmt: skip
ENGLISH = SimpleNamespace(session_hash=None, username=None, session={},
                          headers={"accept-language": "en-US"})  # fmt: skip
REDRAWS = {"redraw", "redraw_evaluation", "redraw_sweep", "on_switch_results"}


def _page(create) -> gr.Blocks:
    with gr.Blocks() as page:
        create(page)
    return page


def _handler(page: gr.Blocks, name: str):
    return find_handler(page, name).fn


def _by_id(page: gr.Blocks, elem_id: str):
    return next(b for b in page.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def _value(update) -> object:
    return update["value"] if isinstance(update, dict) else update


def test_redraws_run_after_a_switch_and_never_on_a_page_load():
    import app

    page = app.create_app()
    entries = page.__dict__["_playground_loads"]  # (fn, inputs, outputs, at load, on switch)
    redraws = [e for e in entries if e[0].__name__ in REDRAWS]
    # Try it, Evaluate, Generation, Answer ranking, Fine-tuning's comparison and sweep.
    assert len(redraws) == 6
    assert all(not at_load and on_switch for _, _, _, at_load, on_switch in redraws)
    at_load = [e[0].__name__ for e in entries if e[3]]
    assert "datasets_for" in at_load  # a form's choices are still written at load


# -- Classification: the evaluation view ---------------------------------------------------------
def _binary_report():
    from models.classify.evaluate import EvalReport

    rows = [{"text": f"t{i}", "true": gold, "predicted": pred, "confidence": 0.9,
             "positive_score": score}
            for i, (gold, pred, score) in enumerate(
                [("positive", "positive", 0.9), ("negative", "positive", 0.7),
                 ("positive", "negative", 0.4), ("negative", "negative", 0.1)])]  # fmt: skip
    return EvalReport(
        task="sentiment", dataset="nsmc", split="test", model="sentiment-ko", mode="trained",
        source="test", n=4, labels=["negative", "positive"], accuracy=0.5, macro_f1=0.5,
        per_class={"negative": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2},
                   "positive": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}},
        confusion_matrix=[[1, 1], [1, 1]], label_map={}, rows=rows, positive_label="positive",
    )  # fmt: skip


@pytest.fixture(scope="module")
def classification() -> gr.Blocks:
    from demos.classify import create_classification_tab

    return _page(create_classification_tab)


def test_an_evaluation_follows_a_switch_and_keeps_the_threshold_and_filters(classification):
    redraw = _handler(classification, "redraw_evaluation")
    summary = _by_id(classification, "cls-eval-summary")
    per_class = _by_id(classification, "cls-per-class")
    errors = _by_id(classification, "cls-errors")
    threshold = _by_id(classification, "cls-threshold")
    threshold_text = _by_id(classification, "cls-threshold-text")
    confusion = _by_id(classification, "cls-confusion")
    report = _binary_report()
    english = redraw(report, 0.8, "negative", "(any)", ENGLISH)
    korean = redraw(report, 0.8, "negative", "(any)", KOREAN)
    assert "Accuracy 0.5000" in english[summary] and "정확도 0.5000" in korean[summary]
    assert isinstance(english[per_class], pd.DataFrame)
    assert list(english[per_class].columns) != list(korean[per_class].columns)
    assert "Confusion matrix" in english[confusion] and "혼동 행렬" in korean[confusion]
    assert "부정" in korean[confusion] and "긍정" in korean[confusion]  # the classes, too
    # What the reader set stays: the threshold, and the misclassified rows of one true class.
    assert korean[threshold] == 0.8 and "0.8" in korean[threshold_text]
    assert korean[threshold_text] != english[threshold_text]
    shown_errors = _value(korean[errors])
    assert len(shown_errors) == 1  # t1: negative read as positive, the one filtered for
    # Nothing evaluated yet: nothing is drawn (the view keeps its empty state).
    untouched = redraw(None, 0.5, "(any)", "(any)", KOREAN)
    assert all(update == gr.skip() for update in untouched.values())
    # ... and only what the switch redraws (the report and its button are not among them).
    outputs = next(e[2] for e in classification.__dict__["_playground_loads"] if e[0] is redraw)
    assert set(untouched) <= set(outputs) and set(korean) <= set(outputs)


# -- Generation: each column's measurements ------------------------------------------------------
@pytest.fixture(scope="module")
def generation() -> gr.Blocks:
    from demos.generate import create_generate_tab

    return _page(create_generate_tab)


def test_a_replys_measurements_and_a_problem_follow_a_switch(generation):
    from models.generate.run import Generation

    redraw = _handler(generation, "on_switch_results")
    stats_a, stats_b = _by_id(generation, "gen-a-stats"), _by_id(generation, "gen-b-stats")
    details_a = _by_id(generation, "gen-a-details")
    reply = Generation(messages=[], backend="openai-compatible", model="stub-model", text="Hi",
                       prompt_tokens=11, completion_tokens=5, latency_s=0.5, done=True)  # fmt: skip
    problem = Text("The model is missing.", "모델이 없습니다.")
    english = redraw(ENGLISH, reply, problem)
    korean = redraw(KOREAN, reply, problem)
    assert "11" in english[stats_a] and "프롬프트 11 + 답 5 토큰" in korean[stats_a]
    assert english[stats_a] != korean[stats_a]
    assert "stub-model" in korean[details_a] and "모델" in korean[details_a]
    assert english[stats_b] == "⚠️ The model is missing." and korean[stats_b] == "⚠️ 모델이 없습니다."
    nothing = redraw(KOREAN, None, None)
    assert list(nothing.values()) == [gr.skip()]


# -- Answer ranking: the candidates and the evaluation -------------------------------------------
@pytest.fixture(scope="module")
def ranking() -> gr.Blocks:
    from demos.rank import create_rank_tab

    return _page(create_rank_tab)


def test_the_candidates_and_the_evaluation_follow_a_switch(ranking):
    from models.rank.banks import load_bank
    from models.rank.chat import ask
    from models.rank.evaluate import evaluate_bank
    from models.rank.rankers import LEXICAL, get_index

    redraw = _handler(ranking, "redraw")
    candidates = _by_id(ranking, "rank-candidates")
    details = _by_id(ranking, "rank-details")
    evaluation = _by_id(ranking, "rank-evaluation")
    bank = load_bank("chatterbot")
    index = get_index(bank, LEXICAL)
    reply = ask("배고파", bank, LEXICAL, 3)
    results = evaluate_bank(bank, index)
    english = redraw(reply, results, ENGLISH)
    korean = redraw(reply, results, KOREAN)
    assert list(english[candidates].columns) != list(korean[candidates].columns)
    assert english[candidates].values.tolist() == korean[candidates].values.tolist()
    assert english[details] != korean[details]
    assert list(english[evaluation].columns) != list(korean[evaluation].columns)
    only_reply = redraw(reply, None, KOREAN)
    assert evaluation not in only_reply and candidates in only_reply
    assert list(redraw(None, None, KOREAN).values()) == [gr.skip()]


def test_a_reply_is_kept_for_a_redraw_and_clearing_the_chat_forgets_it(ranking):
    from models.rank.rankers import LEXICAL, MEMORY

    on_send = _handler(ranking, "on_send")
    shown = on_send("배고파", [], "chatterbot", LEXICAL, 3, False, None, None, MEMORY, KOREAN,
                    lambda *a, **k: None)  # fmt: skip
    kept = [v for k, v in shown.items() if isinstance(k, gr.State)]
    assert len(kept) == 1 and kept[0].candidates  # the reply, as plain data
    assert _handler(ranking, "cleared")()[1] is None


# -- Fine-tuning: the comparison on screen -------------------------------------------------------
def test_the_comparison_on_screen_follows_a_switch(isolated_settings):
    from demos.finetune import create_finetune_tab
    from models.finetune.runs import RunRecord, save_record
    from tests.test_finetune_i18n import _record

    save_record(RunRecord.from_dict(_record()), isolated_settings)
    page = _page(create_finetune_tab)
    redraw = _handler(page, "redraw")
    table, notes = _by_id(page, "ft-results"), _by_id(page, "ft-notes")
    run_id = _record()["run_id"]
    english, korean = redraw(run_id, ENGLISH), redraw(run_id, KOREAN)
    assert list(_value(english[table]).columns) != list(_value(korean[table]).columns)
    assert "LoRA" in _value(korean[table]).to_string()
    assert english[notes] != korean[notes]
    # No run on screen, or one deleted since: what is there stays.
    assert list(redraw(None, KOREAN).values()) == [gr.skip()]
    assert list(redraw("20000101-000000-gone", KOREAN).values()) == [gr.skip()]


def test_a_finished_sweep_follows_a_switch():
    from demos.finetune import create_finetune_tab
    from models.finetune.sweep import SweepResult

    page = _page(create_finetune_tab)
    redraw = _handler(page, "redraw_sweep")
    status, heatmap = _by_id(page, "ft-sweep-status"), _by_id(page, "ft-sweep-map")
    result = SweepResult("lora", [8, 16], [5e-4, 2e-3], [[0.5, 0.6], [0.7, None]],
                         [[0.4, 0.5], [0.6, None]], [[1.0, 1.0], [1.0, None]], 32, 16)  # fmt: skip
    english, korean = redraw(result, ENGLISH), redraw(result, KOREAN)
    assert english[status] != korean[status] and english[heatmap] != korean[heatmap]
    assert "0.7" in korean[heatmap]
    assert list(redraw(None, KOREAN).values()) == [gr.skip()]


def test_a_hosted_comparison_names_no_server_folder(isolated_settings, monkeypatch):
    from demos.finetune import create_finetune_tab
    from models.core.settings import get_settings
    from models.finetune.runs import RunRecord, save_record
    from tests.test_finetune_i18n import _record

    save_record(RunRecord.from_dict(_record()), isolated_settings)
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    assert get_settings().hosted
    page = _page(create_finetune_tab)
    shown = _handler(page, "redraw")(_record()["run_id"], KOREAN)
    (details,) = [v for v in shown.values() if isinstance(v, str) and "run id:" in v]
    assert "/runs/" not in details and "20261125-224406" in details
