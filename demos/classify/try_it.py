"""The "Try it" sub-tab: classify one input, see which words drove it, check its robustness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from demos.access import caller
from demos.browser import lang_of
from demos.classify.choices import classified_by
from demos.classify.header import Header
from demos.classify.reports import classify_report, robustness_report, robustness_rows
from demos.i18n import on_load, on_switch
from demos.report import create_report_button, report_file
from demos.widgets import attribution_html
from models.classify.confidence import judge
from models.classify.describe import how_zero_shot_works
from models.classify.explain import occlusion
from models.classify.labels import display_scores
from models.classify.loaders import AUTO, get_classifier
from models.classify.predict import check_input, checked_choice, classify
from models.classify.robustness import check_robustness
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, join, localize
from models.core.text import detect_language
from models.finetune.refs import usable_model

# Korean and English examples for every task, whatever the page's language: the playground
# classifies both. The last intent example has no matching intent (SNIPS has no alarms), so the
# tab's "not sure" shows on it.
EXAMPLES = {
    "sentiment": [
        ["이 영화 진짜 재밌다 ㅋㅋ 배우들 연기도 최고", ""],
        ["시간 아깝다... 스토리도 엉망이고 지루함", ""],
        ["A warm, funny and beautifully acted film.", ""],
        ["The plot is a mess and the jokes fall flat.", ""],
    ],
    "nli": [
        ["한 남자가 공원에서 개와 함께 달리고 있다.", "남자가 밖에 있다."],
        ["한 남자가 공원에서 개와 함께 달리고 있다.", "남자가 집에서 자고 있다."],
        ["여자가 카페에서 책을 읽고 있다.", "여자는 학생이다."],
        ["A man is playing a guitar on stage.", "A man is performing music."],
        ["A man is playing a guitar on stage.", "The man is asleep in bed."],
    ],
    "intent": [
        ["운동할 때 듣는 재생목록에 이 노래 좀 추가해 줘", ""],
        ["내일 서울에 비 와?", ""],
        ["오늘 저녁 7시에 이탈리안 레스토랑 네 명 예약해 줘", ""],
        ["아이유 노래 틀어 줘", ""],
        ["Add this song to my workout playlist", ""],
        ["Will it rain in Seoul tomorrow?", ""],
        ["Book a table for four at an Italian restaurant tonight", ""],
        ["Play some jazz by Miles Davis", ""],
        ["아침 7시에 깨워 줘", ""],
    ],
}
TEXT_LABELS = {"nli": Text("Premise", "전제"), "other": Text("Text", "텍스트")}
# Robustness table (headers: reports.ROBUSTNESS, key columns first): the texts take the rest
# of the width and wrap.
ROBUSTNESS_WIDTHS = ["14%", "11%", "7%", "13%", "38%", "17%"]
ROBUSTNESS_WIDTHS_NLI = ["13%", "11%", "6%", "12%", "24%", "18%", "16%"]


def text_label(task: str) -> Text:
    """The first box's label: NLI names its two texts."""
    return TEXT_LABELS["nli" if task == "nli" else "other"]


@dataclass
class TryIt:
    """The sub-tab's components."""

    text: gr.Textbox
    text_pair: gr.Textbox
    classify_button: gr.Button
    robustness_button: gr.Button
    examples: gr.Dataset
    nli_examples: gr.Dataset
    scores: gr.Label
    notice: gr.Markdown
    attribution: gr.HTML
    how_to_read: gr.Markdown
    robustness: gr.Dataframe
    report: gr.DownloadButton
    shown: gr.State  # the result on screen as plain data (None: none), to draw it again

    def on_task(self, task: str) -> dict:
        """A new task: its own input boxes and examples, nothing left from the previous one."""
        return {
            self.text: gr.update(label=text_label(task)),
            self.text_pair: gr.update(visible=task == "nli"),
            self.examples: gr.update(
                samples=[[t] for t, _ in EXAMPLES[task]], visible=task != "nli"
            ),
            self.nli_examples: gr.update(visible=task == "nli"),
            **self.stale(),
        }

    def stale(self) -> dict:
        """Every result about an input, emptied: a new text, pair, model or labels makes them
        describe something no longer on screen."""
        return {
            self.attribution: "",
            self.scores: None,
            self.notice: "",
            self.how_to_read: "",
            self.robustness: gr.update(value=None, visible=False),
            self.report: gr.update(value=None, visible=False),
            self.shown: None,
        }

    def render(self, result: dict, lang: str) -> dict:
        """A result (``shown`` state: which check, its input and plain data) drawn in ``lang``:
        after Classify or Check robustness, and again in the other language after a switch."""
        task, text, pair, data = result["task"], result["text"], result["pair"], result["data"]
        drawn = {
            self.scores: display_scores(data["scores"], lang),
            self.notice: public_message(localize(data["info"], lang)),
            self.shown: result,
        }
        if result["check"] == "classify":
            report = classify_report(task, text, pair, data["labels"], data)
            return {
                **drawn,
                self.attribution: attribution_html(data["spans"]),
                self.how_to_read: localize(data["how_to_read"], lang),
                self.robustness: gr.update(value=None, visible=False),
                self.report: report_file(report, lang),
            }
        data = {**data, "table": robustness_frame(data["rows"], lang)}
        widths = ROBUSTNESS_WIDTHS_NLI if data["nli"] else ROBUSTNESS_WIDTHS
        report = robustness_report(task, text, pair, data["labels"], data)
        # The scores shown are this text's; word colours of an earlier text would not be.
        return {
            **drawn,
            self.attribution: "",
            self.how_to_read: "",
            self.robustness: gr.update(value=data["table"], visible=True, column_widths=widths),
            self.report: report_file(report, lang),
        }

    @property
    def results(self) -> list[gr.components.Component]:
        return [self.scores, self.notice, self.attribution, self.how_to_read, self.robustness,
                self.report, self.shown]  # fmt: skip

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [self.text, self.text_pair, self.examples, self.nli_examples, *self.results]


