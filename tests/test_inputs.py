"""Typed, bounded inputs (models/core/inputs.py) and the API safety net (demos/safety.py)."""

from __future__ import annotations

import inspect
import logging
import math

import pytest

from demos.safety import api_guard
from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.inputs import InputError


# -- text -----------------------------------------------------------------------------------------
def test_text_accepts_printable_unicode_and_keeps_it_unchanged():
    value = "  한국어 text\twith\nlines\r\n and emoji 😀 "
    assert inputs.text(value, "text") == value
    assert inputs.text("", "text", allow_empty=True) == ""
    assert inputs.text(None, "text", allow_empty=True) == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "text must be text (got null)."),
        (5, "text must be text (got a number)."),
        (["a"], "text must be text (got a list)."),
        ({"a": 1}, "text must be text (got an object)."),
        (True, "text must be text (got true/false)."),
        ("   ", "text is empty: type something."),
        ("ab\x00c", "text contains a control character (U+0000) at position 2; remove it."),
        ("\x1b[31m", "text contains a control character (U+001B) at position 0; remove it."),
        ("a\x85", "text contains a control character (U+0085) at position 1; remove it."),
        ("ok\ud800", "text is not valid Unicode (a lone surrogate U+D800 at position 2)"),
    ],
)
def test_text_refusals_name_the_field_in_one_sentence(value, message):
    with pytest.raises(InputError) as refused:
        inputs.text(value, "text")
    assert str(refused.value).startswith(message)
    assert isinstance(refused.value, PlaygroundError)


def test_text_length_limit_comes_from_settings_and_the_value_is_never_echoed(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_TEXT_CHARS", "5")
    assert inputs.text("12345", "text") == "12345"
    with pytest.raises(
        InputError, match=r"^text is 6 characters long; the limit is 5 characters\.$"
    ):
        inputs.text("123456", "text")
    secret = "s3cret-" * 10
    with pytest.raises(InputError) as refused:
        inputs.text(secret + "\x00", "API key", max_chars=500)
    assert "s3cret" not in str(refused.value)


# -- numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [(5, 5), (5.0, 5), ("5", 5), (" +7 ", 7), (1, 1)])
def test_integer_accepts_whole_numbers_in_any_honest_form(value, expected):
    got = inputs.integer(value, "top_k", 1, 50)
    assert got == expected and type(got) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "top_k must be a whole number (got true)."),
        (2.5, "top_k must be a whole number (got 2.5)."),
        (math.nan, "top_k must be a whole number (got nan)."),
        (math.inf, "top_k must be a whole number (got inf)."),
        ("abc", "top_k must be a whole number (got 'abc')."),
        ("1e3", "top_k must be a whole number (got '1e3')."),
        ([1], "top_k must be a whole number (got a list)."),
        (None, "top_k must be a whole number (got null)."),
        (10**9, "top_k must be between 1 and 50 (got 1000000000)."),
        (0, "top_k must be between 1 and 50 (got 0)."),
        pytest.param(
            10**5000,
            "top_k must be between 1 and 50 (got a number with over 300 digits).",
            id="5000-digits",
        ),
        (1e300, "top_k must be between 1 and 50 (got 1e+300)."),
        ("9" * 31, "top_k must be a whole number (got '" + "9" * 31 + "')."),
    ],
)
def test_integer_refusals(value, message):
    with pytest.raises(InputError) as refused:
        inputs.integer(value, "top_k", 1, 50)
    assert str(refused.value) == message


def test_optional_integer_and_number():
    assert inputs.optional_integer(None, "seed", 0, 9) is None
    assert inputs.optional_integer("  ", "seed", 0, 9) is None
    assert inputs.optional_integer(3.0, "seed", 0, 9) == 3
    assert inputs.number("0.5", "Top-p", 0, 1) == 0.5
    assert inputs.number(1, "Top-p", 0, 1) == 1.0
    for bad in (math.nan, -math.inf, "nan", "inf", True, [1], None, "x" * 100):
        with pytest.raises(InputError, match="^Top-p must be a finite number"):
            inputs.number(bad, "Top-p", 0, 1)
    with pytest.raises(InputError, match=r"^Top-p must be between 0 and 1 \(got 1\.5\)\.$"):
        inputs.number(1.5, "Top-p", 0, 1)
    with pytest.raises(InputError, match="between 0 and 1"):
        inputs.number(10**400, "Top-p", 0, 1)


# -- choices and lists ----------------------------------------------------------------------------
def test_choice_lists_the_options_and_quotes_a_short_prefix():
    assert inputs.choice("nli", "task", ("sentiment", "nli")) == "nli"
    with pytest.raises(InputError, match=r"^task must be one of: sentiment, nli \(got 'x'\)\.$"):
        inputs.choice("x", "task", ("sentiment", "nli"))
    with pytest.raises(InputError, match=r"\(got a list\)"):
        inputs.choice(["nli"], "task", ("sentiment", "nli"))
    with pytest.raises(InputError) as refused:
        inputs.choice("y" * 100_000, "task", ("sentiment",))
    assert len(str(refused.value)) < 120
    many = [f"option{i}" for i in range(100)]
    with pytest.raises(InputError, match=r"option11, …"):
        inputs.choice("z", "dataset", many)


