"""JSON-like settings checked against a dataclass's field types (a config's, LoRA's), so a list
where a number belongs is refused in one sentence (in both languages), not deep inside training."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from models.core.errors import ConfigError
from models.core.i18n import Text

_SCALARS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
}


def typed_fields(data: dict, cls: type, what: str, prefix: str) -> dict[str, Any]:
    """``data``'s values checked against ``cls``'s field types; an unknown key is refused."""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(str(k)[:40] for k in data if k not in known)
    if unknown:
        raise ConfigError(
            _t(
                "Unknown {what}: {names}.",
                "알 수 없는 {what}: {names}.",
                what=what,
                names=", ".join(unknown),
            )
        )
    return {k: _typed(prefix + k, v, known[k].type) for k, v in data.items()}


def _typed(name: str, value: Any, annotation: Any) -> Any:
    """``value`` if it has the field's type (JSON numbers, strings, lists), else a ConfigError."""
    kind = str(annotation).replace(" ", "")
    optional = kind.endswith("|None")
    kind = kind.removesuffix("|None")
    if value is None and optional:
        return None
    if kind in _SCALARS:
        ok = isinstance(value, _SCALARS[kind]) and (kind == "bool" or not isinstance(value, bool))
        if ok and kind == "float" and not math.isfinite(value):
            raise ConfigError(
                _t(
                    "{name} must be a finite number (got {value}).",
                    "{name}은(는) 유한한 숫자여야 합니다(입력값 {value}).",
                    name=name,
                    value=value,
                )
            )
        if not ok:
            raise ConfigError(_must(name, _NAMES[kind], value))
        return float(value) if kind == "float" else value
    if kind.startswith("tuple[str"):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                _must(name, _t("be a list of names", "이름 목록이어야 합니다"), value)
            )
        return tuple(value)
    if kind.startswith("dict[str,float]"):
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value.values()
        ):
            raise ConfigError(
                _must(name, _t("map names to numbers", "이름마다 숫자여야 합니다"), value)
            )
        return {str(k): float(v) for k, v in value.items()}
    if kind.startswith("dict[str,str]"):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(
                _must(name, _t("map names to column names", "이름마다 열 이름이어야 합니다"), value)
            )
        return dict(value)
    return value  # nested dataclasses (lora) are checked by the caller


_t = Text
_NAMES = {
    "int": _t("be a whole number", "정수여야 합니다"),
    "float": _t("be a number", "숫자여야 합니다"),
    "str": _t("be text", "텍스트여야 합니다"),
    "bool": _t("be true or false", "true 또는 false여야 합니다"),
}


def _must(name: str, requirement: Text, value: Any) -> Text:
    """ "lora.rank must be a whole number (got str 'x')" in both languages."""
    return _t(
        "{name} must {req} (got {got}).", "{name}: {req}(입력값 {got}).",
        name=name, req=requirement, got=_shown(value),
    )  # fmt: skip


def _shown(value: Any) -> str:
    """A value as the message quotes it: its JSON type, and a short preview."""
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"
