"""Text helpers: which language a text is in, and readable label names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.core.i18n import Text, join

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def detect_language(text: str) -> str:
    """``ko`` if the text has Hangul, else ``en``."""
    return "ko" if HANGUL.search(text or "") else "en"


def humanise(label: str) -> str:
    """``card_arrival`` / ``AddToPlaylist`` -> ``card arrival`` / ``add to playlist``."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ").replace("-", " ")
    return spaced.strip().lower()


def identifiers(names: Iterable[str]) -> Text:
    """Names a reader types as they are (splits, item keys, references), listed: plain in
    English, as `code` in Korean, where they stand out from the sentence around them."""
    return join([Text(name, f"`{name}`") for name in names], ", ")
