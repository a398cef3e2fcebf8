"""Class labels as a person reads them, in Korean or English; data and API keep the raw ones.

Only labels whose meaning is known get a display name (sentiment, NLI, SNIPS' seven intents);
any other label (a dataset's own, one typed for zero-shot) is shown as it is.

    >>> display_label("entailment", "ko"), display_label("GetWeather", "en")
    ('함의', 'GetWeather')
"""

from __future__ import annotations

from models.core.i18n import Text

LABELS: dict[str, Text] = {
    # sentiment
    "positive": Text("positive", "긍정"),
    "negative": Text("negative", "부정"),
    # NLI
    "entailment": Text("entailment", "함의"),
    "neutral": Text("neutral", "중립"),
    "contradiction": Text("contradiction", "모순"),
    # SNIPS intents: English readers know them by their names, as the API returns them
    "AddToPlaylist": Text("AddToPlaylist", "재생목록에 추가"),
    "BookRestaurant": Text("BookRestaurant", "식당 예약"),
    "GetWeather": Text("GetWeather", "날씨 확인"),
    "PlayMusic": Text("PlayMusic", "음악 재생"),
    "RateBook": Text("RateBook", "책 평점 매기기"),
    "SearchCreativeWork": Text("SearchCreativeWork", "작품 검색"),
    "SearchScreeningEvent": Text("SearchScreeningEvent", "상영 시간 검색"),
}


def label_text(label: str) -> Text | str:
    """A label as a ``Text`` when its meaning is known, else the label itself."""
    return LABELS.get(label, label)


def display_label(label: str, lang: str) -> str:
    """``label`` in ``lang`` ("positive" -> "긍정" in Korean); unknown labels unchanged."""
    known = LABELS.get(label)
    return known.in_lang(lang) if known is not None else label


def display_scores(scores: dict[str, float], lang: str) -> dict[str, float]:
    """Label scores keyed by display names, for ``gr.Label`` (order kept)."""
    return {display_label(label, lang): score for label, score in scores.items()}
