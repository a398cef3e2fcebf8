"""Who is on the other end of a page: the browser (which outlives a reload) and its language.

A page load gets a fresh Gradio session, so what must survive a reload (the language chosen, the
runs this person started) is keyed by a random id kept in the browser's ``localStorage``
(``gr.BrowserState``). When the page loads it tells the server its id and language once; from then
on any handler finds them from its ``gr.Request`` alone (``browser_of`` / ``lang_of``), so no event
needs extra inputs. A request with no page behind it (an API client) is anonymous and English
unless its ``Accept-Language`` header asks for Korean.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

import gradio as gr

from models.core.i18n import Lang, as_lang, lang_from_header

MAX_SESSIONS = 20_000  # page loads remembered; the oldest are forgotten first


@dataclass(frozen=True)
class Browser:
    """What a page load told the server about its browser."""

    id: str
    lang: Lang


class _Sessions:
    """session hash -> Browser, bounded, safe across the server's worker threads."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._items: OrderedDict[str, Browser] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def set(self, session: str, browser: Browser) -> None:
        with self._lock:
            self._items[session] = browser
            self._items.move_to_end(session)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def get(self, session: str | None) -> Browser | None:
        if not session:
            return None
        with self._lock:
            return self._items.get(session)


SESSIONS = _Sessions()


def new_browser_id() -> str:
    return secrets.token_urlsafe(16)


def _header_lang(request: gr.Request | None) -> Lang:
    if request is None:
        return "en"
    try:
        return lang_from_header(request.headers.get("accept-language"))
    except AttributeError:  # a request without headers (a direct call in a test)
        return "en"


def lang_of(request: gr.Request | None) -> Lang:
    """The language this request's page shows: the one chosen there, else the browser's."""
    known = SESSIONS.get(getattr(request, "session_hash", None))
    return known.lang if known else _header_lang(request)


def browser_of(request: gr.Request | None) -> str | None:
    """The id of the browser behind this request, if its page has told us (None for API calls)."""
    known = SESSIONS.get(getattr(request, "session_hash", None))
    return known.id if known else None


def remember(request: gr.Request | None, stored: dict | None, lang: str | None = None) -> dict:
    """Record this page load's browser (id from ``stored``, or a new one) and language (``lang``,
    else the stored choice, else the browser's ``Accept-Language``). Returns what to store."""
    stored = stored if isinstance(stored, dict) else {}
    browser_id = str(stored.get("id") or new_browser_id())
    chosen = as_lang(lang) if lang else None
    if chosen is None:
        chosen = as_lang(stored["lang"]) if stored.get("lang") else _header_lang(request)
    session = getattr(request, "session_hash", None)
    if session:
        SESSIONS.set(session, Browser(browser_id, chosen))
    return {"id": browser_id, "lang": chosen}


def create_browser_state() -> gr.BrowserState:
    """The browser's stored id and language (encrypted in ``localStorage``)."""
    return gr.BrowserState({}, storage_key="nlp-playground")
