"""In-context learning vs fine-tuning: 0-, 1-, 2- and 4-shot accuracy with column A's backend,
plotted as it goes, beside the task's fine-tuned classifier on the same rows."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from demos.browser import lang_of
from demos.generate.column import Column
from demos.generate.run import checked_target, shown_error
from demos.i18n import on_load
from demos.report import create_report_button, report_file
from models.classify.labels import label_text
from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text, join, localize
from models.core.report import Report
from models.finetune.names import saved_title, task_name
from models.finetune.runs import saved_classifiers
from models.generate.backends import BACKENDS, model_name
from models.generate.icl import ICL_DATASETS, MAX_ROWS, MIN_ROWS, SHOTS, IclReport, icl_curve
from models.generate.params import MAX_NEW_TOKENS, MAX_SEED, GenerationParams, label

EXPLAIN = Text(
    "A few dozen validation rows (chosen by the seed, every class kept), classified by column A's "
    "backend and model with 0, 1, 2 and 4 examples from the train split in the prompt. The reply "
    "is read as a label; replies that name no single label are counted apart. When the task has "
    "a fine-tuned classifier (Classification's default), its accuracy on the same rows is the "
    "dashed reference. The local SmolLM2 is tiny and English-only: expect near-chance accuracy.",
    "검증 분할에서 수십 행을 (시드에 따라, 모든 클래스가 들어가게) 골라, A 열의 백엔드와 모델로 "
    "분류합니다. 프롬프트에는 학습 분할의 예시를 0, 1, 2, 4개 넣습니다. 모델의 답을 레이블로 읽고, "
    "레이블을 하나로 특정할 수 없는 답은 따로 셉니다. 이 과제에 미세 조정한 분류기(분류 탭의 기본 "
    "모델)가 있으면 같은 행에서 낸 정확도를 점선으로 함께 보여 줍니다. 로컬 `SmolLM2`는 아주 작은 "
    "영어 전용 모델이라 정확도가 우연 수준에 가까울 것입니다.",
)
DATASET_NAMES = {
    "nsmc": Text("NSMC (Korean movie reviews)", "NSMC (네이버 영화 리뷰, 한국어)"),
    "vader": Text("VADER (English movie review snippets)", "VADER (영어 영화 리뷰 문장)"),
    "snips": Text("SNIPS (English requests, 7 intents)", "SNIPS (영어 요청문, 의도 7개)"),
}
# The table's columns, key ones first; the plot's axes.
COLUMNS = {
    "shots": Text("examples in the prompt", "프롬프트 속 예시 수"),
    "accuracy": Text("accuracy", "정확도"),
    "right": Text("right", "맞힘"),
    "unparseable": Text("no single label", "레이블 불명확"),
    "rows": Text("rows", "행 수"),
}
FINE_TUNED = Text("fine-tuned", "미세 조정")
SERIES = Text("series", "계열")
NO_REFERENCE = Text(
    "No fine-tuned classifier for this task yet: train one in Classification.",
    "이 과제에는 아직 미세 조정한 분류기가 없습니다. 분류 탭에서 학습하세요.",
)
MAX_REPLY_ROWS = 100  # replies in a report: enough to see how the model answers


def dataset_choices(task: str, lang: str) -> list[tuple[str, str]]:
    return [(localize(DATASET_NAMES.get(d, d), lang), d) for d in ICL_DATASETS.get(task, ())]


def reference_name(ref: str) -> Any:
    """The fine-tuned classifier named by what it is (its folder only in Models & data)."""
    if ref:
        for saved in saved_classifiers():
            if Path(saved["path"]) == Path(ref):
                return saved_title(saved)
    return Text("the task's fine-tuned classifier", "이 과제의 미세 조정 분류기")


def curve_frame(report: IclReport, lang: str = "en") -> pd.DataFrame:
    """One row per point: shots, accuracy, and which curve (prompting or the fine-tuned one)."""
    prompting = Text("prompting: {model}", "프롬프트: {model}", model=model_name(report.model))
    rows = [{"shots": r.shots, "accuracy": r.accuracy, "series": localize(prompting, lang)}
            for r in report.results]  # fmt: skip
    if report.reference is not None:
        tuned = Text("fine-tuned: {model}", "미세 조정: {model}",
                     model=reference_name(report.reference_model))  # fmt: skip
        for r in report.results:
            rows.append({"shots": r.shots, "accuracy": report.reference,
                         "series": localize(tuned, lang)})  # fmt: skip
    return pd.DataFrame(rows, columns=["shots", "accuracy", "series"])


def plot_update(report: IclReport, lang: str = "en") -> dict:
    """The plot's data with its axes named in ``lang``."""
    return gr.update(
        value=curve_frame(report, lang), x_title=localize(COLUMNS["shots"], lang),
        y_title=localize(COLUMNS["accuracy"], lang), color_title=localize(SERIES, lang),
    )  # fmt: skip


