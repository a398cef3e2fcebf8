"""The "How it works" accordions: every tab has its topics, in both languages, and every figure is
well-formed SVG whose labels follow the language."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from demos.explain import TOPICS, figure_html, topic_markdown
from tests.english_check import leftover_english
from tests.test_app import TAB_IDS


def test_every_tab_explains_something():
    assert set(TOPICS) == set(TAB_IDS)
    assert all(TOPICS[tab] for tab in TAB_IDS)


@pytest.mark.parametrize("topic", sorted({t for ts in TOPICS.values() for t in ts}, key=id),
                         ids=lambda t: t.title.en)  # fmt: skip
def test_a_topic_reads_in_both_languages(topic):
    text = topic_markdown(topic)
    assert topic.title.en in text and topic.title.ko in text.in_lang("ko")
    assert not leftover_english(text.in_lang("ko"), {"BA"})
    if (figure := figure_html(topic)) is not None:
        for lang in ("en", "ko"):
            svg = ET.fromstring(figure.in_lang(lang))  # well-formed: no duplicate attributes
            labels = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
            assert labels.strip()
            if lang == "ko":
                assert not leftover_english(labels), labels


def test_the_worked_examples_add_up():
    from demos.explain import figures

    assert "precision = 6/12 = 50%" in figures.screening("en")
    assert "recall = 6/10 = 60%" in figures.screening("en")
    assert "accuracy = 90%" in figures.screening("en")
    assert "0.95" in figures.unbalanced("en") and "0.49" in figures.unbalanced("en")
    assert "6,144 trained (4.2%)" in figures.lora("en")
