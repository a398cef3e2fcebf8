"""One configuration column of the Generation tab: technique, backend, model, parameters, and
where its reply, the messages sent and the measurements appear.

Static texts are ``Text``s (the page re-renders them on a language switch); what handlers change
(the technique list, its description, the backend's note, the tables' headers) is rendered by
them in the page's language, through ``language_view`` on load and after a switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from models.core.access import public_message
from models.core.i18n import Text, join, localize
from models.generate.backends import BACKENDS, model_name
from models.generate.params import MAX_NEW_TOKENS, hint, label
from models.generate.run import Generation
from models.generate.techniques import Technique

FIRST_TECHNIQUE = "zero-shot"
VARIABLE_COLUMNS = [Text("variable", "변수"), Text("value", "값")]
EXAMPLE_COLUMNS = [Text("input", "입력"), Text("output", "출력")]
TEMPLATE_HELP = Text(
    "`{input}` in the user turn is the text above; every other `{name}` takes its value from "
    "**Variables**. **Few-shot examples** are "
    "sent as earlier turns, input then output: more shots show the pattern better but make the "
    "prompt longer.",
    "사용자 메시지의 `{input}` 자리에는 위의 입력이, 다른 `{name}` 자리에는 **변수** 표의 값이 "
    "들어갑니다. **퓨샷 예시**는 입력과 출력 순서로 앞선 대화처럼 보냅니다. 예시가 많을수록 패턴을 "
    "잘 보여 주지만 프롬프트가 길어집니다.",
)


@dataclass
class Column:
    """The components of one configuration."""

    technique: Any
    description: Any
    system: Any
    user: Any
    variables: Any
    examples: Any
    backend: Any
    backend_note: Any
    model: Any
    base_url: Any
    api_key: Any
    temperature: Any
    top_p: Any
    max_new_tokens: Any
    repetition_penalty: Any
    stop: Any
    seed: Any
    output: Any
    stats: Any
    messages: Any
    details: Any
    # The last reply (a ``Generation``) or problem (a ``Text``), to draw its lines again in
    # another language; None while a reply streams or before the first.
    last: Any

    def settings(self) -> list[Any]:
        """The inputs a generation reads, in ``run_column``'s order."""
        return [self.technique, self.system, self.user, self.variables, self.examples,
                self.backend, self.model, self.base_url, self.api_key, self.temperature,
                self.top_p, self.max_new_tokens, self.repetition_penalty, self.stop,
                self.seed]  # fmt: skip

    def language_inputs(self) -> list[Any]:
        """What ``language_view`` reads: the choices it keeps, the tables it relabels."""
        return [self.technique, self.backend, self.variables, self.examples]

    def language_outputs(self) -> list[Any]:
        return [self.technique, self.description, self.backend_note, self.variables,
                self.examples]  # fmt: skip


def technique_choices(
    builtin: dict[str, Technique], own: dict[str, Technique] | None, lang: str
) -> list[tuple[str, str]]:
    """The dropdown's choices in ``lang``: the built-in techniques, then this session's own."""
    own = own or {}
    return [(localize(_title(t, k in own), lang), k) for k, t in {**builtin, **own}.items()]


def _title(technique: Technique, mine: bool) -> Text:
    if mine:
        return Text("{title} (mine)", "{title} (내 기법)", title=technique.name)
    return technique.name


def _frame(rows: list, columns: list[Text], lang: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=localize(columns, lang))


def relabel(table: Any, columns: list[Text], lang: str) -> Any:
    """A two-column table (as the browser sent it) with its headers in ``lang``; edits kept."""
    if isinstance(table, pd.DataFrame) and len(table.columns) == len(columns):
        return table.set_axis(localize(columns, lang), axis=1)
    return gr.update()


def technique_fields(technique: Technique, lang: str = "en") -> dict[str, Any]:
    """What the template editors show for a technique, in ``lang``."""
    variables = _frame(list(technique.variables.items()), VARIABLE_COLUMNS, lang)
    examples = _frame(list(technique.examples), EXAMPLE_COLUMNS, lang)
    return {"description": localize(technique.about, lang), "system": technique.system,
            "user": technique.user, "variables": variables, "examples": examples}  # fmt: skip


