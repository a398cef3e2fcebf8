"""The tabs' page-load (and language-switch) functions as one event: each Gradio event is a
queued request, a stream and a render of its own, and twenty of them kept a fresh page busy for
seconds. Run together, they cost one round trip; each still reads its own inputs and writes its
own outputs."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Load:
    """One function with the components it reads and writes, as ``app.load`` takes them."""

    fn: Callable[..., Any]
    inputs: list[Any]
    outputs: list[Any]


def as_list(components: Any) -> list[Any]:
    if components is None:
        return []
    return list(components) if isinstance(components, Sequence) else [components]


def _is_request(parameter: inspect.Parameter) -> bool:
    annotation = parameter.annotation
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return "Request" in name


def _call(fn: Callable[..., Any], values: list[Any], request: gr.Request) -> Any:
    """``fn`` called as Gradio calls it: its inputs' values in order, the request where a
    parameter asks for one (before or after them)."""
    args: list[Any] = []
    rest = iter(values)
    for parameter in inspect.signature(fn).parameters.values():
        if _is_request(parameter):
            args.append(request)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(rest)
        elif parameter.default is inspect.Parameter.empty:
            args.append(next(rest))
    return fn(*args)


def _as_updates(result: Any, outputs: list[Any]) -> dict:
    """What a function returned as {component: update}, however it returned it."""
    if isinstance(result, dict) and all(isinstance(key, Block) for key in result):
        # {component: update}; one this function does not output is left out, as Gradio would
        # refuse it.
        return {key: value for key, value in result.items() if key in outputs}
    if len(outputs) == 1:
        return {outputs[0]: result}
    return dict(zip(outputs, result, strict=True))


def _changes_nothing(update: Any) -> bool:
    return isinstance(update, dict) and set(update) <= {"__type__"}


def merged(updates: dict, more: dict) -> dict:
    """``updates`` with ``more``; where both write one component, a later update that changes
    nothing (``gr.update()``, ``gr.skip()``) does not hide an earlier one's."""
    kept = {c: u for c, u in more.items() if not (c in updates and _changes_nothing(u))}
    return updates | kept


def together(loads: list[Load]) -> Load:
    """One ``Load`` that runs every one of ``loads`` in turn. A function that fails is logged
    and leaves its outputs as they are; the others still write theirs."""
    inputs: list[Any] = []
    outputs: list[Any] = []
    for load in loads:
        inputs += [c for c in load.inputs if c not in inputs]
        outputs += [c for c in load.outputs if c not in outputs]
    positions = [[inputs.index(c) for c in load.inputs] for load in loads]

    # The request first: Gradio passes it only to a parameter before ``*values``.
    def run_together(request: gr.Request, *values: Any) -> dict:
        updates: dict = {}
        for load, where in zip(loads, positions, strict=True):
            try:
                result = _call(load.fn, [values[i] for i in where], request)
                updates = merged(updates, _as_updates(result, load.outputs))
            except Exception:  # one tab's bug must not leave every other tab unfilled
                log.exception("page load: %s failed", getattr(load.fn, "__qualname__", load.fn))
        return updates or {outputs[0]: gr.skip()}

    return Load(run_together, inputs, outputs)
