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
from models.core.i18n import Text
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


# The fields callers name in English, as a Korean reader knows them. A caller may pass a ``Text``
# instead; a name not listed here (an API parameter such as ``top_k``) is shown as it is.
FIELD_NAMES = {
    name: Text(name, korean)
    for name, korean in {
        "text": "텍스트", "The text": "텍스트", "The input": "입력", "The message": "메시지",
        "The premise": "전제", "The hypothesis": "가설", "Labels": "레이블",
        "labels": "레이블", "Sample size": "표본 크기", "Dataset": "데이터셋", "Split": "분할",
        "The threshold": "임계값", "Ranker": "검색 모델", "Search": "검색 방식",
        "Answers shown": "보여 줄 답변 수", "Top-k": "상위 k개", "Task": "작업", "Rows": "행 수",
        "Seed": "시드", "The seed": "시드", "Max new tokens": "최대 생성 토큰 수",
        "The name": "이름", "Prompt technique": "프롬프트 기법",
        "The system turn": "시스템 메시지", "The user turn": "사용자 메시지",
        "Backend": "백엔드", "Model": "모델", "API key": "API 키",
        "The limit (rows)": "행 수 한도", "Temperature": "온도", "Top-p": "Top-p",
        "Repetition penalty": "반복 패널티", "Stop sequences": "중지 시퀀스",
        "The text column": "텍스트 열", "The answer column": "답변 열",
        "The question column": "질문 열", "The label column": "레이블 열",
    }.items()
}  # fmt: skip


def field_name(field: str) -> str:
    """A field's name as the message shows it: a ``Text`` when its Korean is known."""
    return field if isinstance(field, Text) else FIELD_NAMES.get(field, field)


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
        return Text("a number with over 300 digits", "300자리가 넘는 수")


def kind(value: object) -> str:
    """What a value is, in the words of a JSON caller: text, a number, a list, ..."""
    if value is None:
        return Text("null", "빈 값")
    if isinstance(value, bool):
        return Text("true/false", "참/거짓")
    if isinstance(value, str):
        return Text("text", "텍스트")
    if isinstance(value, numbers.Number):
        return Text("a number", "숫자")
    if isinstance(value, list | tuple):
        return Text("a list", "목록")
    if isinstance(value, dict):
        return Text("an object", "객체")
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
    field = field_name(field)
    if not isinstance(value, str):
        raise InputError(
            Text("{field} must be text (got {got}).",
                 "{field}에는 텍스트를 넣어야 합니다(받은 값: {got}).",
                 field=field, got=kind(value))
        )  # fmt: skip
    limit = get_settings().max_text_chars if max_chars is None else max_chars
    if len(value) > limit:
        raise InputError(
            Text("{field} is {n:,} characters long; the limit is {limit:,} characters.",
                 "{field}의 길이가 {n:,}자입니다. 최대 {limit:,}자까지 넣을 수 있습니다.",
                 field=field, n=len(value), limit=limit)
        )  # fmt: skip
    if not allow_empty and not value.strip():
        raise InputError(
            Text("{field} is empty: type something.",
                 "{field}에 내용이 없습니다. 무언가 입력하세요.", field=field)
        )  # fmt: skip
    if bad := _SURROGATE.search(value):
        raise InputError(
            Text("{field} is not valid Unicode (a lone surrogate U+{code:04X} at position "
                 "{at:,}); send UTF-8 text.",
                 "{field}에 올바르지 않은 유니코드가 있습니다(위치 {at:,}에 짝 없는 서로게이트 "
                 "U+{code:04X}). UTF-8 텍스트로 보내세요.",
                 field=field, code=ord(bad.group()), at=bad.start())
        )  # fmt: skip
    if bad := _CONTROL.search(value):
        raise InputError(
            Text("{field} contains a control character (U+{code:04X}) at position {at:,}; "
                 "remove it.",
                 "{field}의 위치 {at:,}에 제어 문자(U+{code:04X})가 있습니다. "
                 "지우고 다시 보내세요.",
                 field=field, code=ord(bad.group()), at=bad.start())
        )  # fmt: skip
    return value


