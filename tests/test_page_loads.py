"""The tabs' page-load functions run as one event: each reads its own inputs, gets the request
where it asks for it, writes its own outputs; one that fails leaves the others' work, and one that
changes nothing does not hide another's update of the same component."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from demos.loads import Load, together

REQUEST = SimpleNamespace(session_hash="s", headers={}, username=None)


def _components(n: int) -> list:
    with gr.Blocks():
        return [gr.Textbox() for _ in range(n)]


def test_each_function_reads_its_inputs_and_writes_its_outputs():
    a, b, c, d = _components(4)

    def request_last(x: str, y: str, request: gr.Request) -> str:
        assert request is REQUEST
        return f"{x}+{y}"

    def request_first(request: gr.Request, *values: str) -> dict:
        assert request is REQUEST
        return {d: "|".join(values)}

    def no_inputs(request: gr.Request) -> tuple[str, str]:
        return "one", "two"

    load = together([Load(request_last, [a, b], [c]), Load(request_first, [b, c], [d]),
                     Load(no_inputs, [], [a, b])])  # fmt: skip
    assert load.inputs == [a, b, c] and load.outputs == [c, d, a, b]
    updates = load.fn(REQUEST, "A", "B", "C")
    assert updates == {c: "A+B", d: "B|C", a: "one", b: "two"}


def test_a_failing_function_leaves_the_others_updates(caplog):
    a, b = _components(2)

    def broken(request: gr.Request) -> str:
        raise RuntimeError("a bug")

    def fine(request: gr.Request) -> str:
        return "fine"

    load = together([Load(broken, [], [a]), Load(fine, [], [b])])
    assert load.fn(REQUEST) == {b: "fine"}
    assert "a bug" in caplog.text


def test_an_update_that_changes_nothing_does_not_hide_an_earlier_one():
    status, other = _components(2)

    def following(request: gr.Request) -> dict:
        return {status: "Your run: 3/10"}

    def unchanged(request: gr.Request) -> dict:
        return {status: gr.update(), other: "x"}

    def skipped(request: gr.Request) -> dict:
        return gr.skip()

    load = together([Load(following, [], [status]), Load(unchanged, [], [status, other]),
                     Load(skipped, [], [other])])  # fmt: skip
    assert load.fn(REQUEST) == {status: "Your run: 3/10", other: "x"}


def test_a_component_a_function_does_not_output_is_left_out():
    mine, not_mine = _components(2)

    def too_much(request: gr.Request) -> dict:
        return {mine: "ok", not_mine: "not an output of this function"}

    assert together([Load(too_much, [], [mine])]).fn(REQUEST) == {mine: "ok"}


def test_a_single_output_may_be_a_dict_of_data():
    (json_box,) = _components(1)

    def data(request: gr.Request) -> dict:
        return {"rows": 3, "ok": True}

    assert together([Load(data, [], [json_box])]).fn(REQUEST) == {json_box: {"rows": 3, "ok": True}}


def test_the_page_runs_its_page_load_and_switch_functions_as_one_event_each():
    import app

    page = app.create_app()
    fns = list(page.fns.values())
    load = next(f._id for f in fns if getattr(f.fn, "__name__", "") == "on_page"
                and f.trigger_after is None)  # fmt: skip
    after = [f for f in fns if f.trigger_after == load]
    names = [getattr(f.fn, "__name__", None) for f in after]
    assert names == [None, "run_together"]  # the locale, set in the page; then the texts
    assert len(after[1].outputs) > 40  # every tab's page-load texts
    switch = next(f._id for f in fns if getattr(f.fn, "__name__", "") == "switched_to")
    after_switch = [f for f in fns if f.trigger_after == switch]
    assert [f.fn.__name__ for f in after_switch] == ["run_together"]
    assert len(after_switch[0].outputs) > 40  # the tabs' texts and the results on screen
