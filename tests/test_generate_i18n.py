"""The Generation tab in Korean and English: techniques with Korean names and example inputs,
bilingual messages from ``models.generate``, a hint on every control, plain model names, and
tables whose key columns come first. The tab's handlers are driven directly (no browser)."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import gradio as gr
import pandas as pd
import pytest

from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.generate.backends import BACKENDS, model_name
from models.generate.icl import IclReport, ShotResult, icl_curve
from models.generate.params import GenerationParams, hint, label
from models.generate.run import Generation, check_json, generate
from models.generate.techniques import (
    clean_examples,
    dump_techniques,
    load_techniques,
    parse_techniques,
)
from tests.english_check import leftover_english
from tests.handlers import find_handler
from tests.openai_stub import StubServer

TECHNIQUES = load_techniques()
ZERO = TECHNIQUES["zero-shot"]
HANGUL = re.compile(r"[가-힣]")
# Techniques whose input is English: their Korean reader's example is English text.
ENGLISH_INPUT = {"translate-to-korean"}


def _korean(text: object) -> str:
    """``text`` in Korean, checked: Hangul in it and no English left (names aside)."""
    shown = localize(text, "ko")
    assert HANGUL.search(shown), shown
    assert not leftover_english(shown), (shown, leftover_english(shown))
    return shown


def _raised(fn, *args, **kwargs) -> PlaygroundError:
    with pytest.raises(PlaygroundError) as caught:
        fn(*args, **kwargs)
    return caught.value


# -- techniques -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(TECHNIQUES))
def test_every_technique_has_a_korean_name_description_and_both_example_inputs(key):
    technique = TECHNIQUES[key]
    _korean(technique.name)
    _korean(technique.about)
    assert str(technique.name) == technique.title  # the English is unchanged
    assert technique.example_en and technique.example_ko
    if key not in ENGLISH_INPUT:
        assert HANGUL.search(technique.example_ko), technique.example_ko
    assert technique.inputs_to_try("ko")[0] == technique.example_ko
    assert technique.inputs_to_try("en")[0] == technique.example_en
    for text in technique.inputs_to_try("en"):
        assert technique.messages(text)[-1]["content"]  # each example fills the template


def test_korean_fields_survive_download_and_upload_and_are_optional():
    again = parse_techniques(dump_techniques(TECHNIQUES))
    assert again == TECHNIQUES and again["role"].title_ko == TECHNIQUES["role"].title_ko
    plain = parse_techniques('[x]\ntitle = "Mine"\nuser = "{input}"\n')["x"]
    assert localize(plain.name, "ko") == "Mine" and plain.inputs_to_try("ko") == []


# -- messages -------------------------------------------------------------------------------------
def _errors() -> list[tuple[PlaygroundError, str]]:
    """(error, a phrase of its English) for each kind of message ``models.generate`` builds."""
    with StubServer() as url:
        refused = _raised(generate, "hi", ZERO, "openai-compatible", model="needs-key",
                          base_url=url, api_key="sk-secret-0123456789abcdef")  # fmt: skip
        missing = _raised(generate, "hi", ZERO, "openai-compatible", model="unknown",
                          base_url=url)  # fmt: skip
    return [
        (refused, "refused the API key (HTTP 401)"),
        (missing, "does not know the model"),
        (_raised(ZERO.messages, "  "), "Type some input text first."),
        (_raised(ZERO.messages, "x" * 20_001), "20,000"),
        (_raised(replace(ZERO, user="{input} {").messages, "hi"), "stray brace"),
        (_raised(replace(ZERO, user="{input} {tone}").messages, "hi"), "which is not a variable"),
        (_raised(replace(ZERO, user="none").messages, "hi"), "never uses {input}"),
        (_raised(replace(ZERO, user="{input} {a.b}").messages, "hi"), "not a plain variable"),
        (_raised(replace(ZERO, output="yaml").check), "output must be one of"),
        (_raised(GenerationParams.build, stop=list("abcde")), "at most 4 stop sequences"),
        (_raised(clean_examples, [["a", "b"]] * 40), "at most 32 examples"),
        (_raised(clean_examples, "rows"), "must be a table"),
        (_raised(parse_techniques, "not = [valid"), "neither TOML nor JSON"),
        (_raised(parse_techniques, ""), "no technique"),
        (_raised(parse_techniques, "[x]\ntitle = 1\n"), "missing or mistypes"),
        (_raised(generate, "hi", ZERO, "anthropic"), "Unknown backend"),
        (_raised(generate, "hi", ZERO, "openai"), "Type your OpenAI API key"),
        (_raised(generate, "hi", ZERO, "openai-compatible", base_url="localhost"), "base URL"),
        (_raised(icl_curve, "nli", "kornli"), "compared on"),
        (_raised(icl_curve, "sentiment", "vader", rows=1000), "rows"),
    ]


def test_every_message_of_models_generate_is_in_korean_and_its_english_unchanged():
    for err, english in _errors():
        assert english in str(err)
        assert isinstance(error_text(err), Text), str(err)
        shown = localize(error_text(err), "ko")
        assert HANGUL.search(shown) and "\n" not in shown, shown
        assert "sk-secret" not in shown and "0123456789" not in shown, shown  # the key, scrubbed
    _, bad = check_json("Sure!")
    assert "not valid JSON" in bad and HANGUL.search(localize(bad, "ko"))


# -- hints ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [f for f in GenerationParams.__dataclass_fields__])
def test_every_generation_parameter_has_a_label_and_a_one_line_hint_in_both_languages(name):
    for text in (label(name), hint(name)):
        assert isinstance(text, Text) and str(text).strip()
        assert "\n" not in localize(text, "ko") and "\n" not in str(text)
    _korean(hint(name))
    assert len(str(hint(name))) < 160


@pytest.fixture(scope="module")
def tab():
    """The Generation tab alone, built the way the page builds it."""
    from demos.generate import create_generate_tab
    from demos.i18n import create_language_switch, wire_language

    with gr.Blocks() as app:
        switch = create_language_switch()
        with gr.Tabs(), gr.Tab("Generation", id="generation"):
            create_generate_tab(app)
        wire_language(app, switch)
    return app


CONTROLS = (gr.Slider, gr.Number, gr.Dropdown, gr.Radio)


def test_every_control_of_the_tab_has_a_hint_in_both_languages(tab):
    controls = [b for b in tab.blocks.values() if isinstance(b, CONTROLS)
                and b.elem_id != "language"]  # fmt: skip
    assert len(controls) >= 14  # per column: technique, backend, 4 sliders / numbers, seed; ICL
    for control in controls:
        info = control.constructor_args.get("info")
        assert isinstance(info, Text), (type(control).__name__, control.label)
        _korean(info)


# -- the tab's handlers ---------------------------------------------------------------------------
KOREAN = SimpleNamespace(session_hash=None, headers={"accept-language": "ko-KR,ko;q=0.9"})
ENGLISH = SimpleNamespace(session_hash=None, headers={"accept-language": "en-US"})


def _event(app: gr.Blocks, name: str, module: str = "demos.generate"):
    """The first handler that is ``module``'s ``name``."""
    return find_handler(app, name, module)


