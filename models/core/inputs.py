"""Typed, bounded inputs: what a page or an API call sends, checked before any work starts.

Every endpoint and form handler passes user-typed values through these, so the page and the API
refuse the same things with the same sentence. Each check raises ``InputError`` naming the field;
messages quote at most a short prefix of a value, never the whole of a huge one.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable

from models.core.errors import PlaygroundError
from models.core.settings import get_settings

MAX_LABEL_CHARS = 100  # one zero-shot label: a word or a short phrase
MAX_NAME_CHARS = 300  # a model reference, a dataset or column name, a URL
MAX_QUOTE_CHARS = 40  # the longest piece of a value a message repeats
MAX_LISTED = 12  # the most options a message lists
# Control characters other than tab, line feed and carriage return (C0, DEL and C1).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Halves of a UTF-16 surrogate pair: a JSON "\ud800" decodes to one; no encoding can write it.
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"\s*[+-]?\d{1,30}\s*")


class InputError(PlaygroundError):
    """A value sent by a page or an API call that has the wrong type, size or content."""


def clip(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, with an ellipsis when it was longer."""
    return value if len(value) <= limit else value[:limit] + "…"


def quoted(value: object, limit: int = MAX_QUOTE_CHARS) -> str:
    """A short printable form of ``value`` for a message (long ones cut with an ellipsis)."""
    if isinstance(value, str):
        shown = clip(value, limit)
        # repr escapes control characters; a surrogate is escaped by hand (repr keeps it raw).
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", repr(shown))
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, numbers.Integral):
        return _shown_integer(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    return kind(value)


def _shown_integer(value: int) -> str:
    if abs(value) < 10**15:
        return str(value)
    try:
        return f"{float(value):.3g}"
    except OverflowError:  # str() of a 5,000-digit integer raises too: never print it whole
        return "a number with over 300 digits"


def kind(value: object) -> str:
    """What a value is, in the words of a JSON caller: text, a number, a list, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, numbers.Number):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def text(
    value: object, field: str, *, max_chars: int | None = None, allow_empty: bool = False
) -> str:
    """``value`` as text, unchanged (callers strip): a string of printable Unicode.

    Args:
        value: what was sent.
        field: the field's name, as the caller knows it (``text``, ``Stop sequences``).
        max_chars: the longest accepted; default ``settings.max_text_chars``.
        allow_empty: accept a blank string, and None as "".

    Raises:
        InputError: not a string, blank (unless allowed), too long, a control character other
            than tab / line breaks, or a lone surrogate (not valid Unicode).
    """
    if value is None and allow_empty:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{field} must be text (got {kind(value)}).")
    limit = get_settings().max_text_chars if max_chars is None else max_chars
    if len(value) > limit:
        raise InputError(
            f"{field} is {len(value):,} characters long; the limit is {limit:,} characters."
        )
    if not allow_empty and not value.strip():
        raise InputError(f"{field} is empty: type something.")
    if bad := _SURROGATE.search(value):
        raise InputError(
            f"{field} is not valid Unicode (a lone surrogate U+{ord(bad.group()):04X} at "
            f"position {bad.start():,}); send UTF-8 text."
        )
    if bad := _CONTROL.search(value):
        raise InputError(
            f"{field} contains a control character (U+{ord(bad.group()):04X}) at position "
            f"{bad.start():,}; remove it."
        )
    return value


def integer(value: object, field: str, lo: int, hi: int) -> int:
    """``value`` as a whole number from ``lo`` to ``hi`` (an integral float or digits accepted).

    Raises:
        InputError: a bool, a fraction, NaN / infinity, text that is not a whole number, any
            other type, or out of range.
    """
    if not _whole(value):
        raise InputError(f"{field} must be a whole number (got {quoted(value)}).")
    number = int(value)  # type: ignore[call-overload]
    if not lo <= number <= hi:
        raise InputError(f"{field} must be between {lo} and {hi} (got {_shown_integer(number)}).")
    return number


def _whole(value: object) -> bool:
    """Digits (short enough to parse at once), an integer, or a finite float with no fraction."""
    if isinstance(value, str):
        return bool(_INTEGER.fullmatch(value))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return math.isfinite(value) and float(value).is_integer()


def optional_integer(value: object, field: str, lo: int, hi: int) -> int | None:
    """None for None or blank text, else ``integer``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return integer(value, field, lo, hi)


def number(value: object, field: str, lo: float, hi: float) -> float:
    """``value`` as a finite number from ``lo`` to ``hi`` (numeric text accepted).

    Raises:
        InputError: a bool, NaN / infinity, text that is not a number, any other type, or out
            of range.
    """
    result: float | None = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            result = float(value)
        except ValueError:
            result = None
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            result = float(value)
        except OverflowError:  # an int too large for a float: out of any range
            raise InputError(
                f"{field} must be between {lo:g} and {hi:g} (got {quoted(value)})."
            ) from None
    if result is None or not math.isfinite(result):
        raise InputError(f"{field} must be a finite number (got {quoted(value)}).")
    if not lo <= result <= hi:
        raise InputError(f"{field} must be between {lo:g} and {hi:g} (got {result:g}).")
    return result


def choice(value: object, field: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options`` (which the message lists when it is not)."""
    allowed = list(options)
    if isinstance(value, str) and value in allowed:
        return value
    listed = ", ".join(allowed[:MAX_LISTED]) + (", …" if len(allowed) > MAX_LISTED else "")
    got = quoted(value) if isinstance(value, str) else kind(value)
    raise InputError(f"{field} must be one of: {listed} (got {got}).")


def string_list(
    value: object, field: str, *, max_items: int, max_chars: int | None = None
) -> list[str]:
    """A list of texts (None is an empty list); each item checked by ``text``, blanks kept.

    Raises:
        InputError: not a list, more than ``max_items`` items, or an item ``text`` refuses.
    """
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InputError(f"{field} must be a list of texts (got {kind(value)}).")
    if len(value) > max_items:
        raise InputError(f"{field} has {len(value):,} items; the limit is {max_items:,}.")
    return [
        text(item, f"{field}, item {i + 1},", max_chars=max_chars, allow_empty=True)
        for i, item in enumerate(value)
    ]


def labels(value: object, field: str = "labels") -> list[str] | None:
    """Zero-shot labels: comma-separated text (or a list of texts), trimmed, blanks dropped.

    Returns:
        The labels, or None when none were given (the task's usual labels are used then).

    Raises:
        InputError: not text, more than ``settings.max_labels`` labels, or a label that is too
            long or has a control character.
    """
    cap = get_settings().max_labels
    if isinstance(value, list | tuple):
        items = string_list(value, field, max_items=cap, max_chars=MAX_LABEL_CHARS)
    else:
        items = text(value, field, allow_empty=True).split(",")
    found = [item.strip() for item in items if item.strip()]
    if len(found) > cap:
        raise InputError(f"{field} has {len(found):,} labels; the limit is {cap:,}.")
    for i, label in enumerate(found):
        text(label, f"{field}: label {i + 1}", max_chars=MAX_LABEL_CHARS)
    return found or None
