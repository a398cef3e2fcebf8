"""The Answer ranking tab's chat: bank, ranker, search backend, the conversation, candidates and
the leave-one-out evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from demos.i18n import on_load
from demos.widgets import column_dropdowns, progress_bar, read_upload
from models.core import inputs
from models.core.access import caller_for, check_model_ref
from models.core.errors import PlaygroundError
from models.prepare.background import get_preparation
from models.prepare.status import notice
from models.rank.banks import BANKS, DEFAULT_BANK, QABank, bank_from_upload, load_bank
from models.rank.chat import DEFAULT_TOP_K, MAX_TOP_K, Reply, ask, bot_message
from models.rank.encoders import encoders_dir, tuned_encoders
from models.rank.evaluate import evaluate_bank
from models.rank.qdrant import where
from models.rank.rankers import AUTO, BACKENDS, HYBRID, LEXICAL, MEMORY, QDRANT, get_index
from models.sources.packaged import PACKAGED

UPLOAD = "upload"
PREPARATION_REFRESH_S = 3.0


@dataclass
class ChatControls:
    """The chat's components that the tuning section reads and refreshes."""

    bank: Any
    model: Any
    uploaded: Any
    info: Any


def model_choices(bank: str | None = None) -> list[tuple[str, str]]:
    """The rankers offered (encoders tuned for ``bank`` among them); any sentence-embedding Hub
    id or folder can be typed as well."""
    packaged = [
        (f"{m.name} ({m.languages})", m.ref) for m in PACKAGED.values() if m.kind == "embedding"
    ]
    tuned = [(t.label, t.path) for t in tuned_encoders(bank)] if bank else []
    return [
        ("auto: the best validated encoder for this bank", AUTO),
        *packaged,
        *tuned,
        ("lexical: character n-grams (no model)", LEXICAL),
        ("hybrid: embeddings + n-grams, ranks fused", HYBRID),
    ]


def candidates_frame(result: Reply) -> pd.DataFrame:
    """One row per candidate answer, with the stored questions that led to it."""
    rows = [
        {
            "score": c.score,
            "answer": c.answer,
            "stored question": c.question,
            "also matched": " / ".join(c.questions),
        }
        for c in result.candidates
    ]
    return pd.DataFrame(rows)


def reply_details(result: Reply) -> str:
    """Margin, threshold, and where the score falls on this bank."""
    margin = "" if result.margin is None else f" · margin to the second answer {result.margin:.4f}"
    verdict = "answered" if result.confident else "not confident: no answer given"
    lines = [f"**{verdict}** · threshold {result.threshold:.4f}{margin} · `{result.model}`"]
    if result.explanation:
        lines.append(result.explanation)
    return "\n\n".join(lines)


def chosen_bank(name: str, uploaded: QABank | None) -> QABank:
    if name == UPLOAD:
        if uploaded is None:
            raise PlaygroundError("Upload a Q/A file and press Use this bank first.")
        return uploaded
    return load_bank(name)