def integer(value: object, field: str, lo: int, hi: int) -> int:
    """``value`` as a whole number from ``lo`` to ``hi`` (an integral float or digits accepted).

    Raises:
        InputError: a bool, a fraction, NaN / infinity, text that is not a whole number, any
            other type, or out of range.
    """
    field = field_name(field)
    if not _whole(value):
        raise InputError(
            Text("{field} must be a whole number (got {got}).",
                 "{field}에는 정수를 넣어야 합니다(받은 값: {got}).",
                 field=field, got=quoted(value))
        )  # fmt: skip
    number = int(value)  # type: ignore[call-overload]
    if not lo <= number <= hi:
        raise InputError(_out_of_range(field, lo, hi, _shown_integer(number)))
    return number


def _out_of_range(field: str, lo: object, hi: object, got: str) -> Text:
    return Text(
        "{field} must be between {lo} and {hi} (got {got}).",
        "{field}에는 {lo}에서 {hi} 사이의 값을 넣어야 합니다(받은 값: {got}).",
        field=field, lo=lo, hi=hi, got=got,
    )  # fmt: skip


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
    field = field_name(field)
    if isinstance(value, str) and len(value) <= 40:
        try:
            result = float(value)
        except ValueError:
            result = None
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            result = float(value)
        except OverflowError:  # an int too large for a float: out of any range
            raise InputError(_out_of_range(field, f"{lo:g}", f"{hi:g}", quoted(value))) from None
    if result is None or not math.isfinite(result):
        raise InputError(
            Text("{field} must be a finite number (got {got}).",
                 "{field}에는 유한한 숫자를 넣어야 합니다(받은 값: {got}).",
                 field=field, got=quoted(value))
        )  # fmt: skip
    if not lo <= result <= hi:
        raise InputError(_out_of_range(field, f"{lo:g}", f"{hi:g}", f"{result:g}"))
    return result


def choice(value: object, field: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options`` (which the message lists when it is not)."""
    allowed = list(options)
    if isinstance(value, str) and value in allowed:
        return value
    listed = ", ".join(allowed[:MAX_LISTED]) + (", …" if len(allowed) > MAX_LISTED else "")
    got = quoted(value) if isinstance(value, str) else kind(value)
    raise InputError(
        Text("{field} must be one of: {listed} (got {got}).",
             "{field}에는 다음 중 하나를 넣어야 합니다: {listed}(받은 값: {got}).",
             field=field_name(field), listed=listed, got=got)
    )  # fmt: skip


def string_list(
    value: object, field: str, *, max_items: int, max_chars: int | None = None
) -> list[str]:
    """A list of texts (None is an empty list); each item checked by ``text``, blanks kept.

    Raises:
        InputError: not a list, more than ``max_items`` items, or an item ``text`` refuses.
    """
    if value is None:
        return []
    field = field_name(field)
    if not isinstance(value, list | tuple):
        raise InputError(
            Text("{field} must be a list of texts (got {got}).",
                 "{field}에는 텍스트 목록을 넣어야 합니다(받은 값: {got}).",
                 field=field, got=kind(value))
        )  # fmt: skip
    if len(value) > max_items:
        raise InputError(
            Text("{field} has {n:,} items; the limit is {limit:,}.",
                 "{field}의 항목이 {n:,}개입니다. 최대 {limit:,}개까지 넣을 수 있습니다.",
                 field=field, n=len(value), limit=max_items)
        )  # fmt: skip
    return [
        text(item, Text("{field}, item {i},", "{field}의 {i}번째 항목", field=field, i=i + 1),
             max_chars=max_chars, allow_empty=True)
        for i, item in enumerate(value)
    ]  # fmt: skip


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
    field = field_name(field)
    if len(found) > cap:
        raise InputError(
            Text("{field} has {n:,} labels; the limit is {limit:,}.",
                 "{field}의 개수가 {n:,}개입니다. 최대 {limit:,}개까지 쓸 수 있습니다.",
                 field=field, n=len(found), limit=cap)
        )  # fmt: skip
    for i, label in enumerate(found):
        where = Text("{field}: label {i}", "{field}의 {i}번째 레이블", field=field, i=i + 1)
        text(label, where, max_chars=MAX_LABEL_CHARS)
    return found or None
