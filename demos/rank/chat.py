"""The Answer ranking tab's chat: bank, ranker, search backend, the conversation, candidates and
the leave-one-out evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos.browser import lang_of
from demos.i18n import on_load, on_switch
from demos.rank.reports import evaluation_report, reply_report
from demos.rank.views import (
    UPLOAD,
    bank_choices,
    candidates_frame,
    evaluation_frame,
    example,
    examples,
    failure,
    model_choices,
    reply_details,
)
from demos.report import create_report_button, report_file
from demos.widgets import column_dropdowns, read_upload
from models.core import inputs
from models.core.access import caller_for, check_model_ref
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.progress import Progress
from models.prepare.background import get_preparation
from models.prepare.status import notice
from models.rank.banks import DEFAULT_BANK, QABank, bank_from_upload, load_bank
from models.rank.chat import DEFAULT_TOP_K, MAX_TOP_K, ask, bot_message
from models.rank.encoders import encoders_dir
from models.rank.evaluate import evaluate_bank
from models.rank.qdrant import where
from models.rank.rankers import AUTO, BACKENDS, MEMORY, QDRANT, get_index

PREPARATION_REFRESH_S = 3.0
UPLOAD_FIRST = Text("Upload a file of questions and answers.", "질문과 답변이 든 파일을 올리세요.")
EVALUATION_HELP = Text(
    "One question of every answer that has several is held out and asked; the rest stay in the "
    "index. hit@1: the first answer is right; hit@5: it is among the first five; MRR: the mean "
    "of 1 / the right answer's rank.",
    "질문이 여러 개인 답변마다 질문 하나를 따로 떼어 물어보고, 나머지는 색인에 남겨 둡니다. hit@1: "
    "첫 답변이 맞은 비율, hit@5: 맞는 답변이 처음 다섯 개 안에 든 비율, MRR: 맞는 답변 순위의 역수 "
    "평균.",
)


@dataclass
class ChatControls:
    """The chat's components that the tuning section reads and refreshes."""

    bank: Any
    model: Any
    uploaded: Any
    info: Any


def chosen_bank(name: str, uploaded: QABank | None) -> QABank:
    if name == UPLOAD:
        if uploaded is None:
            raise PlaygroundError(
                Text(
                    "Upload a Q/A file and press Use this bank first.",
                    "먼저 질문·답변 파일을 올리고 이 모음 쓰기를 누르세요.",
                )
            )
        return uploaded
    return load_bank(name)


