"""One configuration column of the Generation tab: technique, backend, model, parameters, and
where its reply, the messages sent and the measurements appear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from models.generate.backends import BACKENDS
from models.generate.params import MAX_NEW_TOKENS
from models.generate.run import Generation
from models.generate.techniques import Technique

FIRST_TECHNIQUE = "zero-shot"


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

    def settings(self) -> list[Any]:
        """The inputs a generation reads, in ``run_column``'s order."""
        return [self.technique, self.system, self.user, self.variables, self.examples,
                self.backend, self.model, self.base_url, self.api_key, self.temperature,
                self.top_p, self.max_new_tokens, self.repetition_penalty, self.stop,
                self.seed]  # fmt: skip


def technique_fields(technique: Technique) -> dict[str, Any]:
    """What the template editors show for a technique."""
    variables = pd.DataFrame(list(technique.variables.items()), columns=["variable", "value"])
    examples = pd.DataFrame(list(technique.examples), columns=["input", "output"])
    return {"description": technique.description, "system": technique.system,
            "user": technique.user, "variables": variables, "examples": examples}  # fmt: skip


def stats_markdown(gen: Generation) -> str:
    """Latency, time to first token, speed, tokens and cost, in one line."""
    parts = [f"latency {gen.latency_s:.2f} s"]
    if gen.ttft_s is not None:
        parts.append(f"first token {gen.ttft_s:.2f} s")
    if gen.tokens_per_s is not None:
        parts.append(f"{gen.tokens_per_s:.1f} tokens/s")
    if gen.prompt_tokens is not None:
        parts.append(f"{gen.prompt_tokens} prompt + {gen.completion_tokens} completion tokens")
    elif gen.completion_tokens is not None:
        parts.append(f"~{gen.completion_tokens} completion tokens (counted from the stream; "
                     "the server reports no usage)")  # fmt: skip
    elif gen.done:
        parts.append("token counts not reported by the server")
    if gen.cost_usd is not None:
        parts.append(f"≈ ${gen.cost_usd:.6f} {gen.price_note}")
    line = " · ".join(parts) + f" · `{gen.model}`"
    if gen.finish_reason == "length":
        line += " · stopped at max new tokens"
    if gen.finish_reason == "stopped":
        line += " · stopped"
    if gen.json_error:
        line += f"\n\n⚠️ {gen.json_error}"
    elif gen.done and gen.json_value is not None:
        line += "\n\n✅ valid JSON"
    return line if gen.done else f"generating… {line}"


def create_column(label: str, techniques: dict[str, Technique], backend: str) -> Column:
    """Build one configuration column (call inside a ``gr.Column``)."""
    slug = label.lower()
    first = techniques[FIRST_TECHNIQUE]
    fields = technique_fields(first)
    gr.Markdown(f"### {label}")
    technique = gr.Dropdown([(t.title, k) for k, t in techniques.items()], value=FIRST_TECHNIQUE,
                            label="Prompt technique", elem_id=f"gen-{slug}-technique")  # fmt: skip
    description = gr.Markdown(fields["description"])
    backend_choice = gr.Radio([(b.title, b.name) for b in BACKENDS.values()], value=backend,
                              label="Backend", elem_id=f"gen-{slug}-backend")  # fmt: skip
    backend_note = gr.Markdown(BACKENDS[backend].note)
    model = gr.Textbox(label="Model", placeholder="empty: the backend's default",
                       elem_id=f"gen-{slug}-model")  # fmt: skip
    base_url = gr.Textbox(
        label="Base URL", placeholder="http://localhost:8000/v1",
        visible=BACKENDS[backend].needs_url, elem_id=f"gen-{slug}-url",
    )  # fmt: skip
    api_key = gr.Textbox(
        label="API key", type="password", visible=backend != "local",
        placeholder="kept in this browser session only", elem_id=f"gen-{slug}-key",
    )  # fmt: skip
    with gr.Accordion("Template (editable)", open=False):
        system = gr.Textbox(fields["system"], label="System turn", lines=2)
        user = gr.Textbox(fields["user"], label="User turn ({input} is the text above)", lines=3)
        variables = gr.Dataframe(fields["variables"], label="Variables", interactive=True,
                                 column_count=2, elem_id=f"gen-{slug}-variables")  # fmt: skip
        examples = gr.Dataframe(fields["examples"], label="Few-shot examples (input → output)",
                                interactive=True, column_count=2, wrap=True)  # fmt: skip
    with gr.Accordion("Parameters", open=False):
        with gr.Row():
            temperature = gr.Slider(0, 2, value=0.7, step=0.05, label="Temperature")
            top_p = gr.Slider(0.05, 1, value=0.95, step=0.05, label="Top-p")
        with gr.Row():
            max_new_tokens = gr.Number(128, label="Max new tokens", precision=0, minimum=1,
                                       maximum=MAX_NEW_TOKENS)  # fmt: skip
            repetition_penalty = gr.Slider(1, 2, value=1.1, step=0.05,
                                           label="Repetition penalty (local)")  # fmt: skip
        with gr.Row():
            stop = gr.Textbox(label="Stop sequences (one per line)", lines=2)
            seed = gr.Number(0, label="Seed", precision=0, minimum=0)
    output = gr.Textbox(label="Reply", lines=8, interactive=False, elem_id=f"gen-{slug}-output")
    stats = gr.Markdown(elem_id=f"gen-{slug}-stats")
    with gr.Accordion("Messages sent", open=False):
        messages = gr.JSON(elem_id=f"gen-{slug}-messages")
    return Column(technique, description, system, user, variables, examples, backend_choice,
                  backend_note, model, base_url, api_key, temperature, top_p, max_new_tokens,
                  repetition_penalty, stop, seed, output, stats, messages)  # fmt: skip
