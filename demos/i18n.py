"""The page in Korean or English: a switch in the header, static texts translated by the browser.

Tabs write their static texts as ``Text("English", "한국어")`` wherever Gradio takes a string (a
label, an info line, a placeholder, a Markdown or a button's value, a choice's display name).
Gradio keeps each component's constructor arguments, so once the page is built
``translatable(app)`` finds every such text, and ``wire_language`` hands them to Gradio's own
translations (``gr.I18n``): the browser renders each in the current locale, and the switch changes
that locale in the page, Gradio's own chrome (upload boxes, footer) included. No event carries
them: a page with hundreds of texts turns Korean as fast as it renders in English. (Sent as
component updates instead, the browser needed 50-60 ms for each: 17 s for a Korean page.)

What handlers write (results, messages, tables) they render themselves through
``lang_of(request)`` (``demos.browser``); the tabs' ``on_load`` functions write their status lines
again after a switch. A handler that changes a component's value or choices replaces the
constructor's texts, and a switch does not put them back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.i18n import I18n, I18nData

from demos.browser import create_browser_state, lang_of, remember
from demos.loads import Load, as_list, together
from models.core.i18n import LANGS, Text, localize

# Constructor arguments that are text a person reads.
TEXT_PROPS = ("label", "info", "placeholder", "value")
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


class Translations:
    """Each distinct ``Text`` under a key, in the shape ``gr.I18n`` takes."""

    def __init__(self) -> None:
        self.by_lang: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}

    def key(self, text: Text) -> I18nData:
        rendered = {lang: localize(text, lang) for lang in LANGS}
        digest = hashlib.sha1(json.dumps(rendered, sort_keys=True).encode()).hexdigest()[:12]
        key = f"playground.{digest}"
        for lang, value in rendered.items():
            self.by_lang[lang][key] = value
        return I18nData(key)

    def i18n(self) -> I18n:
        return I18n(**self.by_lang)


def _choices(component: gr.blocks.Block, given: list, translations: Translations) -> list:
    """The component's normalised choices, each display name given as a ``Text`` keyed."""
    out = []
    for (name, value), original in zip(component.choices, given, strict=True):
        shown = original[0] if isinstance(original, tuple | list) else original
        out.append((translations.key(shown) if isinstance(shown, Text) else name, value))
    return out


def rendered_by_server(part: Translatable) -> bool:
    """Tab names: the tab row draws them in the locale of the page's first render (only the open
    tab's would follow a switch), so the server also sends them on every load and switch."""
    return isinstance(part.component, gr.Tab)


def hand_to_browser(parts: list[Translatable]) -> I18n:
    """Put a translation key where each ``Text`` was, and return the keys' texts."""
    translations = Translations()
    for part in parts:
        for name, value in part.props.items():
            if name == "choices":
                part.component.choices = _choices(part.component, value, translations)
            elif isinstance(value, Text):
                setattr(part.component, name, translations.key(value))
    return translations.i18n()


