"""Find a page's handler by name: an event's, or one of the tabs' page-load and switch functions
(``demos.i18n.on_load`` / ``on_switch``), which the page runs together as one event and so are
not events of their own."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from demos.loads import as_list


def find_handler(app: gr.Blocks, name: str, module: str | None = None) -> SimpleNamespace:
    """The first handler ``name`` (of ``module``, when given): its ``fn``, ``inputs`` and
    ``outputs``, events first."""
    found = [SimpleNamespace(fn=f.fn, inputs=list(f.inputs), outputs=list(f.outputs))
             for f in app.fns.values() if f.fn is not None]  # fmt: skip
    found += [SimpleNamespace(fn=fn, inputs=as_list(inputs), outputs=as_list(outputs))
              for fn, inputs, outputs, *_ in app.__dict__.get("_playground_loads", [])]  # fmt: skip
    for handler in found:
        if getattr(handler.fn, "__name__", "") == name and module in (None, handler.fn.__module__):
            return handler
    raise LookupError(f"no handler {name!r}")
