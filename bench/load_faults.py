"""Safe to host: many visitors while a run trains, then the faults a public server meets.

``load``: ``python app.py`` in hosted mode (``PLAYGROUND_HOSTED=1``) on fresh runs and cache
folders (the converted models copied in, so one can be damaged). A ``/finetune`` run trains while
20 gradio_client users send 20 mixed requests each (``/classify`` in three tasks, ``/rank``,
``/generate`` on the local model, ``/evaluate`` on 50 rows) and a poller times the page itself.
Then the faults, each checked for what a visitor sees: an anonymous visitor's "train the default"
(the private event, posted raw), hostile arguments, a past run asked for by a path, a cancelled
``/finetune`` (is the slot free again?), ``/stop``, a truncated converted model, and ``kill -9``
mid-run followed by a restart. Prints served, errors (target 0), p50 / p95 per endpoint, page
latency, the server's peak RSS, and each fault's outcome (held: 1, not held: 0).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.common import Result, bench_env, benchmark, free_port, peak_rss_mb, start_and_wait
from bench.http import call_api, call_event, event_of, outputs

USERS = 20
REQUESTS_PER_USER = 20
RUN = {"dataset": "snips", "methods": ["head", "lora"], "train_size": 600, "eval_size": 100,
       "epochs": 1.0, "max_length": 32}  # fmt: skip
SHORT_RUN = {**RUN, "methods": ["lora"], "train_size": 2000, "epochs": 3.0}
LOG = Path(tempfile.gettempdir()) / "playground-load-server.log"  # the servers' stderr
TRACEBACK_MARKS = ("Traceback", 'File "', "not supported between", "upstream Gradio app")


def _requests(user: int) -> list[tuple[str, dict]]:
    """A visitor's mixed requests (the same mix for every run of the benchmark)."""
    mix = [
        ("/classify", {"text": "이 영화 정말 재밌어요", "task": "sentiment"}),
        ("/classify", {"text": "What a waste of two hours.", "task": "sentiment"}),
        ("/classify", {"text": "play some jazz in the kitchen", "task": "intent"}),
        ("/classify", {"text": "남자가 달린다", "task": "nli", "text_pair": "사람이 움직인다"}),
        ("/rank", {"query": "오늘 너무 피곤해"}),
        ("/rank", {"query": "배고파"}),
        ("/generate", {"text": "Say hello in Korean.", "max_new_tokens": 8}),
        ("/evaluate", {"task": "intent", "dataset": "snips", "split": "validation", "limit": 50}),
    ]  # fmt: skip
    return [mix[(user + i) % len(mix)] for i in range(REQUESTS_PER_USER)]


def _visitor(url: str, user: int, times: dict, errors: list, lock: threading.Lock) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False)
    for endpoint, kwargs in _requests(user):
        started = time.perf_counter()
        try:
            answer = client.predict(api_name=endpoint, **kwargs)
            failed = isinstance(answer, dict) and "error" in answer
            why = str(answer.get("error")) if failed else ""
        except Exception as err:  # a transport error or a Gradio error: both count
            failed, why = True, f"{type(err).__name__}: {err}"
        with lock:
            times[endpoint].append(time.perf_counter() - started)
            if failed:
                errors.append(f"{endpoint}({kwargs}): {why[:160]}")
                continue


