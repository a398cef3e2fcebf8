"""The "Try it" sub-tab: classify one input, see which words drove it, check its robustness."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from demos.access import caller
from demos.classify.header import Header
from models.classify.explain import occlusion
from models.classify.loaders import AUTO, get_classifier
from models.classify.predict import check_input, checked_choice, classify
from models.classify.robustness import check_robustness
from models.core import inputs
from models.core.access import public_message
from models.core.errors import PlaygroundError
from models.core.text import detect_language
from models.finetune.refs import usable_model

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
    ],
    "intent": [
        ["Add this song to my workout playlist", ""],
        ["Will it rain in Seoul tomorrow?", ""],
        ["Book a table for four at an Italian restaurant tonight", ""],
        ["Play some jazz by Miles Davis", ""],
    ],
}
# rewrite, text, [hypothesis,] prediction, score, verdict, note: the texts get the room.
ROBUSTNESS_WIDTHS = ["13%", "38%", "11%", "7%", "13%", "18%"]
ROBUSTNESS_WIDTHS_NLI = ["12%", "26%", "18%", "11%", "6%", "12%", "15%"]


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
    attribution: gr.HighlightedText
    how_to_read: gr.Markdown
    robustness: gr.Dataframe

    def on_task(self, task: str) -> dict:
        """A new task: its own input boxes and examples, nothing left from the previous one."""
        return {
            self.text: gr.update(label="Premise" if task == "nli" else "Text"),
            self.text_pair: gr.update(visible=task == "nli"),
            self.examples: gr.update(
                samples=[[t] for t, _ in EXAMPLES[task]], visible=task != "nli"
            ),
            self.nli_examples: gr.update(visible=task == "nli"),
            self.attribution: None,
            self.scores: None,
            self.notice: "",
            self.how_to_read: "",
            self.robustness: gr.update(visible=False),
        }

    @property
    def task_outputs(self) -> list[gr.components.Component]:
        return [
            self.text, self.text_pair, self.examples, self.nli_examples, self.attribution,
            self.scores, self.notice, self.how_to_read, self.robustness,
        ]  # fmt: skip


def create_try_it() -> TryIt:
    """Build the sub-tab's components (events are wired by ``wire_try_it``)."""
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="Text", lines=3, elem_id="cls-text")
            text_pair = gr.Textbox(label="Hypothesis", lines=2, visible=False, elem_id="cls-pair")
            with gr.Row():
                classify_button = gr.Button("Classify", variant="primary", elem_id="cls-go")
                robustness_button = gr.Button("Check robustness", elem_id="cls-robustness")
            examples = gr.Dataset(
                components=[text], samples=[[t] for t, _ in EXAMPLES["sentiment"]],
                label="Examples (click one)",
            )  # fmt: skip
            nli_examples = gr.Dataset(
                components=[text, text_pair], samples=EXAMPLES["nli"],
                label="Examples (click one)", visible=False,
            )  # fmt: skip
        with gr.Column():
            scores = gr.Label(label="Label scores", num_top_classes=10, elem_id="cls-scores")
            notice = gr.Markdown(elem_id="cls-notice")
            attribution = gr.HighlightedText(
                label="Which words drove the decision", elem_id="cls-words",
                show_legend=False, combine_adjacent=False,
            )  # fmt: skip
            how_to_read = gr.Markdown()
    robustness = gr.Dataframe(
        label="Robustness check: small rewrites of the input", interactive=False,
        visible=False, wrap=True, elem_id="cls-robustness-table",
    )  # fmt: skip
    return TryIt(
        text, text_pair, classify_button, robustness_button, examples, nli_examples, scores,
        notice, attribution, how_to_read, robustness,
    )  # fmt: skip


def checked(
    task: str, model: str, text: str, pair: str, label_text: str
) -> tuple[str, str, str, str, list[str] | None]:
    """The form's values checked as the API checks them: task, model, text, pair, labels."""
    task, model = checked_choice(task, model)
    check_input(task, text, pair if task == "nli" else "")
    return task, model, text, pair or "", inputs.labels(label_text, "Labels")


