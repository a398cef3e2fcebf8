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

from demos.generate.api import generate_api
from demos.generate.column import Column, create_column, technique_fields
from demos.generate.icl import create_icl
from demos.generate.library import create_library
from demos.generate.run import column_job, stream_columns
from models.core.errors import PlaygroundError
from models.generate.backends import BACKENDS
from models.generate.techniques import Technique, load_techniques

INTRO = (
    "Type an input, pick a **prompt technique** and a **backend**, and watch the reply stream in. "
    "*Messages sent* shows exactly what the model received, so the technique is visible. Run two "
    "configurations side by side to compare techniques, models or settings on the same input."
)
EXAMPLES = [
    ["요즘 회사 일이 너무 많아서 주말에도 쉬지 못하고 있어요. 어떻게 하면 좋을까요?"],
    ["The battery lasts two days, but the screen scratches far too easily."],
    ["A farmer has 17 sheep; all but 9 run away. How many are left?"],
    ["오늘 날씨가 정말 좋아서 친구들과 한강에서 자전거를 탔다."],
]


def _wire_column(column: Column, techniques: gr.State) -> None:
    """Technique and backend choices update the column's editors and fields."""

    def on_technique(key: str, own: dict[str, Technique]) -> dict:
        everything = {**load_techniques(), **(own or {})}
        if not isinstance(key, str) or key not in everything:
            return {}
        fields = technique_fields(everything[key])
        return {column.description: fields["description"], column.system: fields["system"],
                column.user: fields["user"], column.variables: fields["variables"],
                column.examples: fields["examples"]}  # fmt: skip

    def on_backend(name: str) -> dict:
        if not isinstance(name, str) or name not in BACKENDS:
            return {}
        spec = BACKENDS[name]
        return {column.backend_note: spec.note,
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


def create_generate_tab() -> None:
    """Build the tab and wire its events."""
    builtin = load_techniques()
    gr.Markdown(INTRO)
    text = gr.Textbox(label="Input", lines=4, elem_id="gen-input",
                      placeholder="예: 이 문장을 영어로 번역해 줘 / Summarise this")  # fmt: skip
    gr.Examples(EXAMPLES, inputs=text, label="Examples")
    with gr.Row():
        run_a = gr.Button("Generate (A)", variant="primary", elem_id="gen-run-a")
        run_both = gr.Button("Generate A and B side by side", elem_id="gen-run-both")
        stop = gr.Button("Stop", elem_id="gen-stop")
    with gr.Row(equal_height=False):
        with gr.Column():
            a = create_column("A", builtin, "local")
        with gr.Column():
            b = create_column("B", builtin, "local")
    own = gr.State({})  # this session's saved techniques
    running = gr.State(None)  # the Event that stops this session's generation
    create_library(own, [a, b])
    create_icl(a)
    for column in (a, b):
        _wire_column(column, own)

    def start(columns: list[Column], text_value: str, own_value: dict, values: list[Any]) -> Any:
        everything = {**builtin, **(own_value or {})}
        jobs, problems = [], {}
        width = len(Column.settings(columns[0]))
        for i, column in enumerate(columns):
            try:
                own_values = values[i * width : (i + 1) * width]
                jobs.append((column, column_job(text_value, everything, own_values)))
            except PlaygroundError as err:
                problems[column.stats] = f"⚠️ {err}"
        if problems:
            yield problems  # nothing is sent while a column's settings need fixing
            return
        event = threading.Event()
        cleared = {c.output: "" for c, _ in jobs} | {c.stats: "starting…" for c, _ in jobs}
        yield {running: event, **cleared}
        try:
            yield from stream_columns(jobs, event)
        finally:  # the page went away mid-stream: stop generating for nobody
            event.set()

    def outputs(columns: list[Column]) -> list[Any]:
        return [running] + [x for c in columns for x in (c.output, c.stats, c.messages)]

    def on_run_a(text_value: str, own_value: dict, *values: Any) -> Any:
        yield from start([a], text_value, own_value, list(values))

    def on_run_both(text_value: str, own_value: dict, *values: Any) -> Any:
        yield from start([a, b], text_value, own_value, list(values))

    def on_stop(event: threading.Event | None) -> None:
        if event is not None:
            event.set()

    private = {"api_visibility": "private"}
    run_a.click(on_run_a, [text, own, *a.settings()], outputs([a]), **private)
    text.submit(on_run_a, [text, own, *a.settings()], outputs([a]), **private)
    run_both.click(on_run_both, [text, own, *a.settings(), *b.settings()], outputs([a, b]),
                   **private)  # fmt: skip
    stop.click(on_stop, running, None, **private)
    gr.api(generate_api, api_name="generate")
