"""The preparation in words: a row per item for Models & data, a summary, and a tab's notice.

An item whose check found it damaged waits to be redone like a missing one; its row says
"damaged (will be rebuilt)" (or "... trained again") with the reason, never "ready".
"""

from __future__ import annotations

from models.prepare.background import Line, Preparation

ICONS = {"waiting": "⏳", "running": "⚙️", "ready": "✅", "failed": "❌", "skipped": "➖",
         "stopped": "⏹"}  # fmt: skip
DAMAGED_ICON = "⚠️"


def damage(line: Line) -> tuple[str, str] | None:
    """(state, reason) of a line whose check found it damaged and that waits to be redone."""
    if line.state != "waiting" or not line.detail.startswith("damaged ("):
        return None
    state, _, reason = line.detail.partition(": ")
    return state, reason


def _minutes(seconds: float) -> str:
    return f"~{seconds / 60:.1f} min" if seconds >= 60 else f"~{seconds:.0f} s"


def _progress(line: Line, wait_s: float) -> str:
    if line.state == "running":
        done = f"{line.fraction:.0%} · " if line.fraction is not None else ""
        return f"{done}{_minutes(line.remaining_s())} left"
    if line.state == "waiting":
        return f"ready in {_minutes(wait_s)}"
    return ""


def rows(preparation: Preparation) -> list[dict[str, str]]:
    """One row per item: what it is, its state, progress / ETA, and the detail or the reason."""
    lines = preparation.lines()
    active = preparation.running
    table, waited = [], 0.0
    for line in lines:
        waited += line.remaining_s()
        state = line.state if active or line.state != "waiting" else "not started"
        state, detail = f"{ICONS.get(line.state, '')} {state}".strip(), line.detail
        if (damaged := damage(line)) is not None:
            state, detail = f"{DAMAGED_ICON} {damaged[0]}", damaged[1]
        table.append({
            "item": line.title,
            "state": state,
            "progress": _progress(line, waited) if active else "",
            "detail": detail,
        })  # fmt: skip
    return table


def summary(preparation: Preparation, enabled: bool) -> str:
    """One sentence on where the whole preparation stands."""
    lines = preparation.lines()
    done = sum(line.state in ("ready", "skipped") for line in lines)
    failed = [line.title for line in lines if line.state == "failed"]
    tail = (
        f" Failed: {', '.join(failed)} (the reason is on its line; Prepare retries)."
        if failed
        else ""
    )
    broken = [line.title for line in lines if damage(line) is not None]
    if broken:
        tail += f" Damaged: {', '.join(broken)} (the reason is on its line; Prepare redoes it)."
    if preparation.running:
        left = sum(line.remaining_s() for line in lines)
        return (
            f"**Preparing in the background**: {done} of {len(lines)} ready, the rest in about "
            f"{_minutes(left)}. Every tab works meanwhile; each model goes live when it is ready."
            + tail
        )
    if done == len(lines):
        return "**Everything the tabs need is prepared.**"
    if not preparation.started_once and not enabled:
        return (
            f"Start-up preparation is off (`PLAYGROUND_PREPARE=0`): {done} of {len(lines)} "
            "ready. **Prepare now** does the rest in the background."
        )
    return f"{done} of {len(lines)} ready.{tail} **Prepare now** does the rest."


def notice(preparation: Preparation, key: str, meanwhile: str) -> str:
    """A tab's short notice while ``key`` is waiting or running ("" when there is nothing to say).

    ``meanwhile``: what the tab uses until then (e.g. "zero-shot is used meanwhile").
    """
    line = preparation.line(key)
    if line is None:
        return ""
    if preparation.running and line.state in ("waiting", "running"):
        doing = "being prepared" if line.state == "running" else "queued"
        return (
            f"⏳ {line.title} is {doing} in the background (ready in "
            f"{_minutes(preparation.wait_s(key))}); {meanwhile}. It goes live by itself."
        )
    if line.state == "failed":
        return f"⚠️ The background preparation could not do {line.title}: {line.detail}"
    if (damaged := damage(line)) is not None:
        return f"⚠️ {line.title} is {damaged[0]}: {damaged[1]}; {meanwhile}."
    return ""
