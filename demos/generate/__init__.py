"""The Generation tab: prompt techniques on a local model, the OpenAI API or any OpenAI-compatible
server, streamed, two configurations side by side.

A thin UI over ``models.generate``: ``column`` builds one configuration (technique, backend,
template, parameters, reply, measurements), ``run`` streams replies into columns, ``library`` is
the session's own techniques (save, download, upload), ``icl`` in-context learning against
fine-tuning, ``api`` the ``/generate`` endpoint.
"""

from __future__ import annotations

import threading
from typing import Any

import gradio as gr

from demos.browser import lang_of
from demos.generate.api import generate_api
from demos.generate.column import (
    Column,
    create_column,
    language_view,
    result_view,
    technique_fields,
)
from demos.generate.icl import create_icl
from demos.generate.library import create_library
from demos.generate.reports import generation_report
from demos.generate.run import column_job, kept, shown_error, stream_columns
from demos.i18n import on_load, on_switch
from demos.report import create_report_button, report_file
from models.core.errors import PlaygroundError
from models.core.i18n import Text, localize
from models.generate.backends import BACKENDS
from models.generate.techniques import Technique, load_techniques

INTRO = Text(
    "Type an input, pick a **prompt technique** and a **backend**, and watch the reply stream in. "
    "*Messages sent* shows exactly what the model received, so the technique is visible. Run two "
    "configurations side by side to compare techniques, models or settings on the same input.",
    "입력을 적고 **프롬프트 기법**과 **백엔드**를 고르면 답이 실시간으로 "
    "나타납니다. *보낸 메시지*에서 모델이 실제로 받은 내용을 그대로 볼 수 있어, "
    "기법이 프롬프트를 어떻게 바꾸는지 알 수 있습니다. 두 설정을 나란히 실행해 "
    "같은 입력에서 기법, 모델, 설정을 비교해 보세요.",
)
STARTING = Text("starting…", "시작하는 중…")


def example_samples(technique: Technique | None, lang: str) -> dict:
    """The examples list for a technique: its inputs to try, the reader's language first."""
    samples = [[text] for text in technique.inputs_to_try(lang)] if technique else []
    return gr.update(samples=samples, visible=bool(samples))


def _wire_column(column: Column, builtin: dict[str, Technique], techniques: gr.State) -> None:
    """Technique and backend choices update the column's editors and fields."""

    def on_technique(key: str, own: dict[str, Technique], request: gr.Request) -> dict:
        everything = {**builtin, **(own or {})}
        if not isinstance(key, str) or key not in everything:
            return {}
        fields = technique_fields(everything[key], lang_of(request))
        return {column.description: fields["description"], column.system: fields["system"],
                column.user: fields["user"], column.variables: fields["variables"],
                column.examples: fields["examples"]}  # fmt: skip

    def on_backend(name: str, request: gr.Request) -> dict:
        if not isinstance(name, str) or name not in BACKENDS:
            return {}
        spec = BACKENDS[name]
        return {column.backend_note: localize(spec.note, lang_of(request)),
                column.base_url: gr.update(visible=spec.needs_url),
                column.api_key: gr.update(visible=name != "local")}  # fmt: skip

    column.technique.change(
        on_technique, [column.technique, techniques],
        [column.description, column.system, column.user, column.variables, column.examples],
        api_visibility="private",
    )  # fmt: skip
    column.backend.change(on_backend, column.backend,
                          [column.backend_note, column.base_url, column.api_key],
                          api_visibility="private")  # fmt: skip