def stats_text(gen: Generation) -> Text:
    """Latency, time to first token, speed, tokens, cost and the model, in one line."""
    parts: list[Any] = [Text("latency {s:.2f} s", "지연 시간 {s:.2f}초", s=gen.latency_s)]
    if gen.ttft_s is not None:
        parts.append(Text("first token {s:.2f} s", "첫 토큰 {s:.2f}초", s=gen.ttft_s))
    if gen.tokens_per_s is not None:
        parts.append(Text("{r:.1f} tokens/s", "초당 {r:.1f} 토큰", r=gen.tokens_per_s))
    if gen.prompt_tokens is not None:
        parts.append(Text("{p} prompt + {c} completion tokens", "프롬프트 {p} + 답 {c} 토큰",
                          p=gen.prompt_tokens, c=gen.completion_tokens))  # fmt: skip
    elif gen.completion_tokens is not None:
        parts.append(Text(
            "~{c} completion tokens (counted from the stream; the server reports no usage)",
            "답 약 {c} 토큰 (서버가 사용량을 알려 주지 않아 스트림에서 셈)",
            c=gen.completion_tokens,
        ))  # fmt: skip
    elif gen.done:
        parts.append(Text("token counts not reported by the server",
                          "서버가 토큰 수를 알려 주지 않음"))  # fmt: skip
    if gen.cost_usd is not None:
        parts.append(Text("≈ ${cost:.6f} {note}", "≈ ${cost:.6f} ({note})", cost=gen.cost_usd,
                          note=gen.price_note))  # fmt: skip
    if name := model_name(gen.model):
        parts.append(name)
    if gen.finish_reason == "length":
        parts.append(Text("stopped at max new tokens", "최대 새 토큰 수에 닿아 멈춤"))
    if gen.finish_reason == "stopped":
        parts.append(Text("stopped", "중지됨"))
    line = join(parts, " · ")
    if gen.json_error:
        line = Text("{line}\n\n⚠️ {error}", "{line}\n\n⚠️ {error}", line=line, error=gen.json_error)
    elif gen.done and gen.json_value is not None:
        line = Text("{line}\n\n✅ valid JSON", "{line}\n\n✅ 올바른 JSON", line=line)
    return line if gen.done else Text("generating… {line}", "생성 중… {line}", line=line)


def stats_markdown(gen: Generation, lang: str = "en") -> str:
    """``stats_text`` in ``lang``."""
    return localize(stats_text(gen), lang)


def details_markdown(gen: Generation, lang: str = "en") -> str:
    """The details view: the backend and the model's full reference (a path, a Hub id)."""
    if not gen.model:
        return ""
    backend = BACKENDS[gen.backend].title if gen.backend in BACKENDS else gen.backend
    text = Text("{backend} · model `{ref}`", "{backend} · 모델 `{ref}`", backend=backend,
                ref=gen.model)  # fmt: skip
    return public_message(localize(text, lang))


def result_view(column: Column, last: Generation | Text | None, lang: str) -> dict:
    """The column's measurements and details for its last reply (or problem) in ``lang``;
    nothing when it has none."""
    if isinstance(last, Generation):
        return {
            column.stats: stats_markdown(last, lang),
            column.details: details_markdown(last, lang),
        }
    if isinstance(last, Text):
        return {column.stats: "⚠️ " + public_message(localize(last, lang))}
    return {}


def language_view(
    column: Column, builtin: dict[str, Technique], own: dict[str, Technique] | None,
    key: Any, backend: Any, variables: Any, examples: Any, lang: str,
) -> dict:  # fmt: skip
    """The column's handler-written texts in ``lang`` (on load, and after a language switch):
    edits to the templates and tables are kept."""
    everything = {**builtin, **(own or {})}
    chosen = everything.get(key) if isinstance(key, str) else None
    spec = BACKENDS.get(backend) if isinstance(backend, str) else None
    return {
        column.technique: gr.update(choices=technique_choices(builtin, own, lang)),
        column.description: localize(chosen.about, lang) if chosen else "",
        column.backend_note: localize(spec.note, lang) if spec else "",
        column.variables: relabel(variables, VARIABLE_COLUMNS, lang),
        column.examples: relabel(examples, EXAMPLE_COLUMNS, lang),
    }


