"""The page in Korean or English: a switch in the header, and every static text re-rendered.

Tabs write their static texts as ``Text("English", "한국어")`` wherever Gradio takes a string (a
label, an info line, a placeholder, a Markdown or a button's value, a choice's display name, a
table's headers). Gradio keeps each component's constructor arguments, so once the page is built
``translatable(app)`` finds every such text, and ``updates(..., lang)`` re-renders them all in one
event. What handlers write (results, messages, tables) they render themselves through
``lang_of(request)`` (``demos.browser``).

A component whose choices or value its handlers change must not take ``Text`` choices or value in
its constructor: the switch would put the constructor's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from demos.browser import create_browser_state, lang_of, remember
from models.core.i18n import LANGS, Text, localize

# Constructor arguments that are text a person reads.
TEXT_PROPS = ("label", "info", "placeholder", "value", "headers")
CHOICE_PROPS = ("choices",)
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


@dataclass
class Translatable:
    """One component's texts in two languages, by constructor argument."""

    component: gr.blocks.Block
    props: dict[str, Any] = field(default_factory=dict)

    def update(self, lang: str) -> dict:
        return gr.update(**{name: localize(value, lang) for name, value in self.props.items()})


def _has_text(value: Any) -> bool:
    if isinstance(value, Text):
        return True
    if isinstance(value, list | tuple):
        return any(_has_text(v) for v in value)
    return False


def translatable(app: gr.Blocks) -> list[Translatable]:
    """Every component of ``app`` built with at least one ``Text``, and those texts."""
    found = []
    for block in app.blocks.values():
        args = getattr(block, "constructor_args", None) or {}
        props = {
            name: args[name]
            for name in (*TEXT_PROPS, *CHOICE_PROPS)
            if name in args and _has_text(args[name])
        }
        if props:
            found.append(Translatable(block, props))
    return found


def create_language_switch() -> gr.Radio:
    """The header's language switch (set from the browser when the page loads)."""
    return gr.Radio(
        [(LANGUAGE_NAMES[code], code) for code in ("ko", "en")],
        value="en", show_label=False, container=False, elem_id="language",
        min_width=200, scale=1,
    )  # fmt: skip


def on_load(
    app: gr.Blocks, fn: Any, inputs: Any = None, outputs: Any = None, again_on_switch: bool = True
) -> None:
    """Run ``fn`` when the page loads, once its language is known, and (unless
    ``again_on_switch`` is False: it would reset a form) again after a switch, since a tab's
    status lines and overviews are text too. Use instead of ``app.load``."""
    app.__dict__.setdefault("_playground_loads", []).append((fn, inputs, outputs, again_on_switch))


def wire_language(app: gr.Blocks, switch: gr.Radio) -> None:
    """Apply the browser's language when the page loads, and the chosen one on every switch;
    then run the tabs' ``on_load`` functions. Call once, after every tab is built."""
    stored = create_browser_state()
    parts = translatable(app)
    outputs = [switch, stored, *(p.component for p in parts)]

    def render(kept: dict) -> list:
        return [gr.update(value=kept["lang"]), kept, *(p.update(kept["lang"]) for p in parts)]

    def on_page(saved: dict | None, request: gr.Request) -> list:
        return render(remember(request, saved))

    def on_switch(lang: str, saved: dict | None, request: gr.Request) -> list:
        return render(remember(request, saved, lang))

    # Text only: no spinner over the page, and no waiting behind a user's long job in the queue.
    quiet: dict = {
        "api_visibility": "private",
        "show_progress": "hidden",
        "concurrency_limit": None,
    }
    loaded = app.load(on_page, stored, outputs, **quiet)
    switched = switch.input(on_switch, [switch, stored], outputs, **quiet)
    for fn, inputs, outputs_, again in app.__dict__.get("_playground_loads", []):
        loaded.then(fn, inputs, outputs_, **quiet)
        if again:
            switched.then(fn, inputs, outputs_, **quiet)


__all__ = ["LANGS", "create_language_switch", "lang_of", "on_load", "translatable", "wire_language"]
