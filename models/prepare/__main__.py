"""``python -m models.prepare``: prepare what the tabs need, in the foreground, with a progress bar.

Each item is checked first (ready ones are skipped, so a second run resumes what is missing),
then done in order; a failed item is reported and the next goes on. Exit status: 0 when every
item is ready or skipped, 1 when one failed, 2 for bad arguments, 130 when interrupted.

``--events`` prints one JSON object per line instead of a bar (the app's background preparation
reads them); SIGTERM then asks the running item to stop at its next step.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.settings import get_settings
from models.prepare.items import Context, Item, plan, select
from models.prepare.runner import Outcome, check_item, do_item
from models.prepare.wire import to_wire

MARKS = {"ready": "✓", "skipped": "–", "failed": "✗", "stopped": "■"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m models.prepare", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--only", nargs="+", metavar="ITEM", help="e.g. sentiment-ko nli")
    parser.add_argument(
        "--budget-minutes", type=float, help="each default's budget (PLAYGROUND_PREPARE_MINUTES)"
    )
    parser.add_argument("--list", action="store_true", help="show each item's state; do nothing")
    parser.add_argument("--events", action="store_true", help="JSON lines instead of a bar")
    parser.add_argument("--nice", type=int, default=0, help="run at this lower CPU priority")
    parser.add_argument("--parent", type=int, help="end when this process (the app) is gone")
    return parser.parse_args(argv)


def _emit(event: dict) -> None:
    print(json.dumps(event, ensure_ascii=False), flush=True)


def _run_with_bar(item: Item, context: Context) -> Outcome:
    from tqdm import tqdm

    with tqdm(total=100, desc=item.title, unit="%", bar_format="{desc}: {percentage:3.0f}%|{bar}| "
              "{postfix}", file=sys.stderr) as bar:  # fmt: skip

        def report(fraction: float | None, message: str, eta_s: float | None) -> None:
            if fraction is not None:
                bar.n = round(100 * fraction)
            left = f" · ~{eta_s / 60:.1f} min left" if eta_s is not None else ""
            bar.set_postfix_str(f"{message}{left}"[:80], refresh=True)

        context.report = report
        outcome = do_item(item, context)
        if outcome.state == "ready":
            bar.n = 100
            bar.refresh()
    return outcome


def _run_with_events(item: Item, context: Context) -> Outcome:
    def report(fraction: float | None, message: str, eta_s: float | None) -> None:
        _emit({"item": item.key, "state": "running", "fraction": fraction, "message": str(message),
               "message_i18n": to_wire(message), "eta_s": eta_s})  # fmt: skip

    context.report = report
    return do_item(item, context)


def _stop_with_parent(parent: int, stop: threading.Event, grace_s: float = 5.0) -> None:
    """A child of the app ends with it, even when the app was killed: stop at the next step,
    and exit for good after ``grace_s`` (safe at any moment: every write is atomic)."""
    while os.getppid() == parent and not stop.is_set():
        time.sleep(1.0)
    stop.set()
    time.sleep(grace_s)
    os._exit(3)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = get_settings()
    try:
        items = select(plan(), args.only)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.nice:
        os.nice(args.nice)  # background work: the server's requests come first
    budget = args.budget_minutes if args.budget_minutes is not None else settings.prepare_minutes
    stop = threading.Event()
    if args.events:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.parent:
        threading.Thread(target=_stop_with_parent, args=(args.parent, stop), daemon=True).start()

    failed = 0
    for item in items:
        state, detail = check_item(item, settings)
        if args.list and state == "missing":
            print(f"· {item.title}: missing ({item.key}).", flush=True)
            continue
        if state != "missing":
            outcome = Outcome(state, detail)
        else:
            context = Context(settings, budget, lambda *_: None, stop)
            started = time.perf_counter()
            try:
                run = _run_with_events if args.events else _run_with_bar
                outcome = run(item, context)
            except KeyboardInterrupt:
                print(f"\nInterrupted during {item.title}: what is ready stays ready, and "
                      "the next run resumes from here.", file=sys.stderr)  # fmt: skip
                return 130
            took = time.perf_counter() - started
            detail = Text("{d} [{s:.0f} s]", "{d} [{s:.0f}초]", d=outcome.detail, s=took)
            outcome = Outcome(outcome.state, detail if outcome.state == "ready" else outcome.detail)
        failed += outcome.state == "failed"
        if args.events:
            _emit({"item": item.key, "state": outcome.state, "detail": str(outcome.detail),
                   "detail_i18n": to_wire(outcome.detail)})  # fmt: skip
        else:
            mark = MARKS.get(outcome.state, "·")
            print(f"{mark} {item.title}: {outcome.state}. {outcome.detail}".rstrip(), flush=True)
        if stop.is_set():
            return 3
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