def test_string_list():
    assert inputs.string_list(None, "stop", max_items=2) == []
    assert inputs.string_list(["a", ""], "stop", max_items=2) == ["a", ""]
    with pytest.raises(InputError, match="must be a list of texts"):
        inputs.string_list("a", "stop", max_items=2)
    with pytest.raises(InputError, match="stop has 3 items; the limit is 2"):
        inputs.string_list(["a", "b", "c"], "stop", max_items=2)
    with pytest.raises(InputError, match=r"stop, item 2, must be text \(got a number\)"):
        inputs.string_list(["a", 5], "stop", max_items=2)


def test_labels_are_trimmed_capped_and_checked(monkeypatch):
    assert inputs.labels(" sports, cooking,, finance ,") == ["sports", "cooking", "finance"]
    assert inputs.labels(["a ", " b"]) == ["a", "b"]
    assert (
        inputs.labels("") is None and inputs.labels(None) is None and inputs.labels(" , ") is None
    )
    monkeypatch.setenv("PLAYGROUND_MAX_LABELS", "3")
    with pytest.raises(InputError, match="^labels has 4 labels; the limit is 3.$"):
        inputs.labels("a,b,c,d")
    with pytest.raises(InputError, match="labels: label 2 is 101 characters long"):
        inputs.labels("a," + "b" * 101)
    with pytest.raises(InputError, match="labels contains a control character"):
        inputs.labels("a\x00b,c")
    with pytest.raises(InputError, match="labels must be text"):
        inputs.labels(5)


# -- the safety net -------------------------------------------------------------------------------
def _endpoint(text: str, n: int = 1) -> dict:
    """An endpoint's docstring."""
    if text == "user":
        raise PlaygroundError("Type something else.")
    if text == "bug":
        return {"bad": sorted([1, "a"])}  # TypeError: '<' not supported ...
    return {"text": text * n}


def test_api_guard_answers_every_failure_with_one_sentence(caplog):
    guarded = api_guard(_endpoint)
    assert guarded.__name__ == "_endpoint" and guarded.__doc__ == "An endpoint's docstring."
    assert inspect.signature(guarded) == inspect.signature(_endpoint)
    assert guarded("ab", n=2) == {"text": "abab"}
    assert guarded("user") == {"error": "Type something else."}
    with caplog.at_level(logging.ERROR, logger="demos.safety"):
        bug = guarded("bug")
    assert bug == {
        "error": "Something went wrong on the server (TypeError); it is logged. Try again or "
        "report it."
    }
    assert "not supported" in caplog.text  # the details went to the log, not to the caller
    assert "The call's arguments do not fit" in guarded()["error"]
    assert "The call's arguments do not fit" in guarded("a", size=3)["error"]


def test_api_guard_wraps_generators_too():
    def stream(text: str):
        yield {"text": text}
        raise ValueError("raw python text")

    assert inspect.isgeneratorfunction(api_guard(stream))
    got = list(api_guard(stream)("hi"))
    assert got[0] == {"text": "hi"} and "ValueError" in got[1]["error"]
    assert "raw python text" not in got[1]["error"]


# -- the endpoints' own bounds --------------------------------------------------------------------
def test_evaluate_api_refuses_a_whole_split_over_the_row_cap(monkeypatch):
    from demos.classify.api import evaluate_api

    monkeypatch.setenv("PLAYGROUND_MAX_EVAL_ROWS", "20")
    whole = evaluate_api("intent", "snips", "test", "zero-shot", None)
    assert "pass a limit from 1 to 20" in whole["error"]
    assert evaluate_api("intent", "snips", "test", "zero-shot", 10**9) == {
        "error": "limit must be between 1 and 20 (got 1000000000)."
    }
    assert "split must be text" in evaluate_api("intent", "snips", [1], "zero-shot", 5)["error"]
    assert "dataset must be one of" in evaluate_api("intent", "imdb", "test")["error"]


def test_zero_shot_labels_are_capped_at_the_endpoint_and_in_the_tab(monkeypatch):
    from demos.classify.api import classify_api
    from demos.classify.try_it import explain_one

    monkeypatch.setenv("PLAYGROUND_MAX_LABELS", "5")
    many = ",".join(f"label{i}" for i in range(500))
    refused = classify_api("a text", "intent", "", "zero-shot", many)
    assert refused == {"error": "labels has 500 labels; the limit is 5."}
    with pytest.raises(InputError, match="Labels has 500 labels; the limit is 5."):
        explain_one("intent", "zero-shot", "a text", "", many)


def test_the_named_endpoints_answer_junk_over_http(client):
    """What an adversarial gradio_client caller sends comes back as one sentence (a lone
    surrogate cannot travel through gradio_client: the function tests cover it)."""
    calls = [
        ("/classify", {"text": "hi\x00"}, "text contains a control character (U+0000)"),
        ("/classify", {"text": "hi", "task": ["intent"]}, "task must be one of"),
        ("/evaluate", {"task": "intent", "dataset": "snips", "limit": 10**9}, "limit must be"),
        ("/rank", {"query": "hi", "top_k": [5]}, "top_k must be a whole number (got a list)."),
        ("/rank", {"query": "hi", "top_k": 1e9}, "top_k must be between 1 and 50"),
        ("/generate", {"text": "hi", "temperature": "hot"}, "Temperature must be a finite"),
        ("/generate", {"text": "hi", "stop": "x\x00"}, "Stop sequences contains a control"),
    ]
    for api_name, arguments, message in calls:
        answer = client.predict(**arguments, api_name=api_name)
        assert message in answer["error"], (api_name, answer)
