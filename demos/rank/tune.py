"""Fine-tune the encoder for the chosen bank: full and LoRA side by side, live, stoppable.

A thin UI over ``models.rank.tune``: the job holds the server's training slot, its progress and
loss curves show while it runs, and the comparison (hit@1 before and after on the held-out
questions, time, trainable parameters, memory, checkpoint size) when it ends. The tuned encoders
join the ranker list of that bank.

The run belongs to the browser that started it, not to one page load: a timer polls the job
held in the page's state, and when the page loads (a reload, a second tab) it finds that
browser's running job again, so its starter sees the progress and Stop. Anyone else is told
who holds the training slot and until when.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from demos.access import caller
from demos.browser import lang_of
from demos.i18n import on_load
from demos.rank.chat import ChatControls, checked_ranker, chosen_bank
from demos.rank.reports import tune_report
from demos.rank.tune_views import (
    KIND,
    comparison_frame,
    curves,
    ended_text,
    own_job,
    progress_text,
)
from demos.rank.views import failure, model_choices
from demos.report import create_report_button, report_file
from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.core.jobs import TRAINING_SLOT, Job, start_job
from models.core.monitor import Monitor
from models.rank.banks import QABank
from models.rank.encoders import METHODS, SELECTION_PART, TuneRecord
from models.rank.rankers import LEXICAL, MEMORY
from models.rank.tune import LEARNING_RATE_BOUNDS, TuneSettings, run_tune

POLL_S = 1.0
EXPLAIN = Text(
    "Contrastive training on this bank's own pairs (a question and another question with the "
    "same answer, a question and its answer; with hard negatives, the other-answer question the "
    "base model ranks first). The held-out questions of the evaluation are never trained on. An "
    "encoder that beats the base on the {part} half becomes this bank's *auto* ranker; the test "
    "half is reported beside it. The encoder tuned is the chosen ranker's (auto: the default "
    "e5). On 2 CPU cores a step takes seconds: expect small changes from a few minutes.",
    "이 모음의 질문 쌍으로 대조 학습을 합니다(같은 답변의 다른 질문, 질문과 그 답변. 어려운 오답을 "
    "켜면 기준 모델이 가장 높게 매긴 다른 답변의 질문도 함께). 평가용으로 따로 떼어 둔 질문은 "
    "학습하지 않습니다. 검증 절반에서 기준 모델보다 나은 인코더가 이 모음의 *자동* 검색 모델이 "
    "되고, 테스트 절반의 결과는 옆에 보고합니다. 고른 검색 모델의 인코더를 조정합니다(자동이면 "
    "기본 e5). CPU 코어 2개에서는 한 스텝에 몇 초가 걸리므로 몇 분 학습으로는 변화가 작습니다.",
    part=Text(SELECTION_PART, "검증"),
)
STOP_SHOWN, STOP_HIDDEN = gr.update(visible=True), gr.update(visible=False)
AXES = {"x_title": Text("step", "스텝"), "y_title": Text("loss", "손실"),
        "color_title": Text("method", "방법")}  # fmt: skip


def plot_update(snapshot: dict, lang: str) -> dict:
    """The loss curves so far, the axes named in ``lang``."""
    return gr.update(value=curves(snapshot, lang), **localize(AXES, lang))


def create_form() -> dict[str, Any]:
    """The form's controls, each with a one-line hint."""
    defaults = TuneSettings()
    low, high = LEARNING_RATE_BOUNDS
    with gr.Row():
        methods = gr.CheckboxGroup(
            [(title, key) for key, title in METHODS.items()],
            value=list(defaults.methods),
            label=Text("Methods", "방법"),
            elem_id="rank-tune-methods",
            info=Text(
                "Full: every weight trains. LoRA: small low-rank matrices beside frozen weights",
                "전체: 모든 가중치를 학습합니다. LoRA: 가중치는 고정하고 작은 저랭크 "
                "행렬만 학습합니다",
            ),
        )
        minutes = gr.Slider(
            0.25, 30, value=defaults.minutes, step=0.25,
            label=Text("Training time per method (minutes)", "방법마다 학습할 시간(분)"),
            info=Text("Each method trains this long, then the bank is indexed and scored",
                      "방법마다 이만큼 학습한 뒤 모음을 색인하고 평가합니다"),
            elem_id="rank-tune-minutes",
        )  # fmt: skip
        hard = gr.Checkbox(
            defaults.hard_negatives, label=Text("Hard negatives", "어려운 오답"),
            info=Text("Add the other-answer question the base model ranks first",
                      "기준 모델이 가장 높게 매긴 다른 답변의 질문을 오답으로 더합니다"),
        )  # fmt: skip
    with gr.Row():
        batch = gr.Slider(
            4, 128, value=defaults.batch_size, step=4, label=Text("Batch size", "배치 크기"),
            info=Text("Pairs per step; each pair's negatives are the batch's other pairs",
                      "한 스텝의 쌍 수입니다. 같은 배치의 다른 쌍이 오답이 됩니다"),
        )  # fmt: skip
        lr_full = gr.Number(
            defaults.lr_full, minimum=low, maximum=high,
            label=Text("Learning rate, full fine-tuning", "학습률(전체 미세 조정)"),
            info=Text("How far each step moves the weights; too high forgets what the model knew",
                      "한 스텝에 가중치를 얼마나 바꿀지입니다. 너무 크면 원래 알던 것을 잊습니다"),
        )  # fmt: skip
        lr_lora = gr.Number(
            defaults.lr_lora, minimum=low, maximum=high,
            label=Text("Learning rate, LoRA", "학습률(LoRA)"),
            info=Text("LoRA trains few weights from zero, so it takes larger steps",
                      "LoRA는 0에서 시작하는 적은 가중치만 학습하므로 더 큰 학습률을 씁니다"),
        )  # fmt: skip
        rank = gr.Slider(
            1, 64, value=defaults.lora_rank, step=1, label=Text("LoRA rank", "LoRA 랭크"),
            info=Text("Size of LoRA's update: more capacity, more trainable parameters",
                      "LoRA 업데이트의 크기입니다. 클수록 표현력과 학습 파라미터가 늘어납니다"),
        )  # fmt: skip
    return {"methods": methods, "minutes": minutes, "hard": hard, "batch": batch,
            "lr_full": lr_full, "lr_lora": lr_lora, "rank": rank}  # fmt: skip


