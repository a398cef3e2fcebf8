"""The take-away report, wired into the Classification tab (Try it: classify and robustness;
Evaluate) and the Generation tab (side-by-side run; in-context learning curve): each report holds
the input, the outputs, the model and its source, the settings, the seed and metrics where there
are some, in the page's language, and the button under the result appears with a file."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from models.classify.loaders import ZERO_SHOT
from models.core.i18n import Text
from models.core.report import render_markdown
from models.generate.icl import IclReport, ShotResult
from models.generate.params import GenerationParams
from models.generate.run import Generation
from models.generate.techniques import load_techniques
from tests.english_check import leftover_english
from tests.openai_stub import StubServer

# A page's request, as the handlers read it: its language, and nobody signed in.
KOREAN = SimpleNamespace(session_hash=None, username=None, session={},
                         headers={"accept-language": "ko-KR,ko;q=0.9"})  # fmt: skip
ENGLISH = SimpleNamespace(session_hash=None, username=None, session={},
                          headers={"accept-language": "en-US"})  # fmt: skip
TEXT = "이 영화 진짜 재밌다 ㅋㅋ 배우들 연기도 최고"
PREMISE, HYPOTHESIS = "한 남자가 공원에서 개와 함께 달리고 있다.", "남자가 밖에 있다."
# Names a Korean report keeps as they are: models, libraries, the seed's digits.
NAMES = {"multilingual", "e5", "small", "packaged", "stub", "model", "SmolLM2", "135M", "Instruct",
         "vader", "VADER", "nsmc", "NSMC"}  # fmt: skip


@pytest.fixture(autouse=True)
def reports_folder(tmp_path, monkeypatch):
    """Reports the buttons write go to a throwaway folder."""
    from demos import report

    monkeypatch.setattr(report, "REPORTS", tmp_path / "reports")


def _body(markdown: str) -> str:
    """The report without its environment section (a library's own words) and code spans."""
    import re

    return re.sub(r"`[^`]*`", "", markdown.split("## 실행 환경")[0])


def _korean(markdown: str) -> None:
    body = _body(markdown)
    # The model's source (a folder, the packaged weights' own words) is a name, not prose.
    body = "\n".join(line for line in body.splitlines() if not line.startswith("- **출처**"))
    assert not leftover_english(body, NAMES), leftover_english(body, NAMES)


# -- pure builders ---------------------------------------------------------------------------------
def test_a_classify_report_holds_the_input_scores_model_and_labels():
    from demos.classify.reports import classify_report
    from demos.classify.try_it import explain_one

    shown = explain_one("sentiment", ZERO_SHOT, TEXT, "", "")
    report = classify_report("sentiment", TEXT, "", shown["labels"], shown)
    english = render_markdown(report, "en")
    top = max(shown["scores"], key=shown["scores"].get)
    for part in ("# Classification: sentiment", f"**Text**: {TEXT}", f"**Label**: {top}",
                 "## Label scores", "| Label | Score |", "multilingual-e5-small",
                 "**Labels**: the task's own", "## Which words drove the decision",
                 "**Kind of model**: zero-shot, by embedding similarity"):  # fmt: skip
        assert part in english, part
    korean = render_markdown(report, "ko")
    for part in ("# 분류: 감성", f"**텍스트**: {TEXT}", "| 레이블 | 점수 |", "| 긍정 |",
                 "| 부정 |", "**모델 종류**: 임베딩 유사도 기반 제로샷",
                 "## 판단에 영향을 준 단어"):  # fmt: skip
        assert part in korean, part
    _korean(korean)


def test_a_robustness_report_holds_the_pair_each_rewrite_and_how_many_flipped():
    from demos.classify.reports import robustness_report
    from demos.classify.try_it import robustness_table

    shown = robustness_table("nli", ZERO_SHOT, PREMISE, HYPOTHESIS, "")
    report = robustness_report("nli", PREMISE, HYPOTHESIS, shown["labels"], shown)
    english = render_markdown(report, "en")
    for part in (f"**Premise**: {PREMISE}", f"**Hypothesis**: {HYPOTHESIS}", "**Rewrites tried**:",
                 "**Rewrites that changed the label**:", "| rewrite | prediction | score |",
                 "| negation |", "multilingual-e5-small"):  # fmt: skip
        assert part in english, part
    korean = render_markdown(report, "ko")
    assert "# 견고성 확인: 자연어 추론" in korean and "**전제**: " + PREMISE in korean
    assert "| 바꾼 방식 | 예측 | 점수 | 판정 |" in korean and "| 부정 표현 | " in korean
    _korean(korean)


def test_an_evaluation_report_holds_metrics_seed_tables_and_the_threshold_curve():
    from demos.classify.reports import evaluation_report
    from models.classify.evaluate import evaluate

    result = evaluate("sentiment", "nsmc", "test", ZERO_SHOT, limit=24)
    report = evaluation_report(result, Text("{d}/{s}", "{d}/{s}", d="nsmc", s="test"), 24)
    english = render_markdown(report, "en")
    for part in (f"**Accuracy**: {result.accuracy:.4g}", f"**Macro-F1**: {result.macro_f1:.4g}",
                 "**Rows evaluated**: 24", "**Seed**: 0", "**Data**: nsmc/test",
                 "**Sample size (rows)**: 24", "## Per class", "| class | precision | recall |",
                 "## Confusion matrix", "| true \\ predicted | negative | positive |",
                 "## Misclassified rows (first 50)", "vs threshold", "| threshold |",
                 "**precision of positive at 0.5**", "multilingual-e5-small"):  # fmt: skip
        assert part in english, part
    korean = render_markdown(report, "ko")
    for part in ("# 평가: 감성", "**정확도**", "**매크로 F1**", "**시드**: 0",
                 "| 클래스 | 정밀도 |", "| 실제 \\ 예측 | 부정 | 긍정 |", "## 잘못 분류된 행",
                 "| 임계값 |"):  # fmt: skip
        assert part in korean, part
    _korean(korean.split("## 잘못 분류된 행")[0])  # the rows themselves are the data's own text


def _job(technique: str = "zero-shot", seed: int = 7) -> dict:
    from demos.generate.run import column_job

    values = [technique, None, None, None, None, "openai-compatible", "stub-model",
              "http://127.0.0.1:9/v1", "sk-secret-key", 0.3, 0.9, 64, 1.1, "", seed]  # fmt: skip
    techniques = load_techniques()
    chosen = techniques[technique]
    values[1:5] = [chosen.system, chosen.user, [list(kv) for kv in chosen.variables.items()],
                   [list(pair) for pair in chosen.examples]]  # fmt: skip
    return column_job("서울의 날씨를 한 문장으로 알려 줘", techniques, values)


def _generation(text: str) -> Generation:
    messages = [{"role": "user", "content": "서울의 날씨를 한 문장으로 알려 줘"}]
    return Generation(messages, "openai-compatible", "stub-model", text=text, prompt_tokens=11,
                      completion_tokens=5, latency_s=0.42, ttft_s=0.1, tokens_per_s=12.5,
                      finish_reason="stop", done=True)  # fmt: skip


def test_a_side_by_side_generation_report_holds_both_replies_settings_seed_and_measurements():
    from demos.generate.reports import generation_report
    from models.core.errors import PlaygroundError

    refused = PlaygroundError(
        Text("The server refused the API key.", "서버가 API 키를 거부했습니다.")
    )
    runs = [("A", _job(), _generation("맑고 따뜻합니다.")), ("B", _job("few-shot", 7), refused)]
    report = generation_report("서울의 날씨를 한 문장으로 알려 줘", runs)
    english = render_markdown(report, "en")
    for part in ("# Generation: A and B side by side", "**Input**: 서울의 날씨를",
                 "**Reply (A)**: 맑고 따뜻합니다.", "**Reply (B)**: ⚠️ The server refused",
                 "stub-model", "**Temperature (A)**: 0.3", "**Top-p (B)**: 0.9",
                 "**Max new tokens (A)**: 64", "**Seed**: 7", "**Latency (s) (A)**: 0.42",
                 "**Prompt tokens (A)**: 11", "**Completion tokens (A)**: 5",
                 "## Messages sent (A)", "| role | content |"):  # fmt: skip
        assert part in english, part
    assert "sk-secret-key" not in english  # the key never goes in
    korean = render_markdown(report, "ko")
    for part in ("# 생성: A와 B 나란히", "**답 (A)**: 맑고 따뜻합니다.", "**온도 (A)**: 0.3",
                 "**시드**: 7", "**지연 시간(초) (A)**: 0.42",
                 "서버가 API 키를 거부했습니다"):  # fmt: skip
        assert part in korean, part
    _korean(korean)
    assert generation_report("x", [("A", _job(), PlaygroundError("no"))]) is None


def _icl() -> IclReport:
    replies = [
        {
            "text": "A warm, funny film.",
            "true": "positive",
            "reply": "positive",
            "label": "positive",
        },
        {"text": "A dull mess.", "true": "negative", "reply": "I think so", "label": None},
    ]
    results = [ShotResult(k, 0.5, 1, 1, 2, list(replies)) for k in (0, 1, 2, 4)]
    return IclReport("sentiment", "vader", "packaged:SmolLM2-135M-Instruct",
                     ["negative", "positive"], results, 0.875, "")  # fmt: skip


def test_an_in_context_learning_report_holds_each_shot_count_the_reference_seed_and_replies():
    from demos.generate.icl import icl_report

    params = GenerationParams(temperature=0.0, max_new_tokens=16, seed=3)
    report = icl_report(_icl(), "local", params, 3)
    english = render_markdown(report, "en")
    for part in ("# In-context learning vs fine-tuning", "**Dataset**: VADER",
                 "**Rows (validation split)**: 2", "**Seed**: 3", "**Temperature**: 0",
                 "**Accuracy with 0 examples**: 0.5", "**Accuracy with 4 examples**: 0.5",
                 "**Accuracy of the fine-tuned classifier**: 0.875", "SmolLM2-135M-Instruct",
                 "| examples in the prompt | accuracy |", "| fine-tuned | 0.875 |",
                 "## Replies (first 100)", "| I think so |", "| no single label |"):  # fmt: skip
        assert part in english, part
    korean = render_markdown(report, "ko")
    for part in ("# 프롬프트 속 학습 vs 미세 조정", "**정확도 (예시 0개)**: 0.5", "**시드**: 3",
                 "| 프롬프트 속 예시 수 | 정확도 |", "| 미세 조정 | 0.875 | — |",
                 "| 레이블 불명확 |"):  # fmt: skip
        assert part in korean, part
    _korean(korean.split("## 답 (앞의")[0])  # the replies are the model's own words


# -- the buttons under the results ---------------------------------------------------------------
def _file(update: dict) -> str:
    assert update["visible"] is True and update["value"].endswith(".md")
    with open(update["value"], encoding="utf-8") as written:
        return written.read()


def _by_id(demo: gr.Blocks, elem_id: str):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


@pytest.fixture(scope="module")
def classification():
    from demos.classify import create_classification_tab

    with gr.Blocks() as demo:
        create_classification_tab(demo)
    return demo


def _click(demo: gr.Blocks, button_id: str):
    button = _by_id(demo, button_id)
    (event,) = [f for f in demo.fns.values() if (button._id, "click") in f.targets]
    return event.fn


def test_classify_shows_the_report_button_and_a_new_text_hides_it(classification):
    button = _by_id(classification, "cls-report")
    shown = _click(classification, "cls-go")("sentiment", ZERO_SHOT, TEXT, "", "", KOREAN)
    text = _file(shown[button])
    assert text.startswith("# 분류: 감성") and TEXT in text and "multilingual-e5-small" in text
    assert "| 레이블 | 점수 |" in text
    typed = _by_id(classification, "cls-text")
    (stale,) = [f for f in classification.fns.values()
                if (typed._id, "change") in f.targets and button in f.outputs]  # fmt: skip
    assert stale.fn()[button]["visible"] is False


def test_check_robustness_shows_the_report_button(classification):
    button = _by_id(classification, "cls-report")
    run = _click(classification, "cls-robustness")
    shown = run("nli", ZERO_SHOT, PREMISE, HYPOTHESIS, "", ENGLISH)
    text = _file(shown[button])
    assert "# Robustness check: nli" in text and PREMISE in text and "**Rewrites tried**" in text


def test_evaluate_shows_the_report_button_and_an_error_hides_it(classification):
    button = _by_id(classification, "cls-eval-report")
    run = _click(classification, "cls-eval-go")
    shown = run("sentiment", ZERO_SHOT, "nsmc", "test", 20, None, "", "", "", KOREAN)
    text = _file(shown[button])
    assert text.startswith("# 평가: 감성") and "**정확도**" in text and "**시드**: 0" in text
    assert "## 혼동 행렬" in text and "nsmc/test" in text
    failed = run("sentiment", ZERO_SHOT, "upload", "test", 20, None, "", "", "", KOREAN)
    assert failed[button]["visible"] is False


@pytest.fixture(scope="module")
def generation():
    from demos.generate import create_generate_tab

    with gr.Blocks() as demo:
        create_generate_tab(demo)
    return demo


def _event(demo: gr.Blocks, name: str, module: str):
    return next(f for f in demo.fns.values() if f.name == name and f.fn.__module__ == module)


def test_a_generation_run_ends_with_the_report_button(generation):
    event = _event(generation, "on_run_a", "demos.generate")
    values = [c.value for c in event.inputs]
    with StubServer() as url:
        values[2 + 5 : 2 + 8] = ["openai-compatible", "stub-model", url]
        updates = list(event.fn(KOREAN, "안녕하세요", {}, *values[2:]))
    button = _by_id(generation, "gen-report")
    assert updates[0][button]["visible"] is False  # the previous run's report goes at once
    text = _file(updates[-1][button])
    assert text.startswith("# 생성") and "**입력**: 안녕하세요" in text
    assert "**답**: Hello, world!" in text and "**시드**: 0" in text and "stub-model" in text


def test_the_in_context_learning_run_ends_with_the_report_button(generation):
    event = _event(generation, "on_run", "demos.generate.icl")
    button = _by_id(generation, "gen-icl-report")
    with StubServer() as url:
        updates = list(event.fn("sentiment", "vader", 8, 5, "openai-compatible", "say:positive",
                                url, "", 16, KOREAN))  # fmt: skip
    assert updates[0][button]["visible"] is False
    text = _file(updates[-1][button])
    assert text.startswith("# 프롬프트 속 학습 vs 미세 조정") and "**시드**: 5" in text
    assert "**정확도 (예시 0개)**: 0.5" in text and "stub-model" in text
