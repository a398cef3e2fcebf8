"""The preparation in words: a row per item for Models & data, a summary, and a tab's notice.

An item whose check found it damaged waits to be redone like a missing one; its row says
"damaged (will be rebuilt)" (or "... trained again") with the reason, never "ready". Every word
is a ``Text``, so the page shows it in its language; the API keeps the English.
"""

from __future__ import annotations

from models.core.i18n import Text, join
from models.prepare.background import Line, Preparation

ICONS = {"waiting": "⏳", "running": "⚙️", "ready": "✅", "failed": "❌", "skipped": "➖",
         "stopped": "⏹"}  # fmt: skip
DAMAGED_ICON = "⚠️"
STATES = {
    "waiting": Text("waiting", "대기 중"),
    "running": Text("running", "진행 중"),
    "ready": Text("ready", "준비됨"),
    "failed": Text("failed", "실패"),
    "skipped": Text("skipped", "건너뜀"),
    "stopped": Text("stopped", "중지됨"),
    "not started": Text("not started", "시작 전"),
}


def damage(line: Line) -> tuple[str, str] | None:
    """(state, reason) of a line whose check found it damaged and that waits to be redone."""
    if line.state != "waiting" or not line.detail.startswith("damaged ("):
        return None
    params = getattr(line.detail, "params", {})
    if {"state", "reason"} <= set(params):  # ``items.damaged`` keeps both parts apart
        return params["state"], params["reason"]
    state, _, reason = line.detail.partition(": ")
    return state, reason


def _minutes(seconds: float) -> Text:
    if seconds >= 60:
        return Text("~{m:.1f} min", "약 {m:.1f}분", m=seconds / 60)
    return Text("~{s:.0f} s", "약 {s:.0f}초", s=seconds)


def _progress(line: Line, wait_s: float) -> Text | str:
    if line.state == "running":
        done = f"{line.fraction:.0%} · " if line.fraction is not None else ""
        left = _minutes(line.remaining_s())
        return Text("{done}{left} left", "{done}{left} 남음", done=done, left=left)
    if line.state == "waiting":
        return Text("ready in {t}", "{t} 후 준비", t=_minutes(wait_s))
    return ""


def rows(preparation: Preparation) -> list[dict[str, str]]:
    """One row per item: what it is, its state, progress / ETA, and the detail or the reason."""
    lines = preparation.lines()
    active = preparation.running
    table, waited = [], 0.0
    for line in lines:
        waited += line.remaining_s()
        state = line.state if active or line.state != "waiting" else "not started"
        icon = ICONS.get(line.state, "")
        shown: Text | str = Text(
            "{icon} {state}", "{icon} {state}", icon=icon, state=STATES.get(state, state)
        )
        if not icon:
            shown = STATES.get(state, state)
        detail = line.detail
        if (damaged := damage(line)) is not None:
            shown = Text("{icon} {state}", "{icon} {state}", icon=DAMAGED_ICON, state=damaged[0])
            detail = damaged[1]
        table.append({
            "item": line.title,
            "state": shown,
            "progress": _progress(line, waited) if active else "",
            "detail": detail,
        })  # fmt: skip
    return table


def _titles(titles: list[str]) -> Text:
    return join(titles, ", ")


def summary(preparation: Preparation, enabled: bool) -> Text:
    """One sentence on where the whole preparation stands."""
    lines = preparation.lines()
    done = sum(line.state in ("ready", "skipped") for line in lines)
    failed = [line.title for line in lines if line.state == "failed"]
    tail: list[Text] = []
    if failed:
        tail.append(Text(
            " Failed: {items} (the reason is on its line; Prepare retries).",
            " 실패: {items} (이유는 해당 줄에 있습니다. 준비를 누르면 다시 시도합니다).",
            items=_titles(failed),
        ))  # fmt: skip
    broken = [line.title for line in lines if damage(line) is not None]
    if broken:
        tail.append(Text(
            " Damaged: {items} (the reason is on its line; Prepare redoes it).",
            " 손상됨: {items} (이유는 해당 줄에 있습니다. 준비를 누르면 다시 만듭니다).",
            items=_titles(broken),
        ))  # fmt: skip
    counts = {"done": done, "total": len(lines), "tail": join(tail)}
    if preparation.running:
        left = sum(line.remaining_s() for line in lines)
        return Text(
            "**Preparing in the background**: {done} of {total} ready, the rest in about "
            "{left}. Every tab works meanwhile; each model goes live when it is ready.{tail}",
            "**백그라운드에서 준비하는 중**: {total}개 중 {done}개 준비됨, 나머지는 {left} "
            "뒤에 끝납니다. 그동안에도 모든 탭을 쓸 수 있고, 각 모델은 준비되는 대로 바로 "
            "쓰입니다.{tail}",
            left=_minutes(left), **counts,
        )  # fmt: skip
    if done == len(lines):
        return Text(
            "**Everything the tabs need is prepared.**", "**탭에 필요한 것이 모두 준비되었습니다.**"
        )
    if not preparation.started_once and not enabled:
        return Text(
            "Start-up preparation is off (`PLAYGROUND_PREPARE=0`): {done} of {total} ready. "
            "**Prepare now** does the rest in the background.",
            "시작 준비가 꺼져 있습니다(`PLAYGROUND_PREPARE=0`): {total}개 중 {done}개 준비됨. "
            "**지금 준비**를 누르면 나머지를 백그라운드에서 준비합니다.",
            **counts,
        )
    return Text(
        "{done} of {total} ready.{tail} **Prepare now** does the rest.",
        "{total}개 중 {done}개 준비됨.{tail} **지금 준비**를 누르면 나머지를 준비합니다.",
        **counts,
    )


def notice(preparation: Preparation, key: str, meanwhile: str) -> Text | str:
    """A tab's short notice while ``key`` is waiting or running ("" when there is nothing to say).

    ``meanwhile``: what the tab uses until then (e.g. "zero-shot is used meanwhile"; a ``Text``
    shows in the page's language).
    """
    line = preparation.line(key)
    if line is None:
        return ""
    if preparation.running and line.state in ("waiting", "running"):
        when = _minutes(preparation.wait_s(key))
        if line.state == "running":
            return Text(
                "⏳ {title} is being prepared in the background (ready in {when}); {meanwhile}. "
                "It goes live by itself.",
                "⏳ {title}: 백그라운드에서 준비하는 중입니다({when} 후 준비). {meanwhile}. "
                "준비되면 바로 쓰입니다.",
                title=line.title, when=when, meanwhile=meanwhile,
            )  # fmt: skip
        return Text(
            "⏳ {title} is queued in the background (ready in {when}); {meanwhile}. "
            "It goes live by itself.",
            "⏳ {title}: 백그라운드 준비를 기다리는 중입니다({when} 후 준비). {meanwhile}. "
            "준비되면 바로 쓰입니다.",
            title=line.title, when=when, meanwhile=meanwhile,
        )  # fmt: skip
    if line.state == "failed":
        return Text(
            "⚠️ The background preparation could not do {title}: {detail}",
            "⚠️ 백그라운드 준비가 {title} 항목을 하지 못했습니다: {detail}",
            title=line.title, detail=line.detail,
        )  # fmt: skip
    if (damaged := damage(line)) is not None:
        return Text(
            "⚠️ {title} is {state}: {reason}; {meanwhile}.",
            "⚠️ {title}: {state}. 이유: {reason}. {meanwhile}.",
            title=line.title, state=damaged[0], reason=damaged[1], meanwhile=meanwhile,
        )  # fmt: skip
    return ""