def tune_settings(
    qa: QABank, ranker: str, methods: list[str] | None, minutes: float, hard: bool, batch: float,
    lr_full: float | None, lr_lora: float | None, rank: float,
) -> TuneSettings:  # fmt: skip
    """The form's values as checked settings (a PlaygroundError names the first bad one)."""
    if ranker == LEXICAL:
        raise PlaygroundError(Text(
            "The lexical ranker has no encoder: choose an embedding model as the ranker to "
            "fine-tune it.",
            "어휘 검색에는 인코더가 없습니다. 조정하려면 임베딩 모델을 검색 모델로 고르세요.",
        ))  # fmt: skip
    low, high = LEARNING_RATE_BOUNDS
    settings = TuneSettings(
        qa.name,
        ranker,
        tuple(methods or ()),
        inputs.number(minutes, Text("Training time", "학습 시간"), 0, 1e4),
        batch_size=inputs.integer(batch, Text("Batch size", "배치 크기"), 2, 512),
        hard_negatives=bool(hard),
        lora_rank=inputs.integer(rank, Text("LoRA rank", "LoRA 랭크"), 1, 256),
        lr_full=inputs.number(
            lr_full, Text("Learning rate, full fine-tuning", "학습률(전체 미세 조정)"), low, high
        ),
        lr_lora=inputs.number(lr_lora, Text("Learning rate, LoRA", "학습률(LoRA)"), low, high),
    )
    settings.check()
    return settings


