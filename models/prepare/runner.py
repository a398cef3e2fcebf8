"""Check and do one item, turning every way it can fail into a line a user can act on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from models.core.errors import PlaygroundError
from models.core.files import describe_os_error
from models.core.settings import Settings
from models.prepare.items import Check, Context, Item

State = Literal["waiting", "running", "ready", "failed", "skipped", "stopped"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    state: State
    detail: str


def describe_failure(err: BaseException) -> str:
    """What went wrong, for the item's line: the user's words for known faults."""
    if isinstance(err, PlaygroundError):
        return str(err)
    if isinstance(err, MemoryError):
        return "Out of memory. Close other programs or give the app more memory, then retry."
    if isinstance(err, OSError):
        return describe_os_error(err)
    return f"{type(err).__name__}: {err} (a bug; the server log has the details)."


def check_item(item: Item, settings: Settings) -> tuple[Check | Literal["failed"], str]:
    """The item's state without doing anything; a check that fails says why."""
    try:
        return item.check(settings)
    except Exception as err:  # an unreadable folder must not stop the other lines
        log.warning("checking %s failed", item.key, exc_info=True)
        return "failed", describe_failure(err)


def do_item(item: Item, context: Context) -> Outcome:
    """Do the item; never raises for the item's own faults (the next item goes on)."""
    try:
        detail = item.run(context)
    except Exception as err:  # each fault becomes this item's line; the others go on
        if not isinstance(err, PlaygroundError | OSError | MemoryError):
            log.exception("preparing %s failed", item.key)
        if context.stop.is_set():
            return Outcome("stopped", "Stopped; it is done again on the next preparation.")
        return Outcome("failed", describe_failure(err))
    return Outcome("ready", detail)
