"""Generation: techniques as data, typed parameters, the local backend, and the OpenAI client
against a small OpenAI-compatible server (streamed and not, and every way it can fail)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from models.core.errors import PlaygroundError
from models.datasets.registry import load_dataset
from models.generate.icl import icl_curve, parse_label, pick_examples
from models.generate.params import GenerationParams
from models.generate.run import check_json, generate, generate_stream, load_prices, price_for
from models.generate.techniques import (
    TemplateError,
    dump_techniques,
    load_techniques,
    parse_techniques,
)
from tests.openai_stub import Handler, StubServer

TECHNIQUES = load_techniques()
ZERO = TECHNIQUES["zero-shot"]


# -- techniques ---------------------------------------------------------------------------------
def test_every_built_in_technique_fills_and_few_shot_sends_its_examples_as_turns():
    expected = {"zero-shot", "few-shot", "chain-of-thought", "role", "json-output",
                "translate-to-english", "translate-to-korean", "summarise"}  # fmt: skip
    assert expected <= set(TECHNIQUES)
    for technique in TECHNIQUES.values():
        messages = technique.messages("오늘 날씨가 좋다")
        assert messages[-1]["role"] == "user" and "오늘 날씨가 좋다" in messages[-1]["content"]
        assert "{" not in messages[-1]["content"]  # every variable filled
    few = TECHNIQUES["few-shot"].messages("Great phone.")
    roles = [m["role"] for m in few]
    assert roles == ["system"] + ["user", "assistant"] * 4 + ["user"]
    assert few[2]["content"] == "positive"


def test_template_mistakes_are_named():
    with pytest.raises(TemplateError, match=r"\{tone\}, which is not a variable"):
        replace(ZERO, user="{instruction} in a {tone} voice: {input}").messages("hi")
    with pytest.raises(TemplateError, match="stray brace"):
        replace(ZERO, user="{input} {").messages("hi")
    with pytest.raises(TemplateError, match="never uses"):
        replace(ZERO, user="no input here").messages("hi")
    with pytest.raises(PlaygroundError, match="Type some input"):
        ZERO.messages("   ")
    with pytest.raises(PlaygroundError, match="20,000"):
        ZERO.messages("x" * 20_001)
    literal = replace(ZERO, user='{input} as {{"json": true}}').messages("hi")
    assert literal[-1]["content"] == 'hi as {"json": true}'


def test_techniques_download_and_upload_unchanged_and_bad_files_are_refused():
    again = parse_techniques(dump_techniques(TECHNIQUES))
    assert again == TECHNIQUES
    for text, words in [("not = [valid", "neither TOML nor JSON"), ("", "no technique"),
                        ('[x]\ntitle = "X"\n', "missing"),
                        ('[x]\nuser = "{input} {who}"\n', "not a variable")]:  # fmt: skip
        with pytest.raises(TemplateError, match=words):
            parse_techniques(text)


# -- parameters ---------------------------------------------------------------------------------
def test_parameters_are_typed_and_bounded():
    params = GenerationParams.build(0, 1, 64, 1.0, "###\n\\n\\n", 7.0)
    assert params.stop == ("###", "\n\n") and params.seed == 7 and params.max_new_tokens == 64
    for kwargs, words in [
        ({"max_new_tokens": 0}, "Max new tokens must be between 1 and 2048"),
        ({"max_new_tokens": 10_000}, "Max new tokens"), ({"max_new_tokens": 1.5}, "whole"),
        ({"temperature": "hot"}, "Temperature must be a finite number"),
        ({"top_p": [1]}, "Top-p must be a finite number"), ({"seed": -1}, "seed"),
        ({"stop": ["x" * 65]}, "Stop sequences, item 1, is 65 characters long"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "at most 4 stop sequences"),
        ({"stop": "a\x00"}, "control character"), ({"seed": True}, "seed must be a whole"),
        ({"temperature": float("nan")}, "number"), ({"max_new_tokens": 10**9}, "got 1000000000"),
    ]:  # fmt: skip
        with pytest.raises(PlaygroundError, match=words):
            GenerationParams.build(**kwargs)


def test_json_replies_are_checked_and_prices_are_dated():
    assert check_json('{"a": 1}') == ({"a": 1}, None)
    assert check_json('```json\n{"a": 1}\n```')[1] is None
    assert "not valid JSON" in check_json("Sure! Here it is")[1]
    assert "not an object" in check_json("[1, 2]")[1]
    prices = load_prices()
    assert all(p.date and p.input > 0 for p in prices.values())
    assert price_for("gpt-4o-mini-2024-07-18", prices) == prices["gpt-4o-mini"]
    assert price_for("my-own-model", prices) is None


# -- the local backend ----------------------------------------------------------------------------
@pytest.mark.slow
def test_local_generation_streams_and_the_same_seed_gives_the_same_text():
    params = GenerationParams(temperature=0.9, top_p=0.9, max_new_tokens=24, seed=3)
    updates = list(generate_stream("Name three colours.", ZERO, "local", params=params))
    assert len(updates) > 3 and updates[-1].done  # streamed piece by piece
    first = updates[-1]
    assert first.text and first.completion_tokens and first.prompt_tokens
    assert first.ttft_s is not None and first.ttft_s <= first.latency_s
    again = generate("Name three colours.", ZERO, "local", params=params)
    assert again.text == first.text
    other = generate("Name three colours.", ZERO, "local", params=replace(params, seed=4))
    assert other.text != first.text


@pytest.mark.slow
def test_local_stop_event_stop_sequences_and_limits():
    stop = threading.Event()
    params = GenerationParams(temperature=0, max_new_tokens=200)
    got = []
    for gen in generate_stream("Count from 1 to 100.", ZERO, "local", params=params, stop=stop):
        got.append(gen)
        stop.set()  # Stop pressed after the first piece
    assert got[-1].finish_reason == "stopped" and got[-1].completion_tokens < 20
    params = GenerationParams(temperature=0, max_new_tokens=40, stop=("3",))
    cut = generate("Count from 1 to 10, one number per line.", ZERO, "local", params=params)
    assert "3" not in cut.text and cut.text.strip()
    with pytest.raises(PlaygroundError, match="context window"):
        generate("안녕하세요 " * 3000, ZERO, "local", params=GenerationParams(max_new_tokens=2048))
    with pytest.raises(PlaygroundError, match="not a text generator"):
        generate("hi", ZERO, "local", model="packaged:multilingual-e5-small")


# -- OpenAI and compatible servers ----------------------------------------------------------------
def test_a_compatible_server_streams_and_answers_whole():
    with StubServer() as url:
        streamed = list(generate_stream("hi", ZERO, "openai-compatible", model="stub-model",
                                        base_url=url))  # fmt: skip
        assert [u.text for u in streamed[:-1]] == ["Hello", "Hello, ", "Hello, wor",
                                                   "Hello, world", "Hello, world!"]  # fmt: skip
        final = streamed[-1]
        assert final.text == "Hello, world!" and final.done
        assert (final.prompt_tokens, final.completion_tokens) == (11, 5)
        assert final.tokens_per_s is not None and final.model == "stub-model"
        whole = generate("hi", ZERO, "openai-compatible", model="", base_url=url, stream=False)
        assert whole.text == "Hello, world!" and whole.model == "stub-model"  # first listed
        sent = Handler.requests[-1]
        assert sent["messages"] == ZERO.messages("hi") and sent["max_tokens"] == 256


@pytest.mark.parametrize(
    ("model", "words"),
    [("needs-key", "refused the API key (HTTP 401)"),
     ("rate", "rate-limiting these requests (HTTP 429)"),
     ("boom", "answered with an error (HTTP 500)"), ("unknown", "does not know the model"),
     ("stall", "sent nothing for 1 s")],
)  # fmt: skip
def test_each_server_failure_is_one_clear_sentence_in_time(monkeypatch, model, words):
    monkeypatch.setenv("PLAYGROUND_GENERATION_TIMEOUT", "1")
    sentinel = "sk-sentinel-0123456789abcdef"
    with StubServer() as url:
        start = time.perf_counter()
        with pytest.raises(PlaygroundError) as caught:
            generate("hi", ZERO, "openai-compatible", model=model, base_url=url,
                     api_key=sentinel)  # fmt: skip
        assert time.perf_counter() - start < 10
        assert words in str(caught.value) and sentinel not in str(caught.value)
        assert sentinel[:8] not in str(caught.value) and "\n" not in str(caught.value)
        ok = generate("hi", ZERO, "openai-compatible", model="stub-model", base_url=url)
        assert ok.text == "Hello, world!"  # the next request works


def test_stop_costs_and_json_checks_on_a_server():
    technique = load_techniques()["json-output"]
    with StubServer() as url:
        stop = threading.Event()
        stop.set()  # Stop pressed before the first chunk arrives
        stopped = generate("hi", ZERO, "openai-compatible", model="stub-model", base_url=url,
                           stop=stop)  # fmt: skip
        assert stopped.finish_reason == "stopped" and stopped.text == ""
        priced = generate("hi", ZERO, "openai", model="gpt-4o-mini", base_url=url, api_key="k")
        assert priced.cost_usd == pytest.approx((11 * 0.15 + 5 * 0.60) / 1e6)
        assert "2024-07-18" in priced.price_note
        good = generate("hi", technique, "openai-compatible", model='say:{"summary": "hi"}',
                        base_url=url)  # fmt: skip
        assert good.json_value == {"summary": "hi"} and good.json_error is None
        bad = generate("hi", technique, "openai-compatible", model="say:Sure, here it is",
                       base_url=url)  # fmt: skip
        assert "not valid JSON" in bad.json_error


def test_unreachable_servers_missing_keys_and_bad_urls_are_messages():
    with pytest.raises(PlaygroundError, match="Could not connect to http://127.0.0.1:9/v1"):
        generate("hi", ZERO, "openai-compatible", model="m", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(PlaygroundError, match="Type your OpenAI API key"):
        generate("hi", ZERO, "openai")
    with pytest.raises(PlaygroundError, match="base URL"):
        generate("hi", ZERO, "openai-compatible", model="m", base_url="localhost:8000")
    with pytest.raises(PlaygroundError, match="Unknown backend"):
        generate("hi", ZERO, "anthropic")


# -- through the app ------------------------------------------------------------------------------
def _files_holding(folders: list, needle: bytes) -> list[str]:
    found = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            try:
                if (
                    path.is_file()
                    and path.stat().st_size < 50_000_000
                    and needle in path.read_bytes()
                ):
                    found.append(str(path))
            except OSError:
                continue
    return found


def test_generate_endpoint_and_a_typed_key_leaves_no_trace(client, caplog):
    import logging
    import tempfile

    from models.core.settings import get_settings

    caplog.set_level(logging.DEBUG)
    sentinel = "sk-SENTINEL-5f2c9a7e41d8b036"
    with StubServer() as url:
        ok = client.predict(text="hi", technique="zero-shot", backend="openai-compatible",
                            model="stub-model", base_url=url, api_name="/generate")  # fmt: skip
        assert ok["text"] == "Hello, world!" and ok["usage"]["completion_tokens"] == 5
        assert ok["messages"][-1]["content"].endswith("hi") and ok["ttft_s"] is not None
        refused = client.predict(text="hi", backend="openai-compatible", model="needs-key",
                                 base_url=url, api_key=sentinel, api_name="/generate")  # fmt: skip
    assert "refused the API key" in refused["error"]
    assert sentinel not in str(refused) and sentinel[:8] not in str(refused)
    assert not [r for r in caplog.records if sentinel in r.getMessage()]
    settings = get_settings()
    folders = [settings.cache_dir, settings.runs_dir, tempfile.gettempdir()]
    assert _files_holding(folders, sentinel.encode()) == []
    bad = client.predict(text="hi", max_new_tokens=0, api_name="/generate")
    assert "Max new tokens must be between 1 and 2048" in bad["error"]


# -- in-context learning vs fine-tuning -----------------------------------------------------------
def test_replies_are_read_as_labels_robustly():
    labels = ["negative", "positive"]
    for reply, label in [("positive", "positive"), ("Positive.", "positive"),
                         ('"negative"', "negative"), ("Answer: negative", "negative"),
                         ("The sentiment is positive.", "positive"), ("긍정", "positive"),
                         ("부정적입니다", None), ("positive or negative", None), ("", None),
                         ("I think it is mixed.", None)]:  # fmt: skip
        assert parse_label(reply, labels) == label, reply
    intents = ["AddToPlaylist", "GetWeather", "PlayMusic"]
    assert parse_label("GetWeather", intents) == "GetWeather"
    assert parse_label("get weather", intents) == "GetWeather"


def test_examples_cycle_through_the_labels_and_the_curve_counts_unparseable_apart():
    train = load_dataset("vader", "train").frame
    examples = pick_examples(train, ["negative", "positive"], 4, seed=0)
    assert [label for _, label in examples] == ["negative", "positive"] * 2
    with StubServer() as url:
        said = icl_curve("sentiment", "vader", "openai-compatible", "say:Answer: positive", rows=8,
                         base_url=url, shots=(0, 2))  # fmt: skip
        assert [r.shots for r in said.results] == [0, 2]
        assert all(r.n == 8 and r.unparseable == 0 for r in said.results)
        assert said.results[0].accuracy == 0.5  # a balanced sample, always "positive"
        noise = icl_curve("sentiment", "vader", "openai-compatible", "say:no idea", rows=8,
                          base_url=url, shots=(1,))  # fmt: skip
        assert noise.results[0].unparseable == 8 and noise.results[0].accuracy == 0
        sent = Handler.requests[-1]["messages"]
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    with pytest.raises(PlaygroundError, match="compared on"):
        icl_curve("nli", "kornli")
    with pytest.raises(PlaygroundError, match="rows"):
        icl_curve("sentiment", "vader", rows=1000)