def create_tune(app: gr.Blocks, controls: ChatControls) -> None:
    """The accordion with the form, Train / Stop, progress, curves and the comparison."""
    with gr.Accordion(
        Text("Fine-tune the encoder for this bank", "이 모음에 맞게 인코더 미세 조정"), open=False
    ):
        gr.Markdown(EXPLAIN)
        form = create_form()
        with gr.Row():
            train = gr.Button(Text("Train", "학습"), variant="primary", elem_id="rank-tune-train")
            stop = gr.Button(Text("Stop", "멈춤"), visible=False, elem_id="rank-tune-stop")
        status = gr.Markdown(elem_id="rank-tune-status")
        plot = gr.LinePlot(x="step", y="loss", color="method", elem_id="rank-tune-curves",
                           label=Text("Training loss", "학습 손실"))  # fmt: skip
        # Key columns first; when wider than the page it scrolls inside itself, method pinned.
        table = gr.Dataframe(interactive=False, wrap=True, pinned_columns=1,
                             elem_id="rank-tune-results")  # fmt: skip
        report = create_report_button("rank-tune-report")
    job_state = gr.State(None)
    drawn = gr.State(-1)  # loss points on the plot: redrawn only when there are new ones
    poll = gr.Timer(POLL_S, active=False)

    def following(job: Job, lang: str, note: Any = None, points: int = -1) -> dict:
        snapshot = job.snapshot()
        text = progress_text(snapshot, lang)
        now = sum(len(entry["history"]) for entry in snapshot["methods"].values())
        return {job_state: job, status: f"{localize(note, lang)}\n\n{text}" if note else text,
                plot: plot_update(snapshot, lang) if now != points else gr.skip(), drawn: now,
                stop: STOP_SHOWN, poll: gr.Timer(active=True)}  # fmt: skip

    def ended(job: Job, lang: str, new_encoders: bool = True) -> dict:
        shown = {status: ended_text(job, lang), plot: plot_update(job.monitor.snapshot(), lang),
                 stop: STOP_HIDDEN, poll: gr.Timer(active=False)}  # fmt: skip
        if job.result is not None:
            shown[table] = comparison_frame(job.result, lang)
            shown[report] = report_file(tune_report(job.result), lang)
            if new_encoders:  # once, as the run ends: the list may show another bank later
                shown[controls.model] = gr.update(choices=model_choices(job.result.bank, lang))
        return shown

    def on_train(
        bank_name: str, model_ref: str, user_bank: QABank | None, methods: list[str],
        minutes: float, hard: bool, batch: float, lr_full: float | None, lr_lora: float | None,
        rank: float, request: gr.Request,
    ) -> dict:  # fmt: skip
        lang, owner = lang_of(request), caller(request).owner
        if (mine := own_job(owner)) is not None:  # started before a reload: follow it again
            still = Text("Your run is still going.", "시작한 학습이 아직 진행 중입니다.")
            return following(mine, lang, still)
        try:
            qa = chosen_bank(bank_name, user_bank)
            ranker, _ = checked_ranker(model_ref, MEMORY)
            settings = tune_settings(qa, ranker, methods, minutes, hard, batch, lr_full, lr_lora,
                                     rank)  # fmt: skip
            what = Text("tuning the encoder for {bank}", "{bank}에 맞춘 인코더 조정",
                        bank=qa.title)  # fmt: skip

            def work(monitor: Monitor) -> TuneRecord:
                return run_tune(qa, settings, monitor)

            job = start_job(what, Monitor(list(settings.methods)), work, owner=owner, kind=KIND)
        except PlaygroundError as err:
            return {status: failure(error_text(err), lang)}
        return {**following(job, lang), table: None, report: report_file(None, lang)}

    def on_tick(job: Job | None, points: int, request: gr.Request) -> dict:
        lang = lang_of(request)
        if job is None:
            return {poll: gr.Timer(active=False)}
        return following(job, lang, points=points) if job.running else ended(job, lang)

    def reattach(job: Job | None, request: gr.Request) -> dict:
        """On load (and after a language switch): this page's run, or the browser's running
        one found again; else who holds the training slot, if anyone."""
        lang = lang_of(request)
        job = job if job is not None else own_job(caller(request).owner)
        if job is not None:
            return following(job, lang) if job.running else ended(job, lang, False)
        # A user's run, not background work that gives way to a user (the preparation).
        busy = TRAINING_SLOT.busy_message() if TRAINING_SLOT.holder_owner() else None
        return {status: localize(busy, lang) if busy else ""}

    def on_stop(job: Job | None, request: gr.Request) -> str:
        lang = lang_of(request)
        job = job if job is not None and job.running else own_job(caller(request).owner)
        if job is None:
            return localize(Text("Nothing is training.", "학습 중인 것이 없습니다."), lang)
        job.stop()
        return localize(
            Text("Stopping after the current step…", "현재 스텝이 끝나면 멈춥니다…"), lang
        )

    # Every event here is quick (the work runs in the job's thread), and the status line is its
    # own progress: no event's loading timer is drawn over it.
    private: dict = {"api_visibility": "private", "show_progress": "hidden"}
    shown = [job_state, status, plot, table, report, stop, poll, controls.model, drawn]
    asked = [controls.bank, controls.model, controls.uploaded, *form.values()]
    train.click(on_train, asked, shown, **private)
    poll.tick(on_tick, [job_state, drawn], shown, queue=False, **private)
    stop.click(on_stop, job_state, status, **private)
    on_load(app, reattach, job_state, shown)