def _values(app: gr.Blocks, fn_name: str) -> list:
    """The initial values of an event's inputs, as the browser would send them."""
    fn = _event(app, fn_name)
    return [c.value if not isinstance(c, gr.Dataframe) else pd.DataFrame(
        c.value["data"], columns=c.value["headers"]) for c in fn.inputs]  # fmt: skip


def test_the_language_view_renders_choices_notes_and_table_headers_and_keeps_edits(tab):
    on_language = _event(tab, "on_language").fn
    values = _values(tab, "on_language")
    edited = values[3].copy()
    edited.iloc[0, 1] = "한 문장으로 답하세요."
    values[3] = edited  # column A's variables, edited by the user
    own = {"my-x": replace(ZERO, key="my-x", title="Polite", title_ko="")}
    shown = on_language(KOREAN, own, *values[1:])
    by_id = {getattr(k, "elem_id", None): v for k, v in shown.items()}
    choices = {v: t for t, v in by_id["gen-a-technique"]["choices"]}
    assert choices["few-shot"] == "퓨샷 (프롬프트 속 예시)"
    assert choices["my-x"] == "Polite (내 기법)"
    assert HANGUL.search(by_id["gen-a-backend-note"])
    assert list(by_id["gen-a-variables"].columns) == ["변수", "값"]
    assert by_id["gen-a-variables"].iloc[0, 1] == "한 문장으로 답하세요."  # the edit is kept
    assert list(by_id["gen-b-examples"].columns) == ["입력", "출력"]
    assert by_id["gen-examples"]["samples"][0] == [ZERO.example_ko]
    back = on_language(ENGLISH, own, *values[1:])
    assert list({getattr(k, "elem_id", None): v for k, v in back.items()}["gen-a-variables"]
                .columns) == ["variable", "value"]  # fmt: skip