def create_try_it() -> TryIt:
    """Build the sub-tab's components (events are wired by ``wire_try_it``)."""
    examples_label = Text("Examples (click one)", "예시(하나를 누르세요)")
    with gr.Row():
        with gr.Column():
            # max_lines: a pasted long text scrolls in the box instead of lengthening the page.
            text = gr.Textbox(
                label=text_label("sentiment"), lines=3, max_lines=8, elem_id="cls-text"
            )
            text_pair = gr.Textbox(
                label=Text("Hypothesis", "가설"), lines=2, visible=False, elem_id="cls-pair"
            )
            with gr.Row():
                classify_button = gr.Button(
                    Text("Classify", "분류"), variant="primary", elem_id="cls-go"
                )
                robustness_button = gr.Button(
                    Text("Check robustness", "견고성 확인"), elem_id="cls-robustness"
                )
            examples = gr.Dataset(
                components=[text], samples=[[t] for t, _ in EXAMPLES["sentiment"]],
                label=examples_label,
            )  # fmt: skip
            nli_examples = gr.Dataset(
                components=[text, text_pair], samples=EXAMPLES["nli"],
                label=examples_label, visible=False,
            )  # fmt: skip
        with gr.Column():
            scores = gr.Label(
                label=Text("Label scores", "레이블 점수"), num_top_classes=10,
                elem_id="cls-scores",
            )  # fmt: skip
            notice = gr.Markdown(elem_id="cls-notice")
            # Not a HighlightedText: that draws every span as a block of its own, so a long text
            # made the page thousands of pixels tall; this box scrolls instead.
            attribution = gr.HTML(
                label=Text("Which words drove the decision", "판단에 영향을 준 단어"),
                show_label=True, container=True, elem_id="cls-words",
            )  # fmt: skip
            how_to_read = gr.Markdown(elem_id="cls-how-to-read")
    robustness = gr.Dataframe(
        label=Text(
            "Robustness check: small rewrites of the input", "견고성 확인: 입력을 조금씩 바꿔 보기"
        ),
        interactive=False, visible=False, wrap=True, elem_id="cls-robustness-table",
    )  # fmt: skip
    report = create_report_button("cls-report")  # under the result, hidden until there is one
    return TryIt(
        text, text_pair, classify_button, robustness_button, examples, nli_examples, scores,
        notice, attribution, how_to_read, robustness, report, gr.State(None),
    )  # fmt: skip


def checked(
    task: str, model: str, text: str, pair: str, label_text: str
) -> tuple[str, str, str, str, list[str] | None]:
    """The form's values checked as the API checks them: task, model, text, pair, labels."""
    task, model = checked_choice(task, model)
    check_input(task, text, pair if task == "nli" else "")
    return task, model, text, pair or "", inputs.labels(label_text, Text("Labels", "레이블"))


def explain_one(task: str, model: str, text: str, pair: str, label_text: str) -> dict:
    """Label scores, how sure they are, the words that drove them, and a line on the model
    (plain data: raw labels, ``Text`` lines)."""
    task, model, text, pair, labels = checked(task, model, text, pair, label_text)
    prediction = classify(task, text, pair, model, labels)
    classifier = get_classifier(task, model, labels, prediction.language)
    explained = occlusion(classifier, text.strip(), pair.strip() if task == "nli" else None)
    confidence = prediction.confidence
    notes = [
        confidence.sentence(),
        how_zero_shot_works(prediction.mode, task),
        Text("✂️ {n}", "✂️ {n}", n=prediction.notice) if prediction.notice else "",
    ]
    lines = [*notes, classified_by(prediction.model, prediction.mode, prediction.source)]
    return {
        "scores": prediction.scores,
        "labels": labels,
        "confident": confidence.confident,
        "runner_up": confidence.runner_up,
        "model": prediction.model,
        "mode": prediction.mode,
        "source": prediction.source,
        "notes": [line for line in notes if line],
        "info": join([line for line in lines if line], "\n\n"),
        "spans": explained.spans,
        "how_to_read": join([t for t in (explained.how_to_read, explained.note) if t], "\n\n"),
    }