def checked_ranker(model: str, backend: str) -> tuple[str, str]:
    """The typed ranker reference (blank: auto) and the search backend, checked."""
    field = Text("Ranker", "검색 모델")
    model = inputs.text(model, field, allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    # On a public server a typed folder must be one of the encoders tuned here (or the cache's).
    check_model_ref(model.strip() or AUTO, caller_for(None, None), allowed=(encoders_dir(),))
    return model.strip() or AUTO, inputs.choice(backend or MEMORY, Text("Search", "검색 위치"),
                                                BACKENDS)  # fmt: skip


def progress_in(progress: gr.Progress, lang: str) -> Progress:
    """A ``models`` progress callback drawn as Gradio's bar, its messages in ``lang``."""

    def report(done: float, total: float, message: str = "") -> None:
        progress(done / total if total else None, desc=localize(message, lang))

    return report


def preparing_notice(bank_name: str, request: gr.Request | None = None) -> tuple[str, dict]:
    """The start-up preparation's word on the default bank's index, and whether to keep asking."""
    if bank_name != DEFAULT_BANK:
        return "", gr.Timer(active=False)
    preparation = get_preparation()
    waits = Text("a first question waits for it", "첫 질문은 이 준비가 끝날 때까지 기다립니다")
    text = notice(preparation, f"index:{DEFAULT_BANK}", waits)
    return localize(text, lang_of(request)), gr.Timer(active=preparation.running and bool(text))


def bank_description(name: str, uploaded: QABank | None, lang: str) -> str:
    """What the chosen bank is, or why it cannot be read."""
    if name == UPLOAD and uploaded is None:
        return localize(UPLOAD_FIRST, lang)
    try:
        return localize(chosen_bank(name, uploaded).describe(), lang)
    except PlaygroundError as err:
        return failure(error_text(err), lang)


def cleared() -> tuple[dict, None]:
    """The conversation was cleared: the report of its last reply goes with it."""
    return report_file(None, "en"), None


def create_settings() -> dict[str, Any]:
    """The bank, the ranker and where to search; then how many answers and the threshold. Each
    control has a one-line hint; two rows, so none is squeezed at 1280 px."""
    with gr.Row():
        bank = gr.Dropdown(
            bank_choices(), value=DEFAULT_BANK, label=Text("Q/A bank", "질문·답변 모음"), scale=2,
            info=Text("The stored questions and answers the bot answers from",
                      "챗봇이 답을 찾는 저장된 질문과 답변"), elem_id="rank-bank", min_width=260,
        )  # fmt: skip
        model = gr.Dropdown(
            model_choices(DEFAULT_BANK), value=AUTO, label=Text("Ranker", "검색 모델"), scale=3,
            info=Text("How a message is compared with the stored questions; or type a "
                      "sentence-embedding Hub id or folder",
                      "메시지를 저장된 질문과 비교하는 방법입니다. 문장 임베딩 모델의 Hub id나 "
                      "폴더를 입력해도 됩니다"),
            allow_custom_value=True, elem_id="rank-model", min_width=320,
        )  # fmt: skip
        backend = gr.Radio(
            [(Text("in this process", "이 프로세스 안"), MEMORY), ("Qdrant", QDRANT)], value=MEMORY,
            label=Text("Search", "검색 위치"), scale=2, elem_id="rank-backend", min_width=260,
            info=Text("Where the vectors are searched. Qdrant: {where} (`PLAYGROUND_QDRANT_URL`)",
                      "벡터를 검색하는 곳입니다. Qdrant: {where} (`PLAYGROUND_QDRANT_URL`)",
                      where=where()),
        )  # fmt: skip
    with gr.Row():
        top_k = gr.Slider(
            1, MAX_TOP_K, value=DEFAULT_TOP_K, step=1, scale=2, min_width=260,
            label=Text("Answers shown", "보여 줄 답변 수"),
            info=Text("Top-k: how many candidate answers to list",
                      "상위 k개: 후보 답변을 몇 개 보여 줄지"),
        )  # fmt: skip
        own_threshold = gr.Checkbox(
            False, label=Text("My own threshold", "임계값 직접 정하기"), scale=2, min_width=260,
            info=Text("Off: the bank's, read off its held-out questions",
                      "끄면 따로 떼어 둔 질문으로 정한 이 모음의 값을 씁니다"),
            elem_id="rank-own-threshold",
        )  # fmt: skip
        threshold = gr.Number(
            0.9, label=Text("Threshold", "임계값"), elem_id="rank-threshold", scale=1,
            info=Text("Below this score the bot says it has no answer",
                      "첫 답변의 점수가 이보다 낮으면 답하지 않습니다"), min_width=220,
        )  # fmt: skip
    return {"bank": bank, "model": model, "top_k": top_k, "own_threshold": own_threshold,
            "threshold": threshold, "backend": backend}  # fmt: skip


def create_upload() -> dict[str, Any]:
    """The upload form (hidden until the bank list says "upload")."""
    with gr.Group(visible=False) as upload_group:
        upload = gr.File(
            label=Text("Q/A file (CSV / TSV / JSONL)", "질문·답변 파일 (CSV / TSV / JSONL)")
        )
        with gr.Row():
            question_column = gr.Dropdown(
                label=Text("Question column", "질문 열"), choices=[], allow_custom_value=True,
                info=Text("The column of what people ask", "사람들이 묻는 말이 든 열"),
            )  # fmt: skip
            answer_column = gr.Dropdown(
                label=Text("Answer column", "답변 열"), choices=[], allow_custom_value=True,
                info=Text("The column of the reply to each question", "각 질문의 답변이 든 열"),
            )  # fmt: skip
            use_upload = gr.Button(Text("Use this bank", "이 모음 쓰기"), scale=0)
    return {"group": upload_group, "file": upload, "question": question_column,
            "answer": answer_column, "use": use_upload}  # fmt: skip


def wire_redraw(app: gr.Blocks, kept: list[gr.State], shown: list[Any]) -> None:
    """After a language switch, the candidates and the evaluation on screen (``shown``: details,
    candidates, evaluation) drawn again from what ``kept`` holds (the reply, the results)."""
    details, candidates, evaluation = shown

    def redraw(reply: Any, results: Any, request: gr.Request) -> dict:
        lang = lang_of(request)
        updates = {}
        if reply is not None:
            updates |= {details: reply_details(reply, lang),
                        candidates: candidates_frame(reply, lang)}  # fmt: skip
        if results is not None:
            updates[evaluation] = evaluation_frame(results, lang)
        return updates or {details: gr.skip()}

    on_switch(app, redraw, kept, shown)


def create_chat(app: gr.Blocks) -> ChatControls:
    """Build the chat and the evaluation, wire their events; the controls others need."""
    controls = create_settings()
    names = ("bank", "model", "top_k", "own_threshold", "threshold", "backend")
    bank, model, top_k, own_threshold, threshold, backend = (controls[n] for n in names)
    form = create_upload()
    upload_group, upload = form["group"], form["file"]
    question_column, answer_column, use_upload = form["question"], form["answer"], form["use"]
    info = gr.Markdown(elem_id="rank-info")
    preparing = gr.Markdown(elem_id="rank-preparing")
    preparing_timer = gr.Timer(PREPARATION_REFRESH_S, active=False)
    chat = gr.Chatbot(label=Text("Chat", "대화"), height=380, elem_id="rank-chat")
    with gr.Row():
        message = gr.Textbox(
            label=Text("Message", "메시지"), show_label=False, scale=5, elem_id="rank-message",
            placeholder=Text("e.g. I feel tired these days", "예: 요즘 너무 피곤해"),
        )  # fmt: skip
        send = gr.Button(Text("Send", "보내기"), variant="primary", scale=1, elem_id="rank-send")
    shown_examples = gr.Dataset(
        components=[message], samples=examples("en"), label=Text("Examples", "예시"),
        type="index", elem_id="rank-examples",
    )  # fmt: skip
    with gr.Accordion(Text("Candidates", "후보 답변"), open=False):
        details = gr.Markdown(elem_id="rank-details")
        candidates = gr.Dataframe(interactive=False, wrap=True, elem_id="rank-candidates")
    reply_file = create_report_button("rank-report")
    with gr.Accordion(
        Text("Evaluate this ranker on the bank", "이 모음에서 검색 모델 평가"), open=False
    ):
        gr.Markdown(EVALUATION_HELP)
        evaluate_button = gr.Button(Text("Evaluate", "평가"), elem_id="rank-evaluate")
        evaluation = gr.Dataframe(interactive=False, wrap=True, elem_id="rank-evaluation")
        eval_file = create_report_button("rank-eval-report")
    uploaded = gr.State(None)
    # The reply and the evaluation on screen, to draw their tables again after a language
    # switch (the chat itself stays as said: each reply is in its question's language).
    last_reply, last_evaluation = gr.State(None), gr.State(None)

    def on_send(
        text: str, history: list, bank_name: str, model_ref: str, k: float, own: bool,
        cut: float | None, user_bank: QABank | None, search: str, request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> dict:  # fmt: skip
        lang, history = lang_of(request), list(history or [])
        try:
            qa = chosen_bank(bank_name, user_bank)
            if own and cut is None:
                raise PlaygroundError(
                    Text(
                        "Type a threshold, or untick My own threshold.",
                        "임계값을 입력하거나 임계값 직접 정하기를 끄세요.",
                    )
                )
            ranker, search = checked_ranker(model_ref, search)
            top_k = inputs.integer(k, Text("Answers shown", "보여 줄 답변 수"), 1, MAX_TOP_K)
            bar = progress_in(progress, lang)
            result = ask(text, qa, ranker, top_k, cut if own else None, bar, search)
        except PlaygroundError as err:
            return {info: failure(error_text(err), lang)}  # the chat and the message stay
        history += [{"role": "user", "content": text.strip()},
                    {"role": "assistant", "content": bot_message(text, result, lang)}]  # fmt: skip
        report = reply_report(text.strip(), qa, result, top_k, own, search)
        return {chat: history, message: "", details: reply_details(result, lang),
                candidates: candidates_frame(result, lang), info: localize(qa.describe(), lang),
                reply_file: report_file(report, lang), last_reply: result}  # fmt: skip

    def on_bank(name: str, user_bank: QABank | None, request: gr.Request) -> dict:
        lang = lang_of(request)
        return {upload_group: gr.update(visible=name == UPLOAD), evaluation: None,
                eval_file: report_file(None, lang), last_evaluation: None,
                model: gr.update(choices=model_choices(name, lang)),
                info: bank_description(name, user_bank, lang)}  # fmt: skip

    def on_page_texts(name: str, user_bank: QABank | None, request: gr.Request) -> dict:
        """The page's own texts in its language (on load and after a switch)."""
        lang = lang_of(request)
        return {info: bank_description(name, user_bank, lang),
                model: gr.update(choices=model_choices(name, lang)),
                shown_examples: gr.Dataset(samples=examples(lang))}  # fmt: skip

    def on_file(path: str | None, request: gr.Request) -> dict:
        lang = lang_of(request)
        if not path:
            return {info: localize(UPLOAD_FIRST, lang)}
        try:
            preview = read_upload(path)
        except PlaygroundError as err:
            return {info: failure(error_text(err), lang)}
        text_update, _, label_update = column_dropdowns(preview)
        return {info: localize(preview.describe(), lang), question_column: text_update,
                answer_column: label_update}  # fmt: skip

    def on_use(path: str | None, question: str, answer: str, request: gr.Request) -> dict:
        lang = lang_of(request)
        try:
            if not path:
                raise PlaygroundError(Text("Upload a file first.", "먼저 파일을 올리세요."))
            qa = bank_from_upload(path, question, answer)
        except PlaygroundError as err:
            return {info: failure(error_text(err), lang)}
        hidden = report_file(None, lang)  # the chat and the evaluation of the old bank go
        return {uploaded: qa, info: localize(qa.describe(), lang), chat: [], evaluation: None,
                reply_file: hidden, eval_file: hidden, last_evaluation: None}  # fmt: skip

    def on_evaluate(
        bank_name: str, model_ref: str, user_bank: QABank | None, request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Any:  # fmt: skip
        lang = lang_of(request)
        try:
            qa = chosen_bank(bank_name, user_bank)
            ranker, _ = checked_ranker(model_ref, MEMORY)
            results = evaluate_bank(qa, get_index(qa, ranker, progress_in(progress, lang)))
        except PlaygroundError as err:
            return {info: failure(error_text(err), lang)}
        report = report_file(evaluation_report(qa, results), lang)
        return {evaluation: evaluation_frame(results, lang), eval_file: report,
                last_evaluation: results}  # fmt: skip

    def on_example(index: int | None, request: gr.Request) -> str:
        return example(index, lang_of(request))

    private = {"api_visibility": "private"}
    notice_outputs = [preparing, preparing_timer]
    on_load(app, preparing_notice, bank, notice_outputs)
    on_load(app, on_page_texts, [bank, uploaded], [info, model, shown_examples])
    preparing_timer.tick(
        preparing_notice, bank, notice_outputs, show_progress="hidden", queue=False, **private
    )
    asked = [message, chat, bank, model, top_k, own_threshold, threshold, uploaded, backend]
    wire_redraw(app, [last_reply, last_evaluation], [details, candidates, evaluation])
    outputs = [chat, message, details, candidates, info, reply_file, last_reply]
    send.click(on_send, asked, outputs, **private)
    message.submit(on_send, asked, outputs, **private)
    shown_examples.click(on_example, shown_examples, message, **private)
    bank.change(on_bank, [bank, uploaded],
                [upload_group, evaluation, eval_file, info, model, last_evaluation],
                **private)  # fmt: skip
    chat.clear(cleared, None, [reply_file, last_reply], **private)
    bank.change(preparing_notice, bank, notice_outputs, **private)
    upload.change(on_file, upload, [info, question_column, answer_column], **private)
    fresh = [uploaded, info, chat, evaluation, reply_file, eval_file, last_evaluation]
    use_upload.click(on_use, [upload, question_column, answer_column], fresh, **private)
    evaluate_button.click(on_evaluate, [bank, model, uploaded],
                          [evaluation, eval_file, info, last_evaluation], **private)  # fmt: skip
    return ChatControls(bank, model, uploaded, info)
