"""The Fine-tuning tab's named API endpoints: ``/finetune`` (train), ``/stop`` (stop your run)
and ``/finetune_run`` (show a past run by its id)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import gradio as gr

from demos.access import caller
from demos.safety import api_guard
from models.core.access import Caller, check_model_ref, viewer
from models.core.errors import PlaygroundError
from models.core.i18n import Text, localize
from models.core.jobs import Job, stop_owned
from models.core.settings import get_settings
from models.finetune.config import FinetuneConfig
from models.finetune.jobs import start_run
from models.finetune.runs import RunRecord, load_record, run_folder, visible_to

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
POLL_S = 2.0


def start_for(config: FinetuneConfig, who: Caller) -> Job:
    """Start ``config`` for ``who``: their run, stoppable by them, within the server's limits."""
    check_model_ref(config.base, who)
    return start_run(config, owner=who.owner)


def _progress(job: Job) -> dict:
    snapshot = job.snapshot()  # the time left smoothed, as the tab shows it
    methods = {
        name: {k: entry.get(k) for k in ("status", "step", "total_steps")}
        for name, entry in snapshot["methods"].items()
    }
    return {"running": True, "phase": str(snapshot["phase"]), "eta_s": snapshot["eta_s"],
            "methods": methods}  # fmt: skip


@api_guard
def finetune_api(config: dict, request: gr.Request) -> Iterator[dict]:
    """Train like the tab does. Streams progress and ends with the run record; `predict` returns
    that record. Cancelling the call (or `/stop` from the same client) stops the run; what
    finished is kept.

    Args:
        config: FinetuneConfig fields, e.g. {"dataset": "snips", "methods": ["lora", "head"],
            "train_size": 500, "learning_rates": {"lora": 0.002}}.

    Returns:
        The run record (per method: trainable_params, wall_s, eval_accuracy, ...), or
        {"error": message} for settings that cannot work or when the server is busy training.
    """
    who = caller(request)
    try:
        parsed = FinetuneConfig.from_dict(config)
        if parsed.dataset == "upload":
            raise PlaygroundError(
                Text(
                    "Uploads train from the tab or the command line, not through the API.",
                    "업로드 파일은 API가 아니라 탭이나 명령줄에서 학습합니다.",
                )
            )
        job = start_for(parsed, who)
    except PlaygroundError as err:
        yield {"error": str(err)}
        return
    try:
        while job.running:
            job.wait(POLL_S)
            if job.running:
                yield _progress(job)
    finally:
        if job.running:  # the caller cancelled or went away: nobody waits for this run
            job.stop()
    if job.error:
        yield {"error": str(job.error)}
        return
    record = localize(job.result.as_dict(), "en")  # plain JSON: messages in English
    if get_settings().hosted:  # which process trained it is the server's business
        record = {k: v for k, v in record.items() if k not in ("pid", "host", "pid_started")}
    yield record


@api_guard
def stop_api(request: gr.Request) -> dict:
    """Stop the run this client started (after its current step; finished methods are kept).

    Returns:
        {"stopping": true, "run": what it was} or {"stopping": false, "message": why not}.
    """
    job = stop_owned(caller(request).owner)
    if job is None:
        return {"stopping": False, "message": "Nothing of yours is training."}
    return {"stopping": True, "run": job.description}


def read_run(run_id: object, who: Caller | None = None) -> RunRecord:
    """A past run's record by its id (raises PlaygroundError with the reason).

    Only ids are read, only inside the runs folder. On a public server a caller sees their own
    runs and the operators'; another user's run is "not found", as a missing one is.
    """
    if not run_id:
        raise PlaygroundError(Text("Choose a past run first.", "먼저 지난 학습을 고르세요."))
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise PlaygroundError(
            Text(
                "A run id is letters, digits, '.', '-' and '_' (see Past runs).",
                "학습 ID는 영문자, 숫자, '.', '-', '_'로 됩니다(지난 학습 참고).",
            )
        )
    not_found = PlaygroundError(
        Text(
            "There is no past run '{id}'. Refresh Past runs.",
            "지난 학습 '{id}'이(가) 없습니다. 지난 학습을 새로 고치세요.",
            id=run_id,
        )
    )
    try:
        record = load_record(str(run_folder(run_id)))
    except (OSError, ValueError, TypeError) as err:
        raise not_found from err
    if who is not None and not visible_to(record, viewer(who)):
        raise not_found
    return record
