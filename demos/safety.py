"""The safety net of every named API endpoint: an answer is a dict, never a traceback.

On a public server (hosted mode) every answer also names no server folder (``public_data``).
An answer is English, as plain strings: a ``Text`` (bilingual message) becomes its English, and
an error is ``str(err)``, its English too.

``api_guard`` wraps an endpoint function: a ``PlaygroundError`` becomes ``{"error": message}``
(the message is written for the caller); anything else is a bug, logged with its traceback and
answered with one sentence that names only the exception's type, so no file path, source line
or Python message reaches the caller. ``functools.wraps`` keeps the name, docstring, signature
and type hints, from which Gradio builds the API page.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from models.core.access import public_data
from models.core.errors import PlaygroundError
from models.core.i18n import localize

log = logging.getLogger(__name__)
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
SERVER_FAULT = "Something went wrong on the server ({kind}); it is logged. Try again or report it."


def _answer(value: Any) -> Any:
    """An endpoint's answer as the API gives it: English, plain strings, no server folder."""
    return public_data(localize(value, "en"))


def fault(err: BaseException) -> dict:
    """The answer to an unexpected exception (log it first)."""
    return {"error": SERVER_FAULT.format(kind=type(err).__name__)}


def _arguments_fault(fn: Callable, args: tuple, kwargs: dict) -> dict | None:
    """``{"error": ...}`` when the call's arguments do not fit the signature, else None."""
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as err:
        return {"error": f"The call's arguments do not fit this endpoint: {err}."}
    return None


def api_guard(fn: Endpoint) -> Endpoint:
    """Wrap an endpoint (a function returning a dict, or a generator of dicts) so that every
    failure is answered as ``{"error": one sentence}``."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def guarded_stream(*args: Any, **kwargs: Any) -> Iterator[dict]:
            if refused := _arguments_fault(fn, args, kwargs):
                yield refused
                return
            answers = fn(*args, **kwargs)
            try:
                for answer in answers:
                    yield _answer(answer)
            except PlaygroundError as err:
                yield public_data({"error": str(err)})
            except Exception as err:  # a bug: the details go to the log, not to the caller
                log.exception("API endpoint %s failed", fn.__name__)
                yield fault(err)
            finally:
                answers.close()  # a cancelled call closes the endpoint too (it may stop work)

        return guarded_stream  # type: ignore[return-value]

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> dict:
        if refused := _arguments_fault(fn, args, kwargs):
            return refused
        try:
            return _answer(fn(*args, **kwargs))
        except PlaygroundError as err:
            return public_data({"error": str(err)})
        except Exception as err:  # a bug: the details go to the log, not to the caller
            log.exception("API endpoint %s failed", fn.__name__)
            return fault(err)

    return guarded  # type: ignore[return-value]
