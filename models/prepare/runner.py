"""Check and do one item, turning every way it can fail into a line a user can act on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from models.core.errors import PlaygroundError
from models.core.files import describe_os_error
from models.core.i18n import Text, error_text
from models.core.settings import Settings
from models.prepare.items import Check, Context, Item

STOPPED_FOR_NEXT = Text(
    "Stopped; it is done again on the next preparation.", "중지했습니다. 다음 준비 때 다시 합니다."
)
State = Literal["waiting", "running", "ready", "failed", "skipped", "stopped"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    state: State
    detail: str


def describe_failure(err: BaseException) -> str:
    """What went wrong, for the item's line: the user's words for known faults."""
    if isinstance(err, PlaygroundError):
        return error_text(err)
    if isinstance(err, MemoryError):
        return Text(
            "Out of memory. Close other programs or give the app more memory, then retry.",
            "메모리가 부족합니다. 다른 프로그램을 닫거나 앱에 메모리를 더 준 뒤 다시 시도하세요.",
        )
    if isinstance(err, OSError):
        return describe_os_error(err)
    return Text(
        "{kind}: {err} (a bug; the server log has the details).",
        "{kind}: {err} (버그입니다. 자세한 내용은 서버 로그에 있습니다).",
        kind=type(err).__name__, err=str(err),
    )  # fmt: skip


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
            return Outcome("stopped", STOPPED_FOR_NEXT)
        return Outcome("failed", describe_failure(err))
    return Outcome("ready", detail)
