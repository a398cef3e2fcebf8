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
from models.core.errors import PlaygroundError
from models.generate.params import GenerationParams
from models.generate.remote import scrub
from models.generate.run import Generation, generate_stream
from models.generate.techniques import Technique, TemplateError, clean_examples

log = logging.getLogger(__name__)


def _rows(table: Any) -> list[list]:
    if isinstance(table, pd.DataFrame):
        return table.astype(object).where(table.notna(), None).values.tolist()
    if isinstance(table, dict) and "data" in table:
        return list(table["data"])
    return list(table or [])


def edited_technique(
    techniques: dict[str, Technique], key: str, system: str, user: str, variables: Any,
    examples: Any,
) -> Technique:  # fmt: skip
    """The chosen technique with the column's edits (templates, variables, examples)."""
    if key not in techniques:
        raise TemplateError(f"Unknown technique '{key}'.")
    values = {}
    for row in _rows(variables):
        name = str(row[0] or "").strip() if row else ""
        if name:
            values[name] = "" if len(row) < 2 or row[1] is None else str(row[1])
    base = replace(techniques[key], system=str(system or ""), user=str(user or ""))
    return base.with_edits(values, clean_examples(_rows(examples)))


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
    return {"text": text, "technique": technique, "backend": backend, "model": model or "",
            "params": params, "base_url": base_url or "", "api_key": api_key or ""}  # fmt: skip


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