def _page_times(url: str, stop: threading.Event, times: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        times.append(time.perf_counter() - started)
        stop.wait(0.5)


def _quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values) or [float("nan")]
    return ordered[len(ordered) // 2], ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)]


def _clean(answer: object) -> bool:
    """A refusal a visitor can read: one message, no Python internals."""
    text = json.dumps(answer, ensure_ascii=False)
    return "error" in text and not any(mark in text for mark in TRACEBACK_MARKS)


def _folders(root: Path) -> dict[str, str]:
    """Fresh runs and cache folders; the converted models copied so they can be damaged."""
    from models.core.settings import get_settings

    cache = root / "cache"
    for part in ("models", "rank"):  # the answer index too: the load measures serving, not a build
        shutil.copytree(get_settings().cache_dir / part, cache / part, symlinks=True)
    return {"PLAYGROUND_RUNS": str(root / "runs"), "PLAYGROUND_CACHE": str(cache),
            "PLAYGROUND_PREPARE": "0", "PLAYGROUND_HOSTED": "1"}  # fmt: skip


def _serve(env: dict[str, str]):
    from gradio_client import Client

    port = free_port()
    process, _ = start_and_wait(["app.py", "--port", str(port)], port, env, log=LOG)
    url = f"http://127.0.0.1:{port}/"
    return process, url, Client(url, verbose=False, analytics_enabled=False)


@benchmark("load")
def load(repeat: int = 1) -> Iterator[Result]:
    LOG.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(**_folders(Path(tmp)))
        process, url, client = _serve(env)
        try:
            yield from _under_load(url, client, process.pid)
            yield from _faults(url, client)
        finally:
            process.terminate()
            process.wait(30)
        yield from _killed_mid_run(env)
        yield from _damaged_on_disk(env)


def _warm_up(client) -> Iterator[Result]:
    """One call per endpoint before the visitors: the first builds the answer index and loads
    each model (reported here), so the load measures serving."""
    for endpoint, kwargs in _requests(0)[:8]:
        started = time.perf_counter()
        client.predict(api_name=endpoint, **kwargs)
        what = kwargs.get("task", kwargs.get("query", ""))
        yield Result(f"  first {endpoint} {what}", "s", time.perf_counter() - started)


def _under_load(url: str, client, pid: int) -> Iterator[Result]:
    yield from _warm_up(client)
    run = client.submit(RUN, api_name="/finetune")
    time.sleep(5)  # the run holds the slot and trains while the visitors arrive
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    page: list[float] = []
    stop = threading.Event()
    poller = threading.Thread(target=_page_times, args=(url, stop, page), daemon=True)
    poller.start()
    visitors = [
        threading.Thread(target=_visitor, args=(url, u, times, errors, lock), daemon=True)
        for u in range(USERS)
    ]
    started = time.perf_counter()
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    elapsed = time.perf_counter() - started
    stop.set()
    record = run.result()
    served = sum(len(v) for v in times.values())
    trained = "error" not in record and record.get("status") in ("done", "stopped")
    yield Result(
        f"{USERS} users x {REQUESTS_PER_USER} mixed requests during a run: served", "requests",
        served, notes=f"in {elapsed:.0f} s; the run {'trained' if trained else 'FAILED'}: "
        f"{record.get('status', record.get('error'))}",
    )  # fmt: skip
    where = f" (tracebacks: {LOG})" if errors else ""
    yield Result("  errors", "requests", len(errors), target="0", met=not errors,
                 notes="; ".join(errors[:3]) + where)  # fmt: skip
    for endpoint, values in sorted(times.items()):
        p50, p95 = _quantiles(values)
        yield Result(f"  {endpoint} p50", "s", p50, notes=f"p95 {p95:.2f} s, {len(values)} calls")
    p50, p95 = _quantiles(page)
    yield Result("  page (GET /) p50 under load", "s", p50, notes=f"p95 {p95:.3f} s")
    yield Result("  server peak RSS", "MB", peak_rss_mb(pid))


def _fault(name: str, check: Callable[[], tuple[bool, str]]) -> Result:
    try:
        held, detail = check()
    except Exception as err:  # the benchmark reports a fault that was not held; it never dies
        held, detail = False, f"{type(err).__name__}: {err}"
    return Result(f"fault: {name}", "held", float(held), target="1", met=held, notes=detail[:200])


def _faults(url: str, client) -> Iterator[Result]:
    def anonymous_default() -> tuple[bool, str]:
        fn, trigger = event_of(url, "cls-train-default")
        message = call_event(url, fn, ["sentiment", "sentiment-en", 0.2], trigger)
        status = str(outputs(message)[:1])
        defaults = client.predict(api_name="/models_overview")
        return "operators" in status, f"answer {status[:120]}; overview {str(defaults)[:60]}"

    def hostile() -> tuple[bool, str]:
        answers = [
            client.predict(text="\x00", task="sentiment", api_name="/classify"),
            # Raw JSON, every argument given: httpx will not send a lone surrogate.
            call_api(url, "classify", ["\ud800", "sentiment", "", "auto", ""]),
            call_api(url, "evaluate", ["intent", "snips", "test", "auto", [3]]),
            call_api(
                url,
                "generate",
                [{"text": 1}, "zero-shot", "local", "", "", "", 0.7, 0.95, 8, 1.1, None, 0],
            ),
            client.predict(
                text="x",
                task="intent",
                labels=",".join(map(str, range(2000))),
                model="zero-shot",
                api_name="/classify",
            ),
            client.predict(task="intent", dataset="snips", limit=10**9, api_name="/evaluate"),
            client.predict(query="hi", top_k=[3], api_name="/rank"),
            client.predict(
                config={"lora": {"rank": 4096}, "methods": ["lora"]}, api_name="/finetune"
            ),
        ]
        return all(_clean(a) for a in answers), " | ".join(str(a)[:60] for a in answers)

    def path_for_a_run() -> tuple[bool, str]:
        status = str(client.predict("../../../etc", api_name="/finetune_run")[0])
        return "run id" in status, status[:160]

    def cancelled() -> tuple[bool, str]:
        job = client.submit(SHORT_RUN, api_name="/finetune")
        time.sleep(8)
        job.cancel()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = client.predict(config={**RUN, "methods": ["head"]}, api_name="/finetune")
            if "error" not in answer:
                return True, f"slot free {60 - (deadline - time.monotonic()):.0f} s after cancel"
            time.sleep(2)
        return False, f"still busy: {answer.get('error', '')[:120]}"

    def stopped() -> tuple[bool, str]:
        job = client.submit(SHORT_RUN, api_name="/finetune")
        time.sleep(8)
        answer = client.predict(api_name="/stop")
        record = job.result(timeout=120)
        return answer.get("stopping") and record.get("status") == "stopped", str(answer)[:120]

    checks = {
        "anonymous 'train the default' (raw private event)": anonymous_default,
        "hostile arguments": hostile,
        "a past run asked by path": path_for_a_run,
        "cancelled /finetune frees the slot": cancelled,
        "/stop stops the caller's run": stopped,
    }
    for name, check in checks.items():
        yield _fault(name, check)


def _killed_mid_run(env: dict[str, str]) -> Iterator[Result]:
    def check() -> tuple[bool, str]:
        process, _, client = _serve(env)
        job = client.submit({**SHORT_RUN, "methods": ["head", "lora"]}, api_name="/finetune")
        runs = Path(env["PLAYGROUND_RUNS"])
        deadline = time.monotonic() + 120
        record: dict = {}
        # Killed once the first method finished: it must be kept, the second flagged.
        while time.monotonic() < deadline and not any(
            m["status"] == "done" for m in record.get("methods", [])
        ):
            time.sleep(1)
            newest = sorted(runs.glob("*/record.json"))
            record = json.loads(newest[-1].read_text()) if newest else {}
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        del job
        process, _, client = _serve(env)
        try:
            run_id = record.get("run_id", "")
            shown = json.loads(next(runs.glob(f"{run_id}/record.json")).read_text())
            return shown[
                "status"
            ] == "interrupted", f"after restart: {shown['status']}, " + ", ".join(
                f"{m['method']} {m['status']}" for m in shown["methods"]
            )
        finally:
            process.terminate()
            process.wait(30)

    yield _fault("kill -9 mid-run, then restart", check)


def _damaged_on_disk(env: dict[str, str]) -> Iterator[Result]:
    """A converted model cut short while the server was down (a full disk, a broken copy)."""

    def check() -> tuple[bool, str]:
        weights = next(
            Path(env["PLAYGROUND_CACHE"]).glob("models/multilingual-e5*/model.safetensors")
        )
        with open(weights, "r+b") as file:
            file.truncate(weights.stat().st_size // 3)
        process, _, client = _serve(env)
        try:
            lines = client.predict(api_name="/preparation")["items"]
            seen = next(i for i in lines if "e5" in i["key"])
            answer = client.predict(text="배우들 연기가 최고", task="sentiment", model="zero-shot",
                                    api_name="/classify")  # fmt: skip
            after = next(i for i in client.predict(api_name="/preparation")["items"]
                         if "e5" in i["key"])  # fmt: skip
        finally:
            process.terminate()
            process.wait(30)
        held = "damaged" in seen["state"] + seen["detail"] and "label" in answer
        return held, (f"before: {seen['state']}: {seen['detail'][:70]}; classify: "
                      f"{answer.get('label', answer)}; after: {after['state']}")  # fmt: skip

    yield _fault("converted model truncated on disk, then a restart", check)
