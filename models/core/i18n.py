"""Text in two languages, English and Korean, as plain data the UI renders in the reader's.

A ``Text`` is a ``str`` (its English), so logs, exceptions, the API and every existing caller keep
working unchanged; it also carries its Korean and its parameters, so the UI can show it in the
chosen language: ``localize(text, "ko")``. Messages built under ``models/`` are ``Text``s (an
error's first argument too), which is how they come back to the UI as structured data.

    >>> msg = Text("{n} rows read", "{n}개 행을 읽었습니다", n=3)
    >>> str(msg), localize(msg, "ko")
    ('3 rows read', '3개 행을 읽었습니다')

A parameter may itself be a ``Text``; it is rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")
DEFAULT_LANG: Lang = "en"


class Text(str):
    """English text that also carries its Korean; ``str(text)`` is the English."""

    en: str
    ko: str
    params: dict[str, Any]

    def __new__(cls, en: str, ko: str, /, **params: Any) -> Text:
        obj = super().__new__(cls, _render(en, params, "en"))
        obj.en, obj.ko, obj.params = en, ko, params
        return obj

    def in_lang(self, lang: str) -> str:
        """This text in ``lang`` ("ko" or anything else for English)."""
        return _render(self.ko if lang == "ko" else self.en, self.params, lang)

    def __reduce__(self) -> tuple:  # pickled by Gradio's state and by multiprocessing
        return (_rebuild, (self.en, self.ko, self.params))


def _rebuild(en: str, ko: str, params: dict[str, Any]) -> Text:
    return Text(en, ko, **params)


def _render(template: str, params: Mapping[str, Any], lang: str) -> str:
    if not params:
        return template  # a template without parameters may hold literal braces
    return template.format(**{k: localize(v, lang) for k, v in params.items()})


def localize(value: Any, lang: str) -> Any:
    """``value`` in ``lang``: a ``Text`` rendered; lists, tuples and dicts (keys too) walked; the
    rest (numbers, plain strings such as model names) unchanged."""
    if isinstance(value, Text):
        return value.in_lang(lang)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {localize(k, lang): localize(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, lang) for v in value]
    if isinstance(value, tuple):
        return tuple(localize(v, lang) for v in value)
    return value


def join(parts: Iterable[Any], sep: str = "") -> Text:
    """Texts (or plain strings) joined, still translatable as a whole."""
    parts = list(parts)
    names = [f"p{i}" for i in range(len(parts))]
    template = sep.replace("{", "{{").replace("}", "}}").join("{" + n + "}" for n in names)
    return Text(template, template, **dict(zip(names, parts, strict=True)))


def error_text(err: BaseException) -> Any:
    """An exception's message as data: its ``Text`` when it was raised with one, else its str."""
    if err.args and isinstance(err.args[0], Text):
        return err.args[0]
    return str(err)


def lang_from_header(accept_language: str | None) -> Lang:
    """The first of ours in an ``Accept-Language`` header ("ko-KR,ko;q=0.9,en;q=0.8" -> "ko")."""
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, i, tag.split("-")[0].lower()))
    for _, _, tag in sorted(ranked):
        if tag in LANGS:
            return tag  # type: ignore[return-value]
    return DEFAULT_LANG


def as_lang(value: str | None) -> Lang:
    """A language code or tag ("ko", "ko-KR", "en-US") as one of ours; English otherwise."""
    tag = (value or "").split("-")[0].lower()
    return tag if tag in LANGS else DEFAULT_LANG  # type: ignore[return-value]