def _curve_rows(report: IclReport, fine_tuned: str) -> pd.DataFrame:
    rows = [{"shots": r.shots, "accuracy": round(r.accuracy, 3), "right": r.correct,
             "unparseable": r.unparseable, "rows": r.n} for r in report.results]  # fmt: skip
    if report.reference is not None:
        rows.append({"shots": fine_tuned, "accuracy": round(report.reference, 3),
                     "right": None, "unparseable": 0, "rows": report.results[0].n})  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS))


def table_frame(report: IclReport, lang: str = "en") -> pd.DataFrame:
    """The curve as a table, its key columns (shots, accuracy) first, headers in ``lang``."""
    frame = _curve_rows(report, localize(FINE_TUNED, lang))
    return frame.rename(columns={k: localize(v, lang) for k, v in COLUMNS.items()})


def _cut(text: str, most: int = 200) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def replies_table(report: IclReport, most: int = MAX_REPLY_ROWS) -> pd.DataFrame:
    """The first ``most`` replies: shots, the true label, the label read, the reply, the text."""
    keys = {"shots": COLUMNS["shots"], "true": Text("true label", "실제 레이블"),
            "read": Text("read as", "읽은 레이블"), "reply": Text("reply", "답"),
            "text": Text("text", "텍스트")}  # fmt: skip
    rows = [
        {"shots": r.shots, "true": label_text(x["true"]),
         "read": label_text(x["label"]) if x["label"] else COLUMNS["unparseable"],
         "reply": _cut(x["reply"]), "text": _cut(x["text"])}
        for r in report.results for x in r.replies
    ][:most]  # fmt: skip
    return pd.DataFrame(rows, columns=list(keys)).rename(columns=keys)


def icl_report(report: IclReport, backend: str, params: GenerationParams, seed: int) -> Report:
    """The comparison as a take-away report: on what, with which model, each shot count's
    accuracy beside the fine-tuned classifier's, and the replies behind them."""
    metrics: dict[Any, Any] = {
        Text("Accuracy with {k} examples", "정확도 (예시 {k}개)", k=r.shots): r.accuracy
        for r in report.results
    }
    metrics |= {
        Text("Replies naming no single label, {k} examples", "레이블 불명확한 답 (예시 {k}개)",
             k=r.shots): r.unparseable
        for r in report.results
    }  # fmt: skip
    where = BACKENDS[backend].title if backend in BACKENDS else backend
    settings: dict[Any, Any] = {
        Text("Backend", "백엔드"): where,
        Text("Examples in the prompt", "프롬프트 속 예시 수"): ", ".join(
            str(r.shots) for r in report.results
        ),
        label("temperature"): params.temperature,
        label("max_new_tokens"): params.max_new_tokens,
    }
    if report.reference is not None:
        tuned = Text("Fine-tuned classifier", "미세 조정 분류기")
        settings[tuned] = reference_name(report.reference_model)
        metrics[Text("Accuracy of the fine-tuned classifier", "미세 조정 분류기의 정확도")] = (
            report.reference
        )
    notes = [EXPLAIN]
    if report.stopped:
        notes.append(Text("Stopped before every shot count ran.", "모든 예시 수를 다 돌기 전에 "
                          "중지했습니다."))  # fmt: skip
    if report.reference is None:
        notes.append(NO_REFERENCE)
    n = report.results[0].n if report.results else 0
    ref = report.model
    named = Text("{name} · `{ref}`", "{name} · `{ref}`", name=model_name(ref), ref=ref)
    tables = {
        Text("Accuracy by examples in the prompt", "프롬프트 속 예시 수에 따른 정확도"):
            _curve_rows(report, FINE_TUNED).astype(object).fillna("—").rename(columns=COLUMNS),
        Text("Replies (first {n})", "답 (앞의 {n}개)", n=MAX_REPLY_ROWS): replies_table(report),
    }  # fmt: skip
    return Report(
        title=Text("In-context learning vs fine-tuning", "프롬프트 속 학습 vs 미세 조정"),
        inputs={
            Text("Task", "과제"): task_name(report.task),
            Text("Dataset", "데이터셋"): DATASET_NAMES.get(report.dataset, report.dataset),
            Text("Labels", "레이블"): join([label_text(x) for x in report.labels], ", "),
            Text("Rows (validation split)", "평가 행 수 (검증 분할)"): n,
        },
        model=named,
        source=where,
        settings=settings,
        seed=seed,
        metrics=metrics,
        tables=tables,
        notes=notes,
    )