def checked_ranker(model: str, backend: str) -> tuple[str, str]:
    """The typed ranker reference (blank: auto) and the search backend, checked."""
    model = inputs.text(model, "Ranker", allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    # On a public server a typed folder must be one of the encoders tuned here (or the cache's).
    check_model_ref(model.strip() or AUTO, caller_for(None, None), allowed=(encoders_dir(),))
    return model.strip() or AUTO, inputs.choice(backend or MEMORY, "Search", BACKENDS)


def preparing_notice(bank_name: str) -> tuple[str, dict]:
    """The start-up preparation's word on the default bank's index, and whether to keep asking."""
    if bank_name != DEFAULT_BANK:
        return "", gr.Timer(active=False)
    preparation = get_preparation()
    text = notice(preparation, f"index:{DEFAULT_BANK}", "a first question waits for it")
    return text, gr.Timer(active=preparation.running and bool(text))


def create_chat(app: gr.Blocks) -> ChatControls:
    """Build the chat and the evaluation, wire their events; the controls others need."""
    with gr.Row():
        bank = gr.Dropdown([*BANKS, UPLOAD], value=DEFAULT_BANK, label="Q/A bank", scale=2,
                           elem_id="rank-bank")  # fmt: skip
        model = gr.Dropdown(
            model_choices(DEFAULT_BANK), value=AUTO, label="Ranker", allow_custom_value=True,
            info="Or type a sentence-embedding Hub id or folder", elem_id="rank-model", scale=3,
        )  # fmt: skip
        top_k = gr.Slider(1, MAX_TOP_K, value=DEFAULT_TOP_K, step=1, label="Answers shown", scale=1)
        with gr.Column(scale=1, min_width=160):
            own_threshold = gr.Checkbox(
                False, label="My own threshold", elem_id="rank-own-threshold",
                info="Off: the bank's, read off its held-out questions",
            )  # fmt: skip
            threshold = gr.Number(0.9, label="Threshold", elem_id="rank-threshold")
        backend = gr.Radio(
            [("in this process", MEMORY), ("Qdrant", QDRANT)], value=MEMORY, label="Search",
            info=f"Qdrant: {where()} (PLAYGROUND_QDRANT_URL)", scale=1, elem_id="rank-backend",
        )  # fmt: skip
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(label="Q/A file (CSV / TSV / JSONL)")
        with gr.Row():
            question_column = gr.Dropdown(label="Question column", choices=[],
                                          allow_custom_value=True)  # fmt: skip
            answer_column = gr.Dropdown(label="Answer column", choices=[], allow_custom_value=True)
            use_upload = gr.Button("Use this bank", scale=0)
    info = gr.Markdown(elem_id="rank-info")
    preparing = gr.Markdown(elem_id="rank-preparing")
    preparing_timer = gr.Timer(PREPARATION_REFRESH_S, active=False)
    chat = gr.Chatbot(label="Chat", height=380, elem_id="rank-chat")
    with gr.Row():
        message = gr.Textbox(placeholder="예: 요즘 너무 피곤해 / I feel tired", show_label=False,
                             scale=5, elem_id="rank-message")  # fmt: skip
        send = gr.Button("Send", variant="primary", scale=1, elem_id="rank-send")
    with gr.Accordion("Candidates", open=False):
        details = gr.Markdown(elem_id="rank-details")
        candidates = gr.Dataframe(interactive=False, wrap=True, elem_id="rank-candidates")
    with gr.Accordion("Evaluate this ranker on the bank", open=False):
        gr.Markdown(
            "One question of every answer that has several is held out and asked; the rest stay "
            "in the index. hit@1: the first answer is right; hit@5: it is among the first five."
        )
        evaluate_button = gr.Button("Evaluate", elem_id="rank-evaluate")
        evaluation = gr.Dataframe(interactive=False, elem_id="rank-evaluation")
    uploaded = gr.State(None)

    def on_send(
        text: str, history: list, bank_name: str, model_ref: str, k: float, own: bool,
        cut: float | None, user_bank: QABank | None, search: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        history = list(history or [])
        try:
            qa = chosen_bank(bank_name, user_bank)
            bar = progress_bar(progress, "{message}")
            if own and cut is None:
                raise PlaygroundError("Type a threshold, or untick My own threshold.")
            ranker, search = checked_ranker(model_ref, search)
            top_k = inputs.integer(k, "Answers shown", 1, MAX_TOP_K)
            result = ask(text, qa, ranker, top_k, cut if own else None, bar, search)
        except PlaygroundError as err:
            return {info: f"⚠️ {err}"}  # the chat and the typed message stay as they were
        history += [{"role": "user", "content": text.strip()},
                    {"role": "assistant", "content": bot_message(text, result)}]  # fmt: skip
        return {chat: history, message: "", details: reply_details(result),
                candidates: candidates_frame(result), info: qa.describe()}  # fmt: skip

    def on_bank(name: str, user_bank: QABank | None) -> dict:
        shown = {upload_group: gr.update(visible=name == UPLOAD), evaluation: None,
                 model: gr.update(choices=model_choices(name))}  # fmt: skip
        if name == UPLOAD:
            text = user_bank.describe() if user_bank else "Upload a file of questions and answers."
            return {**shown, info: text}
        try:
            return {**shown, info: load_bank(name).describe()}
        except PlaygroundError as err:
            return {**shown, info: f"⚠️ {err}"}

    def on_file(path: str | None) -> dict:
        if not path:
            return {info: "Upload a file of questions and answers."}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return {info: f"⚠️ {err}"}
        text_update, _, label_update = column_dropdowns(preview)
        return {info: preview.describe(), question_column: text_update,
                answer_column: label_update}  # fmt: skip

    def on_use(path: str | None, question: str, answer: str) -> dict:
        try:
            if not path:
                raise PlaygroundError("Upload a file first.")
            qa = bank_from_upload(path, question, answer)
        except PlaygroundError as err:
            return {info: f"⚠️ {err}"}
        return {uploaded: qa, info: qa.describe(), chat: [], evaluation: None}

    def on_evaluate(
        bank_name: str, model_ref: str, user_bank: QABank | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Any:  # fmt: skip
        try:
            qa = chosen_bank(bank_name, user_bank)
            ranker, _ = checked_ranker(model_ref, MEMORY)
            index = get_index(qa, ranker, progress_bar(progress, "{message}"))
            results = evaluate_bank(qa, index)
        except PlaygroundError as err:
            return {info: f"⚠️ {err}"}
        rows = [{"ranker": m.ref, "hit@1": round(m.hit_at_1, 4), "hit@5": round(m.hit_at_5, 4),
                 "MRR": round(m.mrr, 4), "held-out questions": m.n_queries}
                for m in results.values()]  # fmt: skip
        return {evaluation: pd.DataFrame(rows).drop_duplicates("ranker")}

    private = {"api_visibility": "private"}
    notice_outputs = [preparing, preparing_timer]
    on_load(app, preparing_notice, bank, notice_outputs)
    preparing_timer.tick(preparing_notice, bank, notice_outputs, show_progress="hidden", **private)
    asked = [message, chat, bank, model, top_k, own_threshold, threshold, uploaded, backend]
    outputs = [chat, message, details, candidates, info]
    send.click(on_send, asked, outputs, **private)
    message.submit(on_send, asked, outputs, **private)
    bank.change(on_bank, [bank, uploaded], [upload_group, evaluation, info, model], **private)
    bank.change(preparing_notice, bank, notice_outputs, **private)
    upload.change(on_file, upload, [info, question_column, answer_column], **private)
    use_upload.click(
        on_use, [upload, question_column, answer_column], [uploaded, info, chat, evaluation],
        **private,
    )  # fmt: skip
    evaluate_button.click(on_evaluate, [bank, model, uploaded], [evaluation, info], **private)
    return ChatControls(bank, model, uploaded, info)
