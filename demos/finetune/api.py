"""The Fine-tuning tab's named API endpoints: ``/finetune`` (train) and ``/finetune_run`` (show)."""

from __future__ import annotations

from models.core.errors import PlaygroundError
from models.finetune.config import FinetuneConfig
from models.finetune.jobs import start_run
from models.finetune.runs import RunRecord, load_record


def finetune_api(config: dict) -> dict:
    """Train like the tab does; blocks until done. For programs (the CLI is the other way).

    Args:
        config: FinetuneConfig fields, e.g. {"dataset": "snips", "methods": ["lora", "head"],
            "train_size": 500, "learning_rates": {"lora": 0.002}}.

    Returns:
        The run record (per method: trainable_params, wall_s, eval_accuracy, ...), or
        {"error": message} for settings that cannot work or when the server is busy training.
    """
    unknown = set(config) - set(FinetuneConfig().to_dict())
    if unknown:
        return {"error": f"Unknown settings: {', '.join(sorted(unknown))}."}
    if config.get("dataset") == "upload":
        return {"error": "Uploads train from the tab or the command line, not through the API."}
    try:
        job = start_run(FinetuneConfig.from_dict(config))
    except (PlaygroundError, TypeError, ValueError) as err:
        return {"error": str(err)}
    job.wait()
    if job.error:
        return {"error": job.error}
    return job.result.as_dict()


def read_run(run_id: str | None) -> RunRecord:
    """A past run's record by id or folder (raises PlaygroundError with the reason)."""
    if not run_id:
        raise PlaygroundError("Choose a past run first.")
    try:
        return load_record(run_id)
    except (OSError, ValueError) as err:
        raise PlaygroundError(f"Could not read run {run_id}: {err}") from err
