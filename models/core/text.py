"""Text helpers: which language a text is in, and readable label names."""

from __future__ import annotations

import re

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def detect_language(text: str) -> str:
    """``ko`` if the text has Hangul, else ``en``."""
    return "ko" if HANGUL.search(text or "") else "en"


def humanise(label: str) -> str:
    """``card_arrival`` / ``AddToPlaylist`` -> ``card arrival`` / ``add to playlist``."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ").replace("-", " ")
    return spaced.strip().lower()