def _progress(progress: gr.Progress, lang: str) -> Any:
    def report(done: float, total: float, message: str = "") -> None:
        progress(done / total if total else None, desc=localize(message, lang))

    return report


def create_icl(app: gr.Blocks, column: Column) -> None:
    """The accordion: task, dataset, rows, seed; Run / Stop; the curve and its table."""
    with gr.Accordion(Text("In-context learning vs fine-tuning", "프롬프트 속 학습 vs 미세 조정"),
                      open=False, elem_id="gen-icl"):  # fmt: skip
        gr.Markdown(EXPLAIN)
        with gr.Row():
            task = gr.Dropdown(
                [(task_name(t), t) for t in ICL_DATASETS], value="sentiment",
                label=Text("Task", "과제"),
                info=Text("What the model must tell apart.", "모델이 가려내야 할 것입니다."),
            )  # fmt: skip
            # Its choices follow the task: written by the handlers, in the page's language.
            dataset = gr.Dropdown(
                [(d.upper(), d) for d in ICL_DATASETS["sentiment"]], value="vader",
                label=Text("Dataset", "데이터셋"),
                info=Text("Rows to classify from its validation split, examples from its train "
                          "split.", "평가 행은 검증 분할에서, 예시는 학습 분할에서 가져옵니다."),
            )  # fmt: skip
            rows = gr.Slider(
                MIN_ROWS, 64, value=24, step=4, label=Text("Rows", "평가 행 수"),
                info=Text("Each shot count sends one request per row: 4 × rows in all.",
                          "예시 수마다 행마다 요청을 한 번씩, 모두 4 × 행 수만큼 보냅니다."),
            )  # fmt: skip
            seed = gr.Number(
                0, precision=0, minimum=0, label=Text("Seed", "시드"),
                info=Text("Picks the rows and the examples; the same seed, the same comparison.",
                          "평가 행과 예시를 고릅니다. 시드가 같으면 같은 비교가 됩니다."),
            )  # fmt: skip
        with gr.Row():
            run = gr.Button(Text("Run", "실행"), variant="primary", elem_id="gen-icl-run")
            stop = gr.Button(Text("Stop", "중지"), elem_id="gen-icl-stop")
        status = gr.Markdown(elem_id="gen-icl-status")
        plot = gr.LinePlot(
            x="shots", y="accuracy", color="series", y_lim=[0, 1],
            label=Text("Accuracy by examples in the prompt", "프롬프트 속 예시 수에 따른 정확도"),
            elem_id="gen-icl-plot",
        )  # fmt: skip
        # Five short columns, the key ones first and pinned: they stay in view if it scrolls.
        table = gr.Dataframe(interactive=False, elem_id="gen-icl-table", pinned_columns=2,
                             max_height=320)  # fmt: skip
        download = create_report_button("gen-icl-report")
    running = gr.State(None)
    last = gr.State(None)  # this session's last result: relabelled on a language switch
    takeaway = gr.State(None)  # ... and its report, rewritten in the new language

    def on_task(name: str, request: gr.Request) -> Any:
        if name not in ICL_DATASETS:
            return gr.update()
        choices = dataset_choices(name, lang_of(request))
        return gr.update(choices=choices, value=choices[0][1])

    def on_language(
        name: str, report: IclReport | None, written: Report | None, request: gr.Request
    ) -> dict:
        lang = lang_of(request)
        shown = {dataset: gr.update(choices=dataset_choices(name, lang))}
        if report is not None and report.results:
            shown |= {plot: plot_update(report, lang), table: table_frame(report, lang)}
        if written is not None:
            shown[download] = report_file(written, lang)
        return shown

    def on_run(
        task_name_: str, dataset_name: str, n: float, seed_value: float | None, backend: str,
        model: str, base_url: str, api_key: str, max_new_tokens: float, request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Any:  # fmt: skip
        lang = lang_of(request)
        event = threading.Event()
        yield {running: event, status: localize(Text("Running…", "실행 중…"), lang), table: None,
               plot: None, download: report_file(None, lang), takeaway: None}  # fmt: skip
        try:
            task_name_ = inputs.choice(task_name_, Text("Task", "과제"), ICL_DATASETS)
            dataset_name = inputs.choice(
                dataset_name, Text("Dataset", "데이터셋"), ICL_DATASETS[task_name_]
            )
            n = inputs.integer(n, Text("Rows", "평가 행 수"), MIN_ROWS, MAX_ROWS)
            seed = inputs.optional_integer(seed_value, Text("Seed", "시드"), 0, MAX_SEED) or 0
            tokens = inputs.optional_integer(
                max_new_tokens, Text("Max new tokens", "최대 새 토큰 수"), 1, MAX_NEW_TOKENS
            )
            # A label is a word or two: 32 tokens is plenty, and keeps 4 x rows calls short.
            params = GenerationParams.build(0.0, 1.0, min(tokens or 16, 32), 1.0, "", seed)
            target = checked_target(backend, model, base_url, api_key)
            report = None
            for k in SHOTS:  # one shot count at a time: the curve grows as it goes
                part = icl_curve(
                    task_name_, dataset_name, target["backend"], target["model"], n, seed,
                    params, target["base_url"], target["api_key"], (k,),
                    _progress(progress, lang), event, reference=k == SHOTS[-1],
                )  # fmt: skip
                if report is None:
                    report = part
                else:
                    report.results += part.results
                    report.reference, report.reference_model = part.reference, part.reference_model
                    report.stopped = part.stopped
                if report.stopped:
                    break
                done = Text("{k}-shot done…", "{k}샷 완료…", k=k)
                yield {status: localize(done, lang), plot: plot_update(report, lang),
                       table: table_frame(report, lang), last: report}  # fmt: skip
        except PlaygroundError as err:
            yield {status: shown_error(err, lang)}
            return
        assert report is not None
        note = Text("Done.", "완료했습니다.")
        if report.stopped:
            note = Text("Stopped.", "중지했습니다.")
        if report.reference is None:
            note = join([note, NO_REFERENCE], " ")
        if report.reference is not None:
            yield {plot: None}  # a fresh plot: a live one keeps the legend of its first data
        written = icl_report(report, target["backend"], params, seed) if report.results else None
        yield {status: localize(note, lang), plot: plot_update(report, lang),
               table: table_frame(report, lang), last: report, takeaway: written,
               download: report_file(written, lang)}  # fmt: skip

    def on_stop(event: threading.Event | None, request: gr.Request) -> str:
        if event is not None:
            event.set()
        return localize(Text("Stopping…", "중지하는 중…"), lang_of(request))

    private = {"api_visibility": "private"}
    task.change(on_task, task, dataset, **private)
    run.click(
        on_run, [task, dataset, rows, seed, column.backend, column.model, column.base_url,
                 column.api_key, column.max_new_tokens],
        [running, status, plot, table, last, takeaway, download], **private,
    )  # fmt: skip
    stop.click(on_stop, running, status, **private)
    on_load(app, on_language, [task, last, takeaway], [dataset, plot, table, download])
