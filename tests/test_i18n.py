"""Two languages: bilingual text renders in the reader's language, the page's static texts are all
translatable, and none of their Korean is English left behind."""

from __future__ import annotations

import pickle

import gradio as gr
import pytest

from models.core.i18n import Text, as_lang, error_text, join, lang_from_header, localize
from tests.english_check import leftover_english
from tests.test_app import TAB_IDS

# Props Gradio shows as text; a plain str in one of them is English nobody can switch.
SHOWN = ("label", "info", "placeholder", "headers")
SHOWN_VALUE = (gr.Markdown, gr.Button, gr.HTML, gr.DownloadButton, gr.UploadButton)


def test_a_text_is_its_english_and_renders_korean_with_its_parameters():
    inner = Text("rows", "행")
    msg = Text("{n} {what} read", "{what} {n}개를 읽었습니다", n=3, what=inner)
    assert msg == "3 rows read" and isinstance(msg, str)
    assert localize(msg, "ko") == "행 3개를 읽었습니다"
    assert localize({"k": [msg, (inner, 1)]}, "ko") == {"k": ["행 3개를 읽었습니다", ("행", 1)]}
    assert localize("plain", "ko") == "plain"
    assert pickle.loads(pickle.dumps(msg)).in_lang("ko") == "행 3개를 읽었습니다"
    joined = join([Text("a", "가"), "{literal}", Text("b", "나")], " · ")
    assert str(joined) == "a · {literal} · b" and joined.in_lang("ko") == "가 · {literal} · 나"


def test_an_error_raised_with_a_text_keeps_it():
    err = ValueError(Text("bad {x}", "잘못된 {x}", x=1))
    assert str(err) == "bad 1" and localize(error_text(err), "ko") == "잘못된 1"
    assert error_text(ValueError("plain")) == "plain"


@pytest.mark.parametrize(
    ("header", "lang"),
    [("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"), ("en-US,en;q=0.9,ko;q=0.8", "en"),
     ("fr-FR,ko;q=0.5", "ko"), ("de", "en"), (None, "en"), ("ko;q=bad,en", "en")],
)  # fmt: skip
def test_the_browser_language_comes_from_accept_language(header, lang):
    assert lang_from_header(header) == lang


def test_a_language_tag_is_one_of_ours():
    assert as_lang("ko-KR") == "ko" and as_lang("EN") == "en" and as_lang("ja") == "en"


@pytest.fixture(scope="module")
def built():
    import app

    return app.create_app()


def _tab_of(block) -> str | None:
    while block is not None:
        if isinstance(block, gr.Tab) and block.id in TAB_IDS:
            return block.id
        block = block.parent
    return None


def _shown_texts(block) -> list:
    args = getattr(block, "constructor_args", None) or {}
    texts = [args.get(name) for name in SHOWN]
    if isinstance(block, SHOWN_VALUE):
        texts.append(args.get("value"))
    for choice in args.get("choices") or []:
        texts.append(choice[0] if isinstance(choice, tuple | list) else choice)
    flat = []
    for text in texts:
        flat.extend(text if isinstance(text, list) else [text])
    return [t for t in flat if isinstance(t, str) and t.strip()]


@pytest.mark.parametrize("tab", [None, *TAB_IDS])
def test_every_static_text_of_a_tab_is_in_both_languages(built, tab):
    """A label, help line, heading or button a person reads is a Text, and its Korean has no
    English left in it (model and dataset names aside). ``None``: the page's header."""
    untranslated, english = [], []
    for block in built.blocks.values():
        if _tab_of(block) != tab or isinstance(block, gr.Tabs):
            continue
        for text in _shown_texts(block):
            if not isinstance(text, Text):
                if leftover_english(text):
                    untranslated.append(f"{type(block).__name__}: {text[:60]!r}")
            elif words := leftover_english(text.in_lang("ko")):
                english.append(f"{type(block).__name__}: {words[:5]}")
    assert not untranslated, f"{len(untranslated)} texts only in English: {untranslated[:15]}"
    assert not english, f"English in the Korean of {len(english)} texts: {english[:15]}"


def test_the_static_texts_reach_the_page_as_translation_keys_with_both_languages(built):
    """Each Text a component was built with is now a key of Gradio's translations (the browser
    renders it in the page's locale), and every launch of the page carries those translations."""
    from gradio.i18n import I18nData

    from demos.i18n import translatable

    parts = translatable(built)
    assert len(parts) > 200
    keys = []
    for part in parts:
        for name, text in part.props.items():
            if name == "choices":
                given = [c[0] if isinstance(c, tuple | list) else c for c in text]
                shown = [c[0] for c in part.component.choices]
                keys += [(s, t) for s, t in zip(shown, given, strict=True) if isinstance(t, Text)]
            else:
                keys.append((getattr(part.component, name), text))
    assert all(isinstance(key, I18nData) for key, _ in keys)
    built.launch(prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        sent = built.i18n_instance.translations_dict
    finally:
        built.close()
    for key, text in keys:
        assert sent["en"][key.key] == localize(text, "en")
        assert sent["ko"][key.key] == localize(text, "ko")


class _Request:
    """What a handler's ``gr.Request`` offers that ``demos.browser`` reads."""

    def __init__(self, session: str | None, accept_language: str | None = None) -> None:
        self.session_hash = session
        self.headers = {"accept-language": accept_language} if accept_language else {}


def test_a_page_load_tells_the_server_its_browser_and_language():
    from demos.browser import browser_of, lang_of, remember

    first = _Request("load-1-i18n-test", "ko-KR,ko;q=0.9")
    assert lang_of(first) == "ko" and browser_of(first) is None  # before the page says
    stored = remember(first, None)
    assert stored["lang"] == "ko" and browser_of(first) == stored["id"]
    # The same browser reloads (a new session) and has chosen English meanwhile.
    chosen = remember(_Request("load-1-i18n-test"), stored, "en")
    again = _Request("load-2-i18n-test", "ko-KR")
    kept = remember(again, chosen)
    assert kept == {"id": stored["id"], "lang": "en"}
    assert browser_of(again) == stored["id"] and lang_of(again) == "en"
    # An API client: no page, no browser, the header's language.
    assert browser_of(_Request(None, "ko")) is None and lang_of(_Request(None, "ko")) == "ko"
    assert lang_of(None) == "en"


def test_runs_belong_to_the_browser_once_its_page_has_said_who_it_is():
    from demos.access import caller
    from demos.browser import remember

    request = _Request("load-3-i18n-test")
    request.username = None
    request.session = {}
    assert caller(request).owner == "session:load-3-i18n-test"
    stored = remember(request, None)
    assert caller(request).owner == f"browser:{stored['id']}"


def test_the_sessions_remembered_are_bounded():
    from demos.browser import Browser, _Sessions

    sessions = _Sessions(limit=2)
    for name in ("a", "b", "c"):
        sessions.set(name, Browser(name, "en"))
    assert sessions.get("a") is None and sessions.get("c") == Browser("c", "en")