def set_locale_js() -> str:
    """A page-side function that sets Gradio's locale to its first argument, the way Gradio's own
    Settings panel does, and passes its arguments on (an event's ``js``). The module that owns
    the locale carries a hash in its name: it is found among the scripts the page loaded, else
    next to the page's entry script under the name this Gradio ships."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    shipped = next(iter(sorted(assets.glob("core-*.js"))), None)
    name = json.dumps(shipped.name if shipped else None)
    return SET_LOCALE.replace("SHIPPED_NAME", name)


SET_LOCALE = """
(lang, ...rest) => {
  const loaded = performance.getEntriesByType("resource").map((e) => e.name)
    .find((name) => /\\/core-[\\w-]+\\.js(\\?|$)/.test(name));
  const entry = document.querySelector('script[src*="assets/index-"]');
  const shipped = SHIPPED_NAME;
  const url = loaded || (entry && shipped ? new URL(shipped, entry.src).href : null);
  if (url) import(url).then((m) => m.changeLocale && m.changeLocale(lang)).catch(() => {});
  document.documentElement.lang = lang;
  return [lang, ...rest];
}
"""


def create_language_switch() -> gr.Radio:
    """The header's language switch: none chosen until the page has told the server its browser
    and language (then the stored choice, else the browser's)."""
    return gr.Radio(
        [(LANGUAGE_NAMES[code], code) for code in ("ko", "en")],
        value=None, show_label=False, container=False, elem_id="language",
        min_width=200, scale=1,
    )  # fmt: skip


def on_load(
    app: gr.Blocks, fn: Any, inputs: Any = None, outputs: Any = None, again_on_switch: bool = True
) -> None:
    """Run ``fn`` when the page loads, once its language is known, and (unless
    ``again_on_switch`` is False: it would reset a form) again after a switch, since a tab's
    status lines and overviews are text too. Use instead of ``app.load``."""
    app.__dict__.setdefault("_playground_loads", []).append(
        (fn, inputs, outputs, True, again_on_switch)
    )


def on_switch(app: gr.Blocks, fn: Any, inputs: Any = None, outputs: Any = None) -> None:
    """Run ``fn`` after a language switch only: a result on screen drawn again in the new
    language. A page load has none to draw (its session state starts empty), so it costs the
    loading page nothing."""
    app.__dict__.setdefault("_playground_loads", []).append((fn, inputs, outputs, False, True))


def _launch_with(app: gr.Blocks, i18n: I18n) -> None:
    """Gradio takes translations only as a ``launch()`` argument, and they are known only once
    the page is built: every launch of this page (the app, the tests, a Space) gets them."""
    launch = app.launch

    def launch_translated(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("i18n", i18n)
        return launch(*args, **kwargs)

    app.launch = launch_translated  # type: ignore[method-assign]


def wire_language(app: gr.Blocks, switch: gr.Radio) -> None:
    """Hand the page's static texts to the browser; when the page loads, apply the stored or the
    browser's language, and the chosen one on every switch; then run the tabs' ``on_load``
    functions. Call once, after every tab is built."""
    parts = translatable(app)
    _launch_with(app, hand_to_browser(parts))
    tabs = [part for part in parts if rendered_by_server(part)]
    stored = create_browser_state()
    set_locale = set_locale_js()

    def render(kept: dict) -> list:
        return [gr.update(value=kept["lang"]), kept, *(tab.update(kept["lang"]) for tab in tabs)]

    def on_page(saved: dict | None, request: gr.Request) -> list:
        return render(remember(request, saved))

    def switched_to(lang: str, saved: dict | None, request: gr.Request) -> list:
        return render(remember(request, saved, lang))

    # Text only: no spinner over the page, and no waiting behind a user's long job in the queue.
    quiet: dict = {
        "api_visibility": "private",
        "show_progress": "hidden",
        "concurrency_limit": None,
    }
    outputs = [switch, stored, *(tab.component for tab in tabs)]
    loaded = app.load(on_page, stored, outputs, **quiet)
    loaded.then(None, switch, None, js=set_locale, **quiet)
    switched = switch.input(switched_to, [switch, stored], outputs, js=set_locale, **quiet)
    # One round trip each for every tab's texts after a page load and after a switch: one event
    # per function kept the page busy for seconds (``demos.loads``).
    entries = app.__dict__.get("_playground_loads", [])
    for event, wanted in ((loaded, 3), (switched, 4)):
        loads = [Load(e[0], as_list(e[1]), as_list(e[2])) for e in entries if e[wanted]]
        if loads:
            run = together(loads)
            event.then(run.fn, run.inputs, run.outputs, **quiet)


__all__ = [
    "LANGS", "create_language_switch", "lang_of", "on_load", "on_switch", "translatable",
    "wire_language",
]  # fmt: skip
