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

from demos.generate.column import Column, details_markdown, stats_markdown
from models.core import inputs
from models.core.access import caller_for, check_model_ref, public_message
from models.core.errors import PlaygroundError
from models.core.i18n import Text, error_text, localize
from models.generate.backends import BACKENDS
from models.generate.params import GenerationParams
from models.generate.remote import scrub
from models.generate.run import Generation, generate_stream
from models.generate.techniques import Technique, TemplateError, clean_examples

log = logging.getLogger(__name__)
MAX_TABLE_ROWS = 200  # rows of the variables or examples table the browser may send
MAX_KEY_CHARS = 500
TABLES = {"variables": Text("variables", "변수"), "examples": Text("examples", "예시")}
FIELDS = {
    "technique": Text("Prompt technique", "프롬프트 기법"),
    "system": Text("The system turn", "시스템 메시지"),
    "user": Text("The user turn", "사용자 메시지"),
    "backend": Text("Backend", "백엔드"),
    "model": Text("Model", "모델"),
    "base_url": Text("Base URL", "기본 URL"),
    "api_key": Text("API key", "API 키"),
}


def shown_error(err: BaseException, lang: str) -> str:
    """A ``PlaygroundError`` as the page shows it: in ``lang``, no server folder named."""
    return "⚠️ " + public_message(localize(error_text(err), lang))


def kept(item: Generation | PlaygroundError | None) -> Generation | Text | None:
    """What a column's ``last`` state keeps of a reply or an error: the error as its text."""
    return error_text(item) if isinstance(item, PlaygroundError) else item


def _rows(table: Any, what: str) -> list[list]:
    """A table's rows as lists, from a DataFrame or the browser's {"data": [...]} form."""
    if isinstance(table, pd.DataFrame):
        return table.astype(object).where(table.notna(), None).values.tolist()
    if isinstance(table, dict):
        table = table.get("data")
    if table is None:
        return []
    if not isinstance(table, list | tuple) or len(table) > MAX_TABLE_ROWS:
        raise TemplateError(
            Text("The {what} must be a table of at most {n} rows.",
                 "{what}은(는) {n}행 이하의 표여야 합니다.", what=TABLES[what], n=MAX_TABLE_ROWS)
        )  # fmt: skip
    if not all(isinstance(row, list | tuple) for row in table):
        raise TemplateError(
            Text("Each row of the {what} must be a list of cells.",
                 "{what}의 각 행은 칸의 목록이어야 합니다.", what=TABLES[what])
        )  # fmt: skip
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
    key = inputs.choice(key, FIELDS["technique"], techniques)
    system = inputs.text(system, FIELDS["system"], allow_empty=True)
    user = inputs.text(user, FIELDS["user"], allow_empty=True)
    base = replace(techniques[key], system=system, user=user)
    return base.with_edits(_variables(variables), clean_examples(_rows(examples, "examples")))


def checked_target(backend: object, model: object, base_url: object, api_key: object) -> dict:
    """Which backend and model a generation goes to, checked: the tab and the API agree."""
    backend = inputs.choice(backend, FIELDS["backend"], BACKENDS)
    model = inputs.text(model, FIELDS["model"], allow_empty=True, max_chars=inputs.MAX_NAME_CHARS)
    if backend == "local" and model.strip():  # a public server loads no folder a visitor names
        check_model_ref(model, caller_for(None, None))
    return {
        "backend": backend,
        "model": model,
        "base_url": inputs.text(
            base_url, FIELDS["base_url"], allow_empty=True, max_chars=inputs.MAX_NAME_CHARS
        ),
        # Never quoted in a message (the checks only name the field).
        "api_key": inputs.text(
            api_key, FIELDS["api_key"], allow_empty=True, max_chars=MAX_KEY_CHARS
        ),
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


def updates(column: Column, gen: Generation, lang: str = "en") -> dict:
    return {column.output: gen.text, column.stats: stats_markdown(gen, lang),
            column.messages: gen.messages, column.details: details_markdown(gen, lang)}  # fmt: skip


def stream_columns(
    jobs: list[tuple[Column, dict]], stop: threading.Event, lang: str = "en",
    last: dict[int, Generation | PlaygroundError] | None = None,
) -> Iterator[dict]:  # fmt: skip
    """Stream every job at once (a thread each); yield the columns' updates, in ``lang``, as the
    replies grow. ``last``, when given, keeps each job's latest reply or error (by index), for
    the take-away report."""
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
            events.put((i, PlaygroundError(
                Text("Generation failed ({kind}).", "생성에 실패했습니다({kind}).",
                     kind=type(err).__name__)
            )))  # fmt: skip
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
            continue
        if last is not None:
            last[i] = item
        if isinstance(item, PlaygroundError):
            yield {column.stats: shown_error(item, lang)}
        else:
            yield updates(column, item, lang)