def explain_one(task: str, model: str, text: str, pair: str, label_text: str) -> dict:
    """Label scores, the words that drove them, and a line on the model (plain data)."""
    task, model, text, pair, labels = checked(task, model, text, pair, label_text)
    prediction = classify(task, text, pair, model, labels)
    classifier = get_classifier(task, model, labels, prediction.language)
    explained = occlusion(classifier, text.strip(), pair.strip() if task == "nli" else None)
    # The source line starts with the model's reference: name it once.
    info = f"Model ({prediction.mode}): {prediction.source}"
    if prediction.notice:
        info = f"✂️ {prediction.notice}\n\n{info}"
    return {
        "scores": prediction.scores,
        "info": info,
        "spans": explained.spans,
        "how_to_read": explained.how_to_read,
    }


def robustness_table(task: str, model: str, text: str, pair: str, label_text: str) -> dict:
    """The rewrites of the input, each predicted, as a table (plain data)."""
    task, model, text, pair, labels = checked(task, model, text, pair, label_text)
    classifier = get_classifier(task, model, labels, detect_language(text))

    def predict(texts: list[str], pairs: list[str] | None) -> list[tuple[str, float]]:
        probs, _ = classifier.predict_proba(texts, pairs)
        return [(classifier.labels[int(p.argmax())], float(p.max())) for p in probs]

    hypothesis = pair.strip() if task == "nli" else None
    rows = check_robustness(text.strip(), predict, task, hypothesis)
    # "flipped" stays in the rows for programs; the verdict says it for people.
    return {
        "table": pd.DataFrame(rows).drop(columns="flipped"),
        "nli": hypothesis is not None,
        "info": f"Checked with ({classifier.mode}): {classifier.description}",
    }


def usable(model: str, request: gr.Request | None) -> str:
    """The chosen model if this visitor may use it (see ``models.finetune.refs``)."""
    return usable_model(model or AUTO, caller(request))


def wire_try_it(header: Header, tab: TryIt) -> None:
    """Classify, check robustness, and fill the boxes from an example."""
    asked = [header.task, header.model, tab.text, tab.text_pair, header.labels]

    def run_classify(
        task: str, model: str, text: str, pair: str, label_text: str, request: gr.Request
    ) -> dict:
        try:
            shown = explain_one(task, usable(model, request), text, pair, label_text)
        except PlaygroundError as err:
            return {tab.notice: f"⚠️ {public_message(str(err))}", tab.scores: None,
                    tab.attribution: None, tab.how_to_read: ""}  # fmt: skip
        return {
            tab.scores: shown["scores"],
            tab.notice: public_message(shown["info"]),
            tab.attribution: shown["spans"],
            tab.how_to_read: shown["how_to_read"],
        }

    def run_robustness(
        task: str, model: str, text: str, pair: str, label_text: str, request: gr.Request
    ) -> dict:
        try:
            shown = robustness_table(task, usable(model, request), text, pair, label_text)
        except PlaygroundError as err:
            return {tab.notice: f"⚠️ {public_message(str(err))}",
                    tab.robustness: gr.update(visible=False)}  # fmt: skip
        widths = ROBUSTNESS_WIDTHS_NLI if shown["nli"] else ROBUSTNESS_WIDTHS
        return {
            tab.notice: public_message(shown["info"]),
            tab.robustness: gr.update(value=shown["table"], visible=True, column_widths=widths),
        }

    tab.classify_button.click(
        run_classify, asked, [tab.scores, tab.notice, tab.attribution, tab.how_to_read],
        api_visibility="private",
    )  # fmt: skip
    tab.robustness_button.click(
        run_robustness, asked, [tab.notice, tab.robustness], api_visibility="private"
    )
    tab.examples.click(lambda sample: sample[0], tab.examples, tab.text, api_visibility="private")
    tab.nli_examples.click(
        lambda sample: sample, tab.nli_examples, [tab.text, tab.text_pair],
        api_visibility="private",
    )  # fmt: skip