def robustness_frame(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The robustness rows as people read them: key columns first, labels and headers in
    ``lang``; the programs' "flipped" column left out (the verdict says it)."""
    frame = robustness_rows(rows)  # the report's table, as Texts: rendered here in ``lang``
    return frame.rename(columns=lambda c: localize(c, lang)).map(lambda v: localize(v, lang))


def robustness_table(
    task: str, model: str, text: str, pair: str, label_text: str, lang: str = "en"
) -> dict:
    """The rewrites of the input, each predicted, as a table; and the input's own label scores
    (plain data)."""
    task, model, text, pair, labels = checked(task, model, text, pair, label_text)
    classifier = get_classifier(task, model, labels, detect_language(text))
    hypothesis = pair.strip() if task == "nli" else None
    original, _ = classifier.predict_proba(
        [text.strip()], None if hypothesis is None else [hypothesis]
    )
    scores = dict(sorted(zip(classifier.labels, map(float, original[0]), strict=True),
                         key=lambda kv: -kv[1]))  # fmt: skip

    def predict(texts: list[str], pairs: list[str] | None) -> list[tuple[str, float]]:
        probs, _ = classifier.predict_proba(texts, pairs)
        return [(classifier.labels[int(p.argmax())], float(p.max())) for p in probs]

    rows = check_robustness(text.strip(), predict, task, hypothesis)
    # The scores shown beside the table are this text's, said as honestly as after Classify.
    confidence = judge(scores)
    notes = [confidence.sentence(), how_zero_shot_works(classifier.mode, task)]
    lines = [*notes, classified_by(classifier.ref, classifier.mode, classifier.description)]
    return {
        "table": robustness_frame(rows, lang),
        "rows": rows,
        "scores": scores,
        "labels": labels,
        "confident": confidence.confident,
        "runner_up": confidence.runner_up,
        "model": classifier.ref,
        "mode": classifier.mode,
        "source": classifier.description,
        "notes": [line for line in notes if line],
        "nli": hypothesis is not None,
        "info": join([line for line in lines if line], "\n\n"),
    }


def usable(model: str, request: gr.Request | None) -> str:
    """The chosen model if this visitor may use it (see ``models.finetune.refs``)."""
    return usable_model(model or AUTO, caller(request))


def wire_try_it(app: gr.Blocks, header: Header, tab: TryIt) -> None:
    """Classify, check robustness, fill the boxes from an example, and clear results that no
    longer describe the input."""
    asked = [header.task, header.model, tab.text, tab.text_pair, header.labels]

    def failed(err: PlaygroundError, lang: str) -> str:
        return f"⚠️ {public_message(localize(error_text(err), lang))}"

    def run_classify(
        task: str, model: str, text: str, pair: str, label_text: str, request: gr.Request
    ) -> dict:
        lang = lang_of(request)
        try:
            data = explain_one(task, usable(model, request), text, pair, label_text)
        except PlaygroundError as err:
            return {**tab.stale(), tab.notice: failed(err, lang)}
        result = {"check": "classify", "task": task, "text": text, "pair": pair, "data": data}
        return tab.render(result, lang)

    def run_robustness(
        task: str, model: str, text: str, pair: str, label_text: str, request: gr.Request
    ) -> dict:
        lang = lang_of(request)
        try:
            data = robustness_table(task, usable(model, request), text, pair, label_text, lang)
        except PlaygroundError as err:
            return {**tab.stale(), tab.notice: failed(err, lang)}
        result = {"check": "robustness", "task": task, "text": text, "pair": pair, "data": data}
        return tab.render(result, lang)

    def redraw(result: dict | None, request: gr.Request) -> dict:
        # After a language switch, the result on screen in the new language (nothing computed).
        if not result:
            return {component: gr.skip() for component in tab.results}
        return tab.render(result, lang_of(request))

    private: dict = {"api_visibility": "private"}
    tab.classify_button.click(run_classify, asked, tab.results, **private)
    tab.robustness_button.click(run_robustness, asked, tab.results, **private)
    # A result describes the input it was computed on: once the input changes, it goes.
    for control in (tab.text, tab.text_pair, header.model, header.labels):
        control.change(
            tab.stale, None, tab.results, queue=False, show_progress="hidden",
            trigger_mode="always_last", **private,
        )  # fmt: skip
    tab.examples.click(lambda sample: sample[0], tab.examples, tab.text, **private)
    tab.nli_examples.click(
        lambda sample: sample, tab.nli_examples, [tab.text, tab.text_pair], **private
    )

    def labels_for(task: str, request: gr.Request) -> dict:
        # A language switch puts the constructor's label back: the task's own goes on again.
        return gr.update(label=localize(text_label(task), lang_of(request)))

    on_load(app, labels_for, header.task, tab.text)
    on_switch(app, redraw, tab.shown, tab.results)
