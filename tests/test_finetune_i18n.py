"""The Fine-tuning tab in two languages, its results that fit, and its form: every setting has a
hint, messages from ``models.finetune`` speak Korean, a past run puts back every setting it used,
and a broken upload is what Train reports."""

from __future__ import annotations

import gradio as gr
import pytest

from models.core.errors import ConfigError, PlaygroundError
from models.core.i18n import error_text, localize
from models.finetune import report
from models.finetune.config import FinetuneConfig
from models.finetune.methods import LoraSettings
from models.finetune.names import run_title
from models.finetune.runs import MethodResult, RunRecord
from tests.english_check import leftover_english

SETTINGS = (gr.Number, gr.Slider, gr.Dropdown, gr.Checkbox, gr.Textbox, gr.CheckboxGroup)


@pytest.fixture(scope="module")
def tab():
    """The tab alone, in a page of its own: its form, and every component it built."""
    from demos.finetune import create_finetune_tab

    with gr.Blocks() as page:
        create_finetune_tab(page)
    return page


def _form(page: gr.Blocks, with_data: bool = False):
    from demos.finetune.form import create_data_settings, create_form

    with gr.Blocks():
        data = create_data_settings(["sentiment", "nli", "intent", "custom"], ["snips", "upload"])
        form = create_form(data)
    return (form, data) if with_data else form


def test_every_setting_has_a_one_line_hint_in_both_languages(tab):
    missing, english = [], []
    for block in tab.blocks.values():
        args = getattr(block, "constructor_args", None) or {}
        if not isinstance(block, SETTINGS) or "label" not in args:
            continue
        label, info = args["label"], args.get("info")
        if block.elem_id in ("ft-dataset", "ft-runs") or (
            isinstance(block, gr.Dropdown)
            and (str(label) in ("Text column", "Second text (NLI), optional", "Label column"))
        ):
            continue  # choices, not settings
        if not info:
            missing.append(str(label))
        elif leftover_english(localize(info, "ko")) or localize(info, "ko") == str(info):
            english.append(str(label))
    assert not missing, f"settings without a hint: {missing}"
    assert not english, f"hints not in Korean: {english}"


@pytest.mark.parametrize(
    "change",
    [{"batch_size": 0}, {"epochs": 0}, {"learning_rates": {"lora": 2.0}}, {"methods": ()},
     {"scheduler": "bumpy"}, {"lora": LoraSettings(rank=0)}, {"budget_minutes": 0.01}],
)  # fmt: skip
def test_settings_errors_speak_korean_and_keep_their_english(change):
    config = FinetuneConfig(**{**FinetuneConfig().__dict__, **change})
    with pytest.raises(ConfigError) as err:
        config.check()
    korean = localize(error_text(err.value), "ko")
    codes = {"lora", "bumpy", "linear", "cosine", "constant_with_warmup"}  # values the API takes
    assert korean != str(err.value) and not leftover_english(korean, codes)


def test_a_type_error_in_api_settings_speaks_korean():
    with pytest.raises(ConfigError, match="batch_size must be a whole number") as err:
        FinetuneConfig.from_dict({"batch_size": "eight"})
    assert "batch_size: 정수여야 합니다" in localize(error_text(err.value), "ko")


def _record(status: str = "done") -> dict:
    methods = [
        MethodResult("full", "done", trainable_params=22_000_000, total_params=22_700_000,
                     trainable_pct=97.0, wall_s=120.0, eval_accuracy=0.81, eval_macro_f1=0.8,
                     confusion_matrix=[[5, 1], [2, 4]],
                     fit={"verdict": "good fit", "note": "Evaluation loss levelled off."}),
        MethodResult("lora", "done", trainable_params=80_000, total_params=22_780_000,
                     trainable_pct=0.35, wall_s=60.0, eval_accuracy=0.858, eval_macro_f1=0.85,
                     confusion_matrix=[[6, 0], [1, 5]], fit={"verdict": "still improving"}),
    ]  # fmt: skip
    return RunRecord(
        run_id="20261125-224406-nsmc-multilingual-e5-small", created="2026-11-25 22:44:06",
        status=status, config={**FinetuneConfig(task="sentiment", dataset="nsmc").to_dict()},
        data={"train_rows": 2000}, labels=["negative", "positive"], device="cpu", versions={},
        seed=42, methods=methods, folder="/runs/20261125-224406-nsmc-multilingual-e5-small",
    ).as_dict()  # fmt: skip


def test_the_comparison_puts_its_key_columns_first_and_names_them_in_korean():
    frame = report.results_frame(_record())
    assert list(frame.columns[:5]) == report.KEY_COLUMNS
    korean = report.localized(frame, "ko")
    assert list(korean.columns[:5]) == ["방법", "정확도", "매크로 F1", "시간(초)", "학습 비율 %"]
    assert (
        list(korean["방법"]) == ["전체 미세 조정", "LoRA"] and list(korean["상태"]) == ["완료"] * 2
    )
    assert not [c for c in korean.columns if leftover_english(c)]