def create_generate_tab(app: gr.Blocks) -> None:
    """Build the tab and wire its events (``app``: the page, for its load events)."""
    builtin = load_techniques()
    gr.Markdown(INTRO)
    text = gr.Textbox(
        label=Text("Input", "입력"), lines=4, elem_id="gen-input",
        placeholder=Text("e.g. Summarise this paragraph: …", "예: 이 문장을 영어로 번역해 줘"),
    )  # fmt: skip
    # Column A's technique picks the examples, in the page's language (``on_language``).
    examples = gr.Dataset(
        components=[text], samples=[[t] for t in builtin["zero-shot"].inputs_to_try("en")],
        label=Text("Inputs to try with A's technique (click one)",
                   "A의 기법으로 해 볼 입력 (클릭하면 입력됩니다)"),
        elem_id="gen-examples",
    )  # fmt: skip
    with gr.Row():
        run_a = gr.Button(Text("Generate (A)", "생성 (A)"), variant="primary",
                          elem_id="gen-run-a")  # fmt: skip
        run_both = gr.Button(Text("Generate A and B side by side", "A와 B 나란히 생성"),
                             elem_id="gen-run-both")  # fmt: skip
        stop = gr.Button(Text("Stop", "중지"), elem_id="gen-stop")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=360):
            a = create_column("A", builtin, "local")
        with gr.Column(min_width=360):
            b = create_column("B", builtin, "local")
    download = create_report_button("gen-report")  # the last run's take-away report
    own = gr.State({})  # this session's saved techniques
    running = gr.State(None)  # the Event that stops this session's generation
    create_library(own, [a, b])
    create_icl(app, a)
    for column in (a, b):
        _wire_column(column, builtin, own)

    def start(columns: list[Column], text_value: str, own_value: dict, values: list[Any],
              lang: str) -> Any:  # fmt: skip
        everything = {**builtin, **(own_value or {})}
        jobs, problems = [], {}
        width = len(Column.settings(columns[0]))
        for i, column in enumerate(columns):
            try:
                own_values = values[i * width : (i + 1) * width]
                jobs.append((column, column_job(text_value, everything, own_values)))
            except PlaygroundError as err:
                problems[column.stats] = shown_error(err, lang)
                problems[column.last] = kept(err)
        if problems:  # nothing is sent while a column's settings need fixing
            yield {**problems, download: report_file(None, lang)}
            return
        event = threading.Event()
        starting = localize(STARTING, lang)
        cleared = {c.output: "" for c, _ in jobs} | {c.stats: starting for c, _ in jobs}
        cleared |= {c.last: None for c, _ in jobs}
        yield {running: event, download: report_file(None, lang), **cleared}
        last: dict[int, Any] = {}
        try:
            yield from stream_columns(jobs, event, lang, last)
        finally:  # the page went away mid-stream: stop generating for nobody
            event.set()
        names = "AB"[: len(jobs)]
        runs = [(n, job, last.get(i))
                for i, (n, (_, job)) in enumerate(zip(names, jobs, strict=True))]  # fmt: skip
        kept_now = {column.last: kept(last.get(i)) for i, (column, _) in enumerate(jobs)}
        yield {download: report_file(generation_report(text_value, runs), lang), **kept_now}

    def outputs(columns: list[Column]) -> list[Any]:
        shown = [x for c in columns for x in (c.output, c.stats, c.messages, c.details, c.last)]
        return [running, download, *shown]

    # The request comes first: Gradio passes it only to a parameter before ``*values``.
    def on_run_a(request: gr.Request, text_value: str, own_value: dict, *values: Any) -> Any:
        yield from start([a], text_value, own_value, list(values), lang_of(request))

    def on_run_both(request: gr.Request, text_value: str, own_value: dict, *values: Any) -> Any:
        yield from start([a, b], text_value, own_value, list(values), lang_of(request))

    def on_stop(event: threading.Event | None) -> None:
        if event is not None:
            event.set()

    def on_a_technique(key: str, own_value: dict, request: gr.Request) -> dict:
        return example_samples({**builtin, **(own_value or {})}.get(key), lang_of(request))

    def on_language(request: gr.Request, own_value: dict, *values: Any) -> dict:
        lang = lang_of(request)
        shown = {examples: on_a_technique(values[0], own_value, request)}
        width = len(a.language_inputs())
        for i, column in enumerate((a, b)):
            shown |= language_view(column, builtin, own_value,
                                   *values[i * width : (i + 1) * width], lang)  # fmt: skip
        return shown

    def on_switch_results(request: gr.Request, last_a: Any, last_b: Any) -> dict:
        lang = lang_of(request)
        return result_view(a, last_a, lang) | result_view(b, last_b, lang) or {a.stats: gr.skip()}

    private = {"api_visibility": "private"}
    run_a.click(on_run_a, [text, own, *a.settings()], outputs([a]), **private)
    text.submit(on_run_a, [text, own, *a.settings()], outputs([a]), **private)
    run_both.click(on_run_both, [text, own, *a.settings(), *b.settings()], outputs([a, b]),
                   **private)  # fmt: skip
    stop.click(on_stop, running, None, **private)
    examples.click(lambda sample: sample[0], examples, text, **private)
    a.technique.change(on_a_technique, [a.technique, own], examples, **private)
    on_load(app, on_language, [own, *a.language_inputs(), *b.language_inputs()],
            [examples, *a.language_outputs(), *b.language_outputs()])  # fmt: skip
    on_switch(app, on_switch_results, [a.last, b.last], [a.stats, a.details, b.stats, b.details])
    gr.api(generate_api, api_name="generate")