def test_a_korean_page_gets_replies_measurements_and_errors_in_korean(tab):
    on_run_both = _event(tab, "on_run_both").fn
    values = _values(tab, "on_run_both")
    width = (len(values) - 2) // 2
    a, b = values[2 : 2 + width], values[2 + width :]
    with StubServer() as url:
        a[5:8] = ["openai-compatible", "stub-model", url]  # backend, model, base URL
        b[5:8] = ["openai-compatible", "needs-key", url]
        updates = list(on_run_both(KOREAN, "안녕하세요", {}, *a, *b))
    final: dict = {}
    for update in updates:
        final |= {getattr(k, "elem_id", None): v for k, v in update.items()}
    assert final["gen-a-output"] == "Hello, world!"
    assert "초당" in final["gen-a-stats"] and "프롬프트 11 + 답 5 토큰" in final["gen-a-stats"]
    assert "API 키를 거부했습니다" in final["gen-b-stats"]
    assert "`stub-model`" in final["gen-a-details"]


# -- plain names and results that fit -------------------------------------------------------------
def test_models_are_named_plainly_and_their_paths_kept_for_the_details_view():
    from demos.generate.column import details_markdown, stats_markdown

    folder = "/srv/cache/models/20261125-224406/my-llm"
    gen = Generation([], "local", folder, text="hi", latency_s=1.0, ttft_s=0.1, tokens_per_s=10.0,
                     prompt_tokens=11, completion_tokens=5, done=True)  # fmt: skip
    line = stats_markdown(gen, "en")
    assert line == ("latency 1.00 s · first token 0.10 s · 10.0 tokens/s · 11 prompt + 5 "
                    "completion tokens · my-llm (local folder)")  # fmt: skip
    assert "/srv" not in line and "/srv" not in stats_markdown(gen, "ko")
    assert "my-llm (로컬 폴더)" in stats_markdown(gen, "ko")
    assert folder in details_markdown(gen, "en")
    assert str(model_name("packaged:SmolLM2-135M-Instruct")) == "SmolLM2-135M-Instruct (packaged)"
    assert model_name("gpt-4o-mini") == "gpt-4o-mini"
    for spec in BACKENDS.values():
        assert not leftover_english(localize(spec.title, "ko"))
        _korean(re.sub(r"`[^`]*`", "", localize(spec.note, "ko")))


def _report(reference: float | None = None) -> IclReport:
    results = [ShotResult(k, 0.5, 4, 0, 8) for k in (0, 1, 2, 4)]
    return IclReport("sentiment", "vader", "packaged:SmolLM2-135M-Instruct", ["negative",
                     "positive"], results, reference, "/srv/runs/x/ensemble")  # fmt: skip


def test_the_in_context_learning_table_puts_its_key_columns_first_in_the_reader_s_language():
    from demos.generate.icl import curve_frame, table_frame

    english = table_frame(_report(0.8), "en")
    assert list(english.columns[:2]) == ["examples in the prompt", "accuracy"]
    assert english.iloc[-1, 0] == "fine-tuned" and english.iloc[0].tolist() == [0, 0.5, 4, 0, 8]
    korean = table_frame(_report(0.8), "ko")
    assert list(korean.columns[:2]) == ["프롬프트 속 예시 수", "정확도"]
    assert list(korean.columns[2:]) == ["맞힘", "레이블 불명확", "행 수"]
    assert korean.iloc[-1, 0] == "미세 조정"
    series = set(curve_frame(_report(0.8), "ko")["series"])
    assert "프롬프트: SmolLM2-135M-Instruct (앱에 포함)" in series
    assert not any("/srv" in s for s in series)  # the fine-tuned model is named, not its path


def test_the_in_context_learning_run_reports_in_korean_on_a_korean_page(tab):
    on_run = _event(tab, "on_run", "demos.generate.icl").fn
    with StubServer() as url:
        updates = list(on_run("sentiment", "vader", 8, 0, "openai-compatible", "say:positive",
                              url, "", 16, KOREAN))  # fmt: skip
    final: dict = {}
    for update in updates:
        final |= {getattr(k, "elem_id", None): v for k, v in update.items()}
    assert final["gen-icl-status"].startswith("완료했습니다.")
    table = final["gen-icl-table"]
    assert list(table.columns[:2]) == ["프롬프트 속 예시 수", "정확도"]
    assert table.iloc[:4, 1].tolist() == [0.5] * 4
    plot = final["gen-icl-plot"]
    assert plot["x_title"] == "프롬프트 속 예시 수" and plot["y_title"] == "정확도"
    assert set(plot["value"]["series"]) >= {"프롬프트: stub-model"}
