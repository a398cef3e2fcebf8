"""A Fine-tuning run's take-away report: data, settings, seed, the comparison, in both languages;
and the button that appears when a run is shown."""

from __future__ import annotations

from demos.finetune.reports import run_report
from models.core.report import render_markdown
from models.finetune.runs import MethodResult, RunRecord
from tests.english_check import leftover_english


def _record() -> dict:
    methods = [
        MethodResult(method="full", status="done", eval_accuracy=0.9, eval_macro_f1=0.88,
                     wall_s=61.0, trainable_pct=100.0, trainable_params=1000, total_params=1000),
        MethodResult(method="lora", status="done", eval_accuracy=0.92, eval_macro_f1=0.91,
                     wall_s=30.5, trainable_pct=1.1, trainable_params=11, total_params=1000),
    ]  # fmt: skip
    return RunRecord(
        run_id="20261125-224406-snips-e5", created="2026-11-25T22:44:06", status="done",
        config={"task": "intent", "dataset": "snips", "methods": ["full", "lora"],
                "base": "packaged:multilingual-e5-small", "epochs": 2, "batch_size": 16},
        data={"train": 96, "eval": 48}, labels=["AddToPlaylist", "GetWeather"],
        device="CPU, 2 cores", versions={"torch": "2.13.0"}, seed=42, methods=methods,
    ).as_dict()  # fmt: skip


def test_the_run_report_holds_its_data_settings_seed_and_comparison():
    text = render_markdown(run_report(_record(), "en"), "en")
    for part in ("# Fine-tuning: English intent", "SNIPS", "AddToPlaylist, GetWeather",
                 "**Best method**: LoRA: accuracy 0.920, macro-F1 0.910",
                 "packaged:multilingual-e5-small", "run 20261125-224406-snips-e5",
                 "**batch_size**: 16", "**Seed**: 42", "## Measured, per method", "| 0.92 |",
                 "**Device it trained on**: CPU, 2 cores"):  # fmt: skip
        assert part in text, part


def test_the_korean_run_report_speaks_korean():
    text = render_markdown(run_report(_record(), "ko"), "ko")
    assert "# 미세 조정: 영어 의도" in text and "## 방법별 측정 결과" in text
    assert "**시드**: 42" in text and "정확도 0.920" in text
    body = text.split("## 실행 환경")[0]
    # Setting names are the config's own keys (as in the record and the command line); the
    # device line is the run's record, in the words it was recorded in.
    assert not leftover_english(body, {"batch_size", "epochs", "methods", "base", "cores"}), body


def test_the_button_offers_the_report_of_the_run_shown(tmp_path, monkeypatch):
    from demos import report as button

    monkeypatch.setattr(button, "REPORTS", tmp_path)
    shown = button.report_file(run_report(_record(), "ko"), "ko")
    assert shown["visible"] is True
    with open(shown["value"], encoding="utf-8") as written:
        assert written.read().startswith("# 미세 조정: 영어 의도")
