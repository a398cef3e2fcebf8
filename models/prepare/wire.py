"""Texts across a process boundary: a child's lines and the files it leaves keep their Korean.

A preparation item runs in a child process that reports in JSON lines, and some results are kept
in JSON files; a ``Text`` written as plain JSON would arrive as its English only. ``to_wire`` turns
it into ``{"en", "ko", "params"}`` (parameters too), ``from_wire`` back into a ``Text``; anything
else passes as itself (numbers, None) or as its string.
"""

from __future__ import annotations

from typing import Any

from models.core.i18n import Text


def to_wire(value: Any) -> Any:
    """``value`` as JSON data: a ``Text`` as its templates and parameters, else a plain value."""
    if isinstance(value, Text):
        params = {name: to_wire(param) for name, param in value.params.items()}
        return {"en": value.en, "ko": value.ko, "params": params}
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def from_wire(value: Any) -> Any:
    """What ``to_wire`` wrote, back as a ``Text`` (or the plain value)."""
    if isinstance(value, dict) and isinstance(value.get("en"), str):
        params = value.get("params") if isinstance(value.get("params"), dict) else {}
        try:
            return Text(
                value["en"],
                str(value.get("ko", value["en"])),
                **{str(k): from_wire(v) for k, v in params.items()},
            )
        except (KeyError, IndexError, ValueError):  # templates that do not fit their parameters
            return value["en"]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def wired(event: dict, name: str) -> Any:
    """The field ``name`` of a child's event: its ``<name>_i18n`` form when present, else itself."""
    if f"{name}_i18n" in event:
        return from_wire(event[f"{name}_i18n"])
    return event.get(name)