def create_column(name: str, techniques: dict[str, Technique], backend: str) -> Column:
    """Build one configuration column (call inside a ``gr.Column``). The description and the
    backend's note are filled in the page's language by ``language_view``."""
    slug = name.lower()
    fields = technique_fields(techniques[FIRST_TECHNIQUE])
    gr.Markdown(Text("### Configuration {name}", "### 설정 {name}", name=name))
    # Its choices grow with the session's own techniques: a language switch puts the built-in
    # ones back, and ``language_view`` (run right after) re-renders them with the session's.
    technique = gr.Dropdown(
        [(t.name, k) for k, t in techniques.items()], value=FIRST_TECHNIQUE,
        label=Text("Prompt technique", "프롬프트 기법"),
        info=Text("How your input is put into the messages the model receives.",
                  "입력을 어떤 메시지로 감싸 모델에 보낼지 정합니다."),
        elem_id=f"gen-{slug}-technique",
    )  # fmt: skip
    description = gr.Markdown(elem_id=f"gen-{slug}-description")
    backend_choice = gr.Radio(
        [(b.title, b.name) for b in BACKENDS.values()], value=backend,
        label=Text("Backend", "백엔드"),
        info=Text("Where the model runs.", "모델이 실행되는 곳입니다."),
        elem_id=f"gen-{slug}-backend",
    )  # fmt: skip
    backend_note = gr.Markdown(elem_id=f"gen-{slug}-backend-note")
    model = gr.Textbox(
        label=Text("Model", "모델"),
        placeholder=Text("empty: the backend's default", "비워 두면 백엔드의 기본 모델"),
        info=Text("A Hub id or a folder for the local model; the model's name on a server.",
                  "로컬 모델이면 Hub ID나 폴더, 서버면 그 서버의 모델 이름입니다."),
        elem_id=f"gen-{slug}-model",
    )  # fmt: skip
    base_url = gr.Textbox(
        label=Text("Base URL", "기본 URL"), placeholder="http://localhost:8000/v1",
        visible=BACKENDS[backend].needs_url, elem_id=f"gen-{slug}-url",
    )  # fmt: skip
    api_key = gr.Textbox(
        label=Text("API key", "API 키"), type="password", visible=backend != "local",
        placeholder=Text("kept in this browser session only", "이 브라우저 세션에만 보관됩니다"),
        elem_id=f"gen-{slug}-key",
    )  # fmt: skip
    with gr.Accordion(Text("Template (editable)", "템플릿 (편집 가능)"), open=False):
        gr.Markdown(TEMPLATE_HELP)
        system = gr.Textbox(
            fields["system"], label=Text("System turn", "시스템 메시지"), lines=2,
            info=Text("Sent first: who the model is and how it answers.",
                      "가장 먼저 보냅니다. 모델이 누구이고 어떻게 답할지 정합니다."),
        )  # fmt: skip
        user = gr.Textbox(
            fields["user"], lines=3,
            # The Korean names no {input} here: a label shows no code; the help above does.
            label=Text("User turn ({input} is the text above)", "사용자 메시지"),
        )  # fmt: skip
        variables = gr.Dataframe(fields["variables"], label=Text("Variables", "변수"),
                                 interactive=True, column_count=2,
                                 elem_id=f"gen-{slug}-variables")  # fmt: skip
        examples = gr.Dataframe(
            fields["examples"], interactive=True, column_count=2, wrap=True,
            label=Text("Few-shot examples (input → output)", "퓨샷 예시 (입력 → 출력)"),
            elem_id=f"gen-{slug}-examples",
        )  # fmt: skip
    with gr.Accordion(Text("Parameters", "생성 설정"), open=False):
        with gr.Row():
            temperature = gr.Slider(0, 2, value=0.7, step=0.05, label=label("temperature"),
                                    info=hint("temperature"))  # fmt: skip
            top_p = gr.Slider(0.05, 1, value=0.95, step=0.05, label=label("top_p"),
                              info=hint("top_p"))  # fmt: skip
        with gr.Row():
            max_new_tokens = gr.Number(
                128, label=label("max_new_tokens"), info=hint("max_new_tokens"), precision=0,
                minimum=1, maximum=MAX_NEW_TOKENS,
            )  # fmt: skip
            repetition_penalty = gr.Slider(1, 2, value=1.1, step=0.05,
                                           label=label("repetition_penalty"),
                                           info=hint("repetition_penalty"))  # fmt: skip
        with gr.Row():
            stop = gr.Textbox(label=label("stop"), info=hint("stop"), lines=2)
            seed = gr.Number(0, label=label("seed"), info=hint("seed"), precision=0, minimum=0)
    output = gr.Textbox(label=Text("Reply", "답"), lines=8, interactive=False,
                        elem_id=f"gen-{slug}-output")  # fmt: skip
    stats = gr.Markdown(elem_id=f"gen-{slug}-stats")
    with gr.Accordion(Text("Messages sent", "보낸 메시지"), open=False):
        details = gr.Markdown(elem_id=f"gen-{slug}-details")
        messages = gr.JSON(elem_id=f"gen-{slug}-messages", max_height=400)
    return Column(technique, description, system, user, variables, examples, backend_choice,
                  backend_note, model, base_url, api_key, temperature, top_p, max_new_tokens,
                  repetition_penalty, stop, seed, output, stats, messages, details,
                  gr.State(None))  # fmt: skip
