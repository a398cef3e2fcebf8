"""Label descriptions for zero-shot classification with an embedding model.

A text is scored against a short description of each label (e5: ``query:`` for the text,
``passage:`` for the descriptions). Descriptions were written once and checked on validation
splits only. Labels the user types are described by themselves.
"""

from __future__ import annotations

from models.core.text import humanise

SENTIMENT = {
    "ko": {
        "negative": "부정적인 평가: 별로다, 실망했다, 재미없다, 최악이다, 돈 아깝다.",
        "positive": "긍정적인 평가: 좋다, 재미있다, 감동적이다, 최고다, 추천한다.",
    },
    "en": {
        "negative": "A negative opinion: bad, boring, disappointing, dull, a waste of time.",
        "positive": "A positive opinion: good, enjoyable, moving, brilliant, recommended.",
    },
}
INTENTS = {
    "AddToPlaylist": "add a song or an artist to a playlist",
    "BookRestaurant": "book a table at a restaurant for some people",
    "GetWeather": "what is the weather forecast, will it rain or be sunny",
    "PlayMusic": "play a song, an album or music by an artist",
    "RateBook": "give a book or novel a rating of stars or points",
    "SearchCreativeWork": "find a movie, book, song, TV show, game or painting by its title",
    "SearchScreeningEvent": "find movie showtimes and schedules at a cinema",
}


def describe_labels(task: str, labels: list[str], language: str) -> list[str]:
    """One description per label, in ``labels`` order."""
    if task == "sentiment":
        table = SENTIMENT["ko" if language == "ko" else "en"]
        return [table.get(label.lower(), humanise(label)) for label in labels]
    if task == "intent":
        return [INTENTS.get(label, humanise(label)) for label in labels]
    return [humanise(label) for label in labels]
