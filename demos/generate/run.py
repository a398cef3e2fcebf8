"""Run the Generation tab's configurations: read a column's form into a technique and parameters,
and stream one or two replies at once into their columns."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pandas as pd

from demos.generate.column import Column, stats_markdown
from models.core import inputs
from models.core.access import caller_for, check_model_ref
from models.core.errors import PlaygroundError
from models.generate.backends import BACKENDS
from models.generate.params import GenerationParams
from models.generate.remote import scrub
from models.generate.run import Generation, generate_stream
from models.generate.techniques import Technique, TemplateError, clean_examples

log = logging.getLogger(__name__)
MAX_TABLE_ROWS = 200  # rows of the variables or examples table the browser may send
MAX_KEY_CHARS = 500


def _rows(table: Any, what: str) -> list[list]:
    """A table's rows as lists, from a DataFrame or the browser's {"data": [...]} form."""
    if isinstance(table, pd.DataFrame):
        return table.astype(object).where(table.notna(), None).values.tolist()
    if isinstance(table, dict):
        table = table.get("data")
    if table is None:
        return []
    if not isinstance(table, list | tuple) or len(table) > MAX_TABLE_ROWS:
        raise TemplateError(f"The {what} must be a table of at most {MAX_TABLE_ROWS} rows.")
    if not all(isinstance(row, list | tuple) for row in table):
        raise TemplateError(f"Each row of the {what} must be a list of cells.")
    return [list(row) for row in table]


def _variables(table: Any) -> dict[str, str]:
    """The variables table as {name: value}; rows without a name are skipped."""
    values = {}
    for row in _rows(table, "variables"):
        name = row[0] if row and isinstance(row[0], str) else ""
        if name.strip():
            value = row[1] if len(row) > 1 and row[1] is not None else ""
            values[name.strip()] = value if isinstance(value, str) else str(value)
    return values


def edited_technique(
    techniques: dict[str, Technique], key: str, system: str, user: str, variables: Any,
    examples: Any,
) -> Technique:  # fmt: skip
    """The chosen technique with the column's edits (templates, variables, examples).

    Raises:
        PlaygroundError: an unknown technique, or an edit that is not text, too long or holds
            a control character.
    """
    key = inputs.choice(key, "Prompt technique", techniques)
    system = inputs.text(system, "The system turn", allow_empty=True)
    user = inputs.text(user, "The user turn", allow_empty=True)
    base = replace(techniques[key], system=system, user=user)
    return base.with_edits(_variables(variables), clean_examples(_rows(examples, "examples")))


def checked_target(backend: object, model: object, base_url: object, api_key: object) -> dict:
    """Which backend and model a generation goes to, checked: the tab and the API agree."""
    backend = inputs.choice(backend, "Backend", BACKENDS)
    model = inputs.text(model, "Model", allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    if backend == "local" and model.strip():  # a public server loads no folder a visitor names
        check_model_ref(model, caller_for(None, None))
    return {
        "backend": backend,
        "model": model,
        "base_url": inputs.text(
            base_url, "Base URL", allow_empty=True, max_chars=inputs.MAX_NAME_CHARS
        ),
        # Never quoted in a message (the checks only name the field).
        "api_key": inputs.text(api_key, "API key", allow_empty=True, max_chars=MAX_KEY_CHARS),
    }


def column_job(text: str, techniques: dict[str, Technique], values: list[Any]) -> dict:
    """The arguments of ``generate_stream`` from a column's values (``Column.settings`` order).

    Raises:
        PlaygroundError: a template or parameter the user must fix (nothing is sent then).
    """
    (key, system, user, variables, examples, backend, model, base_url, api_key, temperature,
     top_p, max_new_tokens, repetition_penalty, stop, seed) = values  # fmt: skip
    technique = edited_technique(techniques, key, system, user, variables, examples)
    technique.messages(text)  # checks the input and the template before anything starts
    params = GenerationParams.build(temperature, top_p, max_new_tokens, repetition_penalty,
                                    stop or "", seed)  # fmt: skip
    target = checked_target(backend, model, base_url, api_key)
    return {"text": text, "technique": technique, "params": params, **target}


def updates(column: Column, gen: Generation) -> dict:
    return {column.output: gen.text, column.stats: stats_markdown(gen),
            column.messages: gen.messages}  # fmt: skip


def stream_columns(jobs: list[tuple[Column, dict]], stop: threading.Event) -> Iterator[dict]:
    """Stream every job at once (a thread each); yield the columns' updates as replies grow."""
    events: queue.Queue = queue.Queue()

    def work(i: int, job: dict) -> None:
        try:
            for gen in generate_stream(**job, stop=stop):
                events.put((i, gen))
        except PlaygroundError as err:
            events.put((i, err))
        except Exception as err:  # a bug: say so in one line, keep the details in the log
            # ... but never the key: no traceback (its messages could hold it) when one was given.
            key = job.get("api_key") or ""
            log.error("generation failed: %s", scrub(repr(err), key), exc_info=not key)
            events.put((i, PlaygroundError(f"Generation failed ({type(err).__name__}).")))
        finally:
            events.put((i, None))

    for i, (_, job) in enumerate(jobs):
        threading.Thread(target=work, args=(i, job), daemon=True, name="generation").start()
    running = len(jobs)
    while running:
        i, item = events.get()
        column = jobs[i][0]
        if item is None:
            running -= 1
        elif isinstance(item, PlaygroundError):
            yield {column.stats: f"⚠️ {item}"}
        else:
            yield updates(column, item)
