"""The README's API example runs as written against a live server; its numbers match the CLI's."""

from __future__ import annotations

import contextlib
import io
import re

from models.classify.evaluate import evaluate
from tests.conftest import ROOT

MARKER = "<!-- README-API-EXAMPLE"


def _example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index(MARKER) :]
    return re.search(r"```python\n(.*?)```", after, re.DOTALL).group(1)


def test_readme_api_example_runs(served_app):
    code = _example().replace("http://127.0.0.1:7860/", served_app)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})  # our own README's example
    lines = printed.getvalue().strip().splitlines()
    # After the client's own lines: classify, evaluate, rank, generate's numbers, its text.
    labels = (["positive"], ["negative"])
    start = next(i for i, line in enumerate(lines) if line.split()[:1] in labels)
    second, third, fourth = lines[start + 1 : start + 4]
    text = "\n".join(lines[start + 4 :])
    accuracy, macro_f1 = map(float, second.split())
    assert 0 <= macro_f1 <= 1 and 0 <= accuracy <= 1
    confident, score, answer = third.split(" ", 2)
    assert confident in {"True", "False"} and 0 < float(score) <= 1
    assert (answer == "None") == (confident == "False")
    tokens, ttft, rate = fourth.split()
    assert 0 < int(tokens) <= 32 and float(ttft) > 0 and float(rate) > 0
    assert text.strip()


def test_evaluate_api_agrees_with_the_function(client):
    from_api = client.predict(
        task="intent", dataset="snips", split="test", model="zero-shot", limit=50,
        api_name="/evaluate",
    )  # fmt: skip
    from_function = evaluate("intent", "snips", "test", "zero-shot", 50).metrics()
    for key in ("accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n"):
        assert from_api[key] == from_function[key], key


def test_classify_api_returns_scores_and_explains_errors(client):
    result = client.predict(
        text="Book a table for two tonight", task="intent", model="zero-shot",
        api_name="/classify",
    )  # fmt: skip
    assert result["label"] == "BookRestaurant"
    assert abs(sum(result["scores"].values()) - 1) < 1e-4
    assert client.predict(text="  ", task="sentiment", api_name="/classify") == {
        "error": "Type a sentence to classify."
    }
    nli = client.predict(text="한 남자가 달린다.", task="nli", api_name="/classify")
    assert nli == {"error": "NLI compares two sentences: type a hypothesis too."}
