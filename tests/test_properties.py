"""Property-based tests: whatever a caller sends, an endpoint answers with a dict and a parser
returns rows or raises a PlaygroundError, in one sentence, in bounded time.

The values are what an adversarial caller of the named endpoints sends: random Unicode with lone
surrogates and control characters, huge and empty strings, NaN, infinities, huge integers, and
the wrong types (None, lists, objects, booleans, floats where whole numbers go). Calls that pass
the checks stay on fast paths: zero-shot with the packaged e5, the lexical ranker, the stub
OpenAI-compatible server; evaluations are capped at a few rows.
"""

from __future__ import annotations

import json
import math
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from models.core import inputs
from models.core.errors import PlaygroundError
from models.datasets import parsers
from models.datasets.upload import UploadPreview, preview_upload, read_table
from models.generate.params import GenerationParams
from models.generate.techniques import clean_examples, load_techniques, parse_techniques
from models.rank.banks import QABank, bank_from_upload
from tests.openai_stub import StubServer

FAST = settings(
    max_examples=50, deadline=timedelta(seconds=10), database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip
RAW_PYTHON = ("Traceback", 'File "', "'<' not supported", "object has no attribute")
MAX_EVAL_ROWS = 12

# -- what callers send ----------------------------------------------------------------------------
NASTY_CHARS = ["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\n", "\t",
               "\r", "😀", "가", ",", '"', "'", "{", "}", "\\", " "]  # fmt: skip
nasty_text = st.lists(st.one_of(st.characters(), st.sampled_from(NASTY_CHARS)), max_size=40).map(
    "".join
)
huge_text = st.integers(10_001, 60_000).map(lambda n: "가" * n)
# Text that the checks must refuse: a control character, a lone surrogate, or far too long.
invalid_text = st.one_of(
    st.tuples(nasty_text, st.sampled_from(["\x00", "\x1b", "\ud800", "\x9f"]), nasty_text).map(
        "".join
    ),
    huge_text,
)
numbers_ = st.one_of(
    st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**400, -(10**400), 2**63, math.nan, math.inf, -0.0, 1e300]),
)  # fmt: skip
not_text = st.one_of(
    st.booleans(), numbers_, st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip
anything = st.one_of(st.none(), not_text, nasty_text, huge_text, st.just(""))
# A model or backend reference that is valid and fast, or one the checks refuse (never a random
# string that passes them: that could name a folder or a Hub id and load a model).
refused_name = st.one_of(not_text, invalid_text)


def assert_answer(result: object, keys: set[str]) -> None:
    """A dict with the normal keys, or one clear sentence in "error"."""
    assert isinstance(result, dict)
    event("refused" if "error" in result else "answered")  # --hypothesis-show-statistics
    if "error" in result:
        message = result["error"]
        assert isinstance(message, str) and message.strip()
        assert not any(raw in message for raw in RAW_PYTHON), message
        assert "Something went wrong on the server" not in message, message  # a bug, not a refusal
        assert len(message) < 1_000
    else:
        assert keys <= set(result), result


def assert_sentence(err: PlaygroundError) -> None:
    message = str(err)
    assert message.strip() and len(message) < 1_000
    assert not any(raw in message for raw in RAW_PYTHON), message


@pytest.fixture(scope="module", autouse=True)
def small_limits():
    """Evaluations stay a few rows long, whatever limit the examples draw."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLAYGROUND_MAX_EVAL_ROWS", str(MAX_EVAL_ROWS))
        yield


@pytest.fixture(scope="module")
def warm():
    """Load what the valid calls use once, so no example pays for a first load."""
    from demos.classify.api import classify_api
    from demos.rank.api import rank_api

    assert "label" in classify_api("hello", "intent", "", "zero-shot", "")
    assert "candidates" in rank_api("hello", "chatterbot", "lexical", 3)


@pytest.fixture(scope="module")
def stub_url():
    with StubServer() as url:
        yield url


# -- the endpoints --------------------------------------------------------------------------------
def calls(valid: dict, junk: dict) -> st.SearchStrategy[dict]:
    """Keyword arguments: all valid, one argument junk, or every argument junk.

    Mostly-valid calls reach the endpoint's real work (and its deeper checks); a call where
    everything is junk shows which check runs first.
    """
    names = list(valid)

    def build(broken: str | None) -> st.SearchStrategy[dict]:
        chosen = {n: junk[n] if broken in (n, "all") else valid[n] for n in names}
        return st.fixed_dictionaries(chosen)

    all_valid = [None] * max(3, len(names) // 2)
    return st.sampled_from([*all_valid, "all", *names]).flatmap(build)


printable = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=300)
short_label = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)


@FAST
@given(
    calls(
        valid={
            "text": st.one_of(printable, st.sampled_from(["Book a table", "  ", "x" * 10_000])),
            "task": st.sampled_from(["intent", "sentiment", "nli"]),
            "text_pair": st.one_of(st.just("Someone eats."), printable),
            "model": st.sampled_from(["zero-shot", ""]),
            "labels": st.one_of(
                st.sampled_from(["", "sports, cooking"]),
                st.lists(short_label, max_size=8).map(",".join),
            ),
        },
        junk={
            "text": anything,
            "task": anything,
            "text_pair": anything,
            "model": refused_name,
            "labels": st.one_of(
                anything, st.just("a,a"), st.lists(short_label, max_size=200).map(",".join)
            ),
        },
    )
)
def test_classify_api_answers_everything(warm, arguments):
    from demos.classify.api import classify_api

    result = classify_api(**arguments)
    assert_answer(result, {"label", "scores", "model", "mode", "source", "notice"})
    if "scores" in result:
        assert math.isclose(sum(result["scores"].values()), 1.0, abs_tol=1e-3)


@FAST
@given(
    calls(
        valid={
            "task": st.just("intent"),
            "dataset": st.just("snips"),
            "split": st.sampled_from(["test", "validation"]),
            "model": st.just("zero-shot"),
            "limit": st.integers(2, MAX_EVAL_ROWS),  # zero-shot needs two labels in the sample
        },
        junk={
            "task": st.one_of(st.just("sentiment"), anything),
            "dataset": st.one_of(st.sampled_from(["vader", "imdb"]), anything),
            "split": st.one_of(st.just("nope"), anything),
            "model": refused_name,
            "limit": st.one_of(
                st.integers(max_value=0), st.integers(min_value=MAX_EVAL_ROWS + 1), anything
            ),
        },
    )
)
def test_evaluate_api_answers_everything_and_never_scores_more_than_the_cap(warm, arguments):
    from demos.classify.api import evaluate_api

    result = evaluate_api(**arguments)
    assert_answer(result, {"accuracy", "macro_f1", "per_class", "labels", "n"})
    if "n" in result:
        assert 1 <= result["n"] <= arguments["limit"]  # a split smaller than the limit: all of it


@FAST
@given(
    calls(
        valid={
            "query": st.one_of(printable, st.sampled_from(["hello", "배고파", " "])),
            "bank": st.just("chatterbot"),
            "model": st.just("lexical"),
            "top_k": st.one_of(st.integers(1, 50), st.integers(1, 50).map(float)),
            "backend": st.just("memory"),
        },
        junk={
            "query": anything,
            "bank": anything,
            "model": refused_name,
            "top_k": st.one_of(st.integers(max_value=0), st.integers(min_value=51), anything),
            "backend": anything,
        },
    )
)
def test_rank_api_answers_everything(warm, arguments):
    from demos.rank.api import rank_api

    result = rank_api(**arguments)
    assert_answer(result, {"answer", "confident", "margin", "model", "candidates"})
    if "candidates" in result:
        assert 1 <= len(result["candidates"]) <= int(arguments["top_k"])


@FAST
@given(
    calls(
        valid={
            "text": printable,
            "technique": st.sampled_from(["zero-shot", "few-shot", "json-output"]),
            "backend": st.just("openai-compatible"),
            "model": st.sampled_from(["stub-model", "say:ok"]),
            "base_url": st.just("STUB"),
            "api_key": st.sampled_from(["", "good-key"]),
            "temperature": st.floats(0, 2),
            "top_p": st.floats(0.01, 1),
            "max_new_tokens": st.integers(1, 2048),
            "repetition_penalty": st.floats(1, 2),
            "stop": st.one_of(st.none(), st.lists(st.text(max_size=64), max_size=4)),
            "seed": st.one_of(st.none(), st.integers(0, 2**31 - 1)),
        },
        junk={
            "text": anything,
            "technique": anything,
            "backend": refused_name,
            "model": refused_name,
            "base_url": refused_name,
            "api_key": refused_name,
            "temperature": st.one_of(
                st.floats(max_value=-0.01), st.floats(min_value=2.01), anything
            ),
            "top_p": anything,
            "max_new_tokens": anything,
            "repetition_penalty": anything,
            "stop": st.one_of(st.lists(nasty_text, min_size=5, max_size=8), anything),
            "seed": anything,
        },
    )
)
def test_generate_api_answers_everything(stub_url, arguments):
    from demos.generate.api import generate_api

    if arguments["base_url"] == "STUB":
        arguments["base_url"] = stub_url
    result = generate_api(**arguments)
    assert_answer(result, {"text", "messages", "usage", "latency_s", "model"})


# -- the parsers ----------------------------------------------------------------------------------
def _raw(text: str) -> bytes:
    """Bytes as a careless writer saves them: surrogates encoded as if they were characters."""
    return text.encode("utf-8", "surrogatepass")


def _cells(separator: str) -> st.SearchStrategy[str]:
    cell = st.one_of(nasty_text, st.sampled_from(['"', '""', '"a', "a\nb", "\x00", "", " text "]))
    row = st.lists(cell, max_size=5).map(separator.join)
    return st.lists(row, max_size=8).map("\n".join)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
json_text = st.one_of(
    json_values.map(json.dumps),
    st.lists(json_values.map(json.dumps), max_size=6).map("\n".join),
    st.integers(1, 5_000).map(lambda depth: "[" * depth + "]" * depth),  # nested deeply
    st.integers(1, 5_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
)
file_bytes = st.one_of(
    st.binary(max_size=400),
    _cells(",").map(_raw),
    _cells("\t").map(_raw),
    st.tuples(st.sampled_from(["text,label\n", "q,a\n", " a , a\n", "text\n"]), _cells(",")).map(
        lambda parts: _raw("".join(parts))
    ),
    json_text.map(_raw),
)


clean_cell = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=',\t"'), max_size=12
)
column_name = st.one_of(
    st.sampled_from(["text", " text", "text ", "label", "q", "a", "", " ", "가", "id"]), clean_cell
)


def table_file(separator: str) -> st.SearchStrategy[bytes]:
    """A header (names that collide once trimmed, blank ones) over rows, clean or not."""
    cell = st.one_of(clean_cell, clean_cell, nasty_text, st.sampled_from(['"', '"a', "a\nb"]))
    header = st.lists(column_name, min_size=1, max_size=4).map(separator.join)
    rows = st.lists(st.lists(cell, max_size=5).map(separator.join), max_size=6).map("\n".join)
    return st.tuples(header, rows).map(lambda parts: _raw("\n".join(parts)))


records = st.lists(st.dictionaries(column_name, json_values, max_size=3), max_size=5)
upload_files = st.one_of(
    st.tuples(
        st.sampled_from([".csv", ".tsv", ".txt", ".jsonl", ".json", ".xlsx", ""]), file_bytes
    ),
    st.tuples(st.just(".csv"), table_file(",")),
    st.tuples(st.sampled_from([".tsv", ".txt"]), table_file("\t")),
    st.tuples(st.just(".jsonl"), records.map(lambda rs: _raw("\n".join(map(json.dumps, rs))))),
    st.tuples(st.just(".json"), records.map(lambda rs: _raw(json.dumps(rs)))),
)


@FAST
@given(upload=upload_files)
def test_uploads_are_read_or_refused_in_one_sentence(upload):
    suffix, content = upload
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            table = read_table(path, 50)
            preview = preview_upload(path, 50)
        except PlaygroundError as err:
            event("refused")
            assert_sentence(err)
            return
    event("read")
    assert isinstance(table, pd.DataFrame) and 1 <= len(table) <= 50
    assert list(table.columns) == preview.columns
    assert len(set(preview.columns)) == len(preview.columns)  # every column named once
    assert isinstance(preview, UploadPreview) and preview.mapping.text in preview.columns


@FAST
@given(
    content=st.one_of(file_bytes, table_file(",")),
    question=st.one_of(st.sampled_from(["q", "text", ""]), anything),
    answer=st.one_of(st.sampled_from(["a", "label"]), anything),
)
def test_uploaded_banks_are_read_or_refused_in_one_sentence(content, question, answer):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.csv"
        path.write_bytes(content)
        try:
            bank = bank_from_upload(str(path), question, answer)
        except PlaygroundError as err:
            assert_sentence(err)
            return
    assert isinstance(bank, QABank) and len(bank) >= 1


HEADERS = {
    "nsmc": "id\tdocument\tlabel\n", "kornli": "sentence1\tsentence2\tgold_label\n",
    "korsts": "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2\n", "vader": "",
    "banking77": "text,category\n", "chatbot_data": "Q,A,label\n",
}  # fmt: skip


@FAST
@given(
    name=st.sampled_from([*HEADERS, "snips", "clinc150"]),
    content=st.one_of(st.just(True), st.just(True), file_bytes, st.just(False)),
    rows=st.one_of(_cells("\t"), _cells(",")),
)
def test_upstream_parsers_read_or_refuse_in_one_sentence(name, content, rows):
    """A malformed upstream file (bytes, or the right header over junk rows) -> DatasetError."""
    if content is True:  # the upstream header, then junk rows
        content = _raw(HEADERS.get(name, "") + rows)
    elif content is False:  # a missing file
        content = None
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        reader, argument = {
            "snips": (parsers.snips, "train_{intent}_full.json"),
            "clinc150": (parsers.clinc150, ("train",)),
        }.get(name, (getattr(parsers, name), "data.txt"))
        targets = (
            [root / intent / f"train_{intent}_full.json" for intent in parsers.SNIPS_INTENTS]
            if name == "snips"
            else [root / ("data_full.json" if name == "clinc150" else "data.txt")]
        )
        for target in targets if content is not None else []:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            frame = reader(root, argument)
        except PlaygroundError as err:
            event("refused")
            assert_sentence(err)
            return
    event("read")
    assert isinstance(frame, pd.DataFrame)


# -- parameters, techniques and the checks themselves ---------------------------------------------
@FAST
@given(
    temperature=anything, top_p=anything, max_new_tokens=anything,
    repetition_penalty=anything, stop=st.one_of(anything, st.lists(anything, max_size=5)),
    seed=anything,
)  # fmt: skip
def test_generation_parameters_are_built_or_refused(**values):
    try:
        params = GenerationParams.build(**values)
    except PlaygroundError as err:
        assert_sentence(err)
        return
    assert 0 <= params.temperature <= 2 and 1 <= params.max_new_tokens <= 2048
    assert params.seed is None or 0 <= params.seed < 2**31


@FAST
@given(
    text=st.one_of(json_text, nasty_text, json_values.map(json.dumps)),
    examples=st.one_of(anything, st.lists(st.lists(anything, max_size=3), max_size=40)),
)
def test_technique_files_and_example_tables_are_read_or_refused(text, examples):
    for parse in (lambda: parse_techniques(text), lambda: clean_examples(examples)):
        try:
            parse()
        except PlaygroundError as err:
            assert_sentence(err)


@FAST
@given(
    variables=st.one_of(anything, st.lists(st.lists(anything, max_size=3), max_size=5)),
    examples=st.one_of(anything, st.lists(st.lists(anything, max_size=3), max_size=5)),
    system=anything, user=st.one_of(anything, st.just("{input}")), key=anything,
)  # fmt: skip
def test_the_tab_s_template_edits_are_checked(variables, examples, system, user, key):
    from demos.generate.run import edited_technique

    techniques = load_techniques()
    for chosen in (key, "zero-shot"):
        try:
            edited_technique(techniques, chosen, system, user, variables, examples).messages("hi")
        except PlaygroundError as err:
            assert_sentence(err)


@FAST
@given(value=anything)
def test_every_check_returns_its_type_or_refuses_in_one_sentence(value):
    checks = [
        (lambda: inputs.text(value, "text"), str),
        (lambda: inputs.text(value, "text", allow_empty=True, max_chars=50), str),
        (lambda: inputs.integer(value, "n", 1, 10), int),
        (lambda: inputs.optional_integer(value, "n", 0, 10), (int, type(None))),
        (lambda: inputs.number(value, "x", -1.0, 1.0), float),
        (lambda: inputs.choice(value, "task", ["nli", "intent"]), str),
        (lambda: inputs.string_list(value, "stop", max_items=3), list),
        (lambda: inputs.labels(value), (list, type(None))),
    ]
    for check, kind in checks:
        try:
            result = check()
        except inputs.InputError as err:
            assert_sentence(err)
            assert len(str(err)) < 300  # a huge value is never repeated whole
            continue
        assert isinstance(result, kind) and not isinstance(result, bool)
        if isinstance(result, float):
            assert math.isfinite(result)


# -- fine-tuning: settings from JSON, run ids, hosted messages --------------------------------
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers_, nasty_text, huge_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(nasty_text, inner, max_size=3)
    ),
    max_leaves=8,
)
config_fields = st.sampled_from(
    ["task", "dataset", "base", "methods", "train_size", "eval_size", "epochs", "batch_size",
     "learning_rates", "max_length", "seed", "lora", "budget_minutes", "upload_columns",
     "warmup_ratio", "scheduler", "ensemble"]
)  # fmt: skip


@FAST
@given(config=st.one_of(json_values, st.dictionaries(config_fields, json_values, max_size=6)))
def test_finetune_settings_are_parsed_and_checked_or_refused_in_one_sentence(config):
    """What ``/finetune`` does before it trains: parse, then check against the limits."""
    from models.finetune.config import FinetuneConfig

    try:
        FinetuneConfig.from_dict(config).check()
    except PlaygroundError as err:
        assert_sentence(err)


@FAST
@given(run_id=anything)
def test_a_past_run_is_asked_by_any_value_and_refused_in_one_sentence(run_id):
    from demos.finetune.api import read_run

    with pytest.raises(PlaygroundError) as refused:
        read_run(run_id)  # the runs folder of the tests holds no run by a random name
    assert_sentence(refused.value)


@FAST
@given(text=st.one_of(nasty_text, huge_text, st.text()))
def test_hosted_messages_are_made_public_for_any_text(text, monkeypatch):
    from models.core.access import looks_like_path, public_message

    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    shown = public_message(f"{text} /srv/secret/{text[:5]}x")
    assert "/srv/secret" not in shown
    assert isinstance(looks_like_path(text), bool)