def test_a_past_run_is_named_plainly_without_its_folder():
    record = RunRecord.from_dict(_record())
    label = report.runs_choices([record])[0][0]
    assert str(label) == (
        "Korean sentiment, full fine-tuning vs LoRA, trained 25 Nov 22:44, best accuracy 0.858 "
        "(LoRA)"
    )
    assert localize(label, "ko") == (
        "한국어 감성, 전체 미세 조정 vs LoRA, 11월 25일 22:44 학습, 최고 정확도 0.858(LoRA)"
    )
    assert "nsmc" not in label and "/runs" not in label
    stopped = report.run_label(RunRecord.from_dict(_record("stopped")))
    assert str(stopped).endswith("(stopped)") and localize(stopped, "ko").endswith("(멈춤)")
    assert run_title(_record()) == label


def test_progress_and_notes_render_in_korean():
    snapshot = {
        "phase": report.STATUS["training"], "elapsed_s": 30.0, "eta_s": 90.0,
        "stop_requested": False,
        "methods": {"lora": {"status": "training", "step": 3, "total_steps": 10},
                    "head": {"status": "waiting", "step": 0, "total_steps": 0}},
    }  # fmt: skip
    korean = localize(report.progress_markdown(snapshot), "ko")
    assert "30초 지남" in korean and "약 1.5분 남음" in korean and "3/10스텝(30%)" in korean
    assert "고정 인코더 + 분류 헤드: 대기" in korean and not leftover_english(korean)
    notes = localize(report.fit_markdown(_record()), "ko")
    assert "*알맞은 적합*" in notes and "*아직 나아지는 중*" in notes


def test_confusion_matrices_fit_their_column(tab):
    from demos.finetune.results import confusion_html

    record = _record()
    record["labels"] = [f"Intent{i}WithAVeryLongName" for i in range(7)]
    for m in record["methods"]:
        m["confusion_matrix"] = [[1] * 7 for _ in range(7)]
    html = confusion_html(record, "ko")
    assert html.count('class="heatmap"') == 2 and "정확도 0.858" in html
    assert ">7</th>" in html and "7 · Intent6WithAVeryLongName" in html  # numbered columns
    assert "overflow-x:auto" in html and "font-size:.75em" in html
    binary = confusion_html(_record(), "ko")
    assert ">긍정</th>" in binary  # known labels in the page's language


def test_showing_a_run_puts_back_every_setting_it_used(tab):
    form = _form(tab)
    config = FinetuneConfig(
        task="sentiment", dataset="nsmc", base="packaged:multilingual-e5-small",
        methods=("lora", "head"), train_size=321, eval_size=77, epochs=2.5, batch_size=4,
        learning_rates={"lora": 0.003}, warmup_ratio=0.1, scheduler="cosine", max_length=96,
        seed=7, lora=LoraSettings(rank=4, alpha=8.0, dropout=0.1, target_modules=("query",),
                                  top_layers=2),
        merge_lora=True, probe_c=3.0, trained_layers=2, fitted_all_rows=True, ensemble=True,
        budget_minutes=4.0,
    )  # fmt: skip
    filled = form.filled(config.to_dict(), ["nsmc", "vader", "upload"], "ko", (9000, 900))
    untouched = {form.upload, form.upload_error}
    assert set(filled) == form.components() - untouched  # every setting, nothing left as it was
    values = {c: (v["value"] if isinstance(v, dict) else v) for c, v in filled.items()}
    values.update({form.upload: None, form.upload_error: None})
    again = form.config(values).to_dict()
    expected = config.to_dict()
    expected["learning_rates"] = {**again["learning_rates"], "lora": 0.003}  # the others' defaults
    assert again == expected
    assert filled[form.train_size]["maximum"] == 9000
    assert ("감성" in str(filled[form.dataset]["choices"])) is False  # dataset names, not tasks
    assert filled[form.dataset]["choices"][-1] == ("파일 올리기(CSV, TSV, JSONL)", "upload")


def test_showing_a_run_also_shows_its_datas_line(tab):
    from demos.finetune.past import form_of_run

    form, data = _form(tab, with_data=True)
    shown = form_of_run(form, data, _record(), "ko")
    assert shown[data.upload_group]["visible"] is False and "검증: 15,044행" in shown[data.info]
    assert shown[form.train_size]["maximum"] > 100_000  # NSMC's training rows
    assert shown[form.task] == "sentiment" and shown[form.dataset]["value"] == "nsmc"


def test_train_reports_the_broken_upload_not_a_missing_column(tab, tmp_path):
    from models.core.i18n import Text

    form = _form(tab)
    values = {c: None for c in form.components()}
    broken = Text("The file is not UTF-8 text.", "UTF-8 텍스트가 아닙니다.")
    values.update({form.dataset: "upload", form.task: "custom", form.upload: str(tmp_path / "x"),
                   form.upload_error: broken})  # fmt: skip
    with pytest.raises(PlaygroundError) as err:
        form.config(values)
    assert "The file is not UTF-8 text." in str(err.value)
    assert "Choose the text column" not in str(err.value)
    assert "UTF-8 텍스트가 아닙니다." in localize(error_text(err.value), "ko")


def test_the_default_rows_stop_button_shows_only_while_it_trains():
    from demos.classify.train_default import create_train_default

    with gr.Blocks():
        row = create_train_default()
    assert row.stop.constructor_args.get("visible") is False
