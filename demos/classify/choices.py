"""What the Classification tab offers to choose, and what it says about the choice (plain data)."""

from __future__ import annotations

from models.classify.loaders import AUTO, NLI_PREFIX, ZERO_SHOT
from models.core.settings import get_settings
from models.finetune.methods import METHODS
from models.finetune.refs import run_ref
from models.finetune.runs import saved_classifiers
from models.prepare.background import get_preparation
from models.prepare.status import notice
from models.sources.task_models import choose_model, model_keys, task_models

# Runs whose checkpoint is a transformers classifier, so it can judge entailment for zero-shot.
ENTAILMENT_METHODS = {name for name, method in METHODS.items() if method.trainer}
TRAIN_HINT = "Press *Train the default model* to train one offline (about 3 minutes)."


def saved_label(saved: dict) -> str:
    """A saved checkpoint's entry: run, method, data, accuracy, and how its run ended."""
    accuracy = f", acc {saved['accuracy']:.3f}" if saved["accuracy"] is not None else ""
    stopped = " · stopped early" if saved["status"] == "stopped" else ""
    # A member of a run the server lost mid-way is whole, but its run's comparison is not.
    interrupted = " (from an interrupted run)" if saved.get("interrupted") else ""
    return (
        f"run {saved['run_id']} · {saved['method']} · {saved['dataset']}{accuracy}{stopped}"
        f"{interrupted}"
    )


def page_viewer() -> str | None:
    """Whose runs a page lists before it knows its visitor: everyone's locally; on a public
    server the operators' only (each visitor's own are added when their page loads)."""
    return "" if get_settings().hosted else None


def model_choices(task: str, viewer: str | None = None) -> list[tuple[str, str]]:
    """Dropdown entries: auto, zero-shot, this app's runs for the task, Hub defaults.

    ``viewer``: None lists every saved run (local use); else a session id, which sees the
    operator's runs and its own.
    """
    choices = [("auto: the task's default", AUTO), ("zero-shot: embedding similarity", ZERO_SHOT)]
    nli_runs = []
    for saved in saved_classifiers(viewer=viewer):
        label, ref = saved_label(saved), run_ref(saved["path"])  # a name, not a server path
        if saved["task"] == task:
            choices.append((label, ref))
        if saved["task"] == "nli" and task != "nli" and saved["method"] in ENTAILMENT_METHODS:
            nli_runs.append((f"zero-shot by entailment with {label}", NLI_PREFIX + ref))
    entries = task_models()
    # Offline, Hub models stay listed (the settings file names them) but say what they need.
    needs = " (needs the Hub: offline now)" if get_settings().hub_offline else ""
    for key in model_keys(task):
        if entries[key].hub:
            choices.append((f"Hub: {entries[key].hub}{needs}", entries[key].hub))
    if task != "nli":
        choices.extend(nli_runs)
        for key in model_keys("nli"):
            if hub := entries[key].hub:
                choices.append((f"zero-shot by entailment with {hub}{needs}", NLI_PREFIX + hub))
    return choices


def model_status(task: str, model: str) -> str:
    """What will classify, where it comes from, and whether a trained default exists."""
    if model != AUTO:
        return f"Model: `{model}`."
    lines = []
    for key in model_keys(task):
        choice = choose_model(key)
        if choice.mode == "zero-shot":
            preparing = notice(get_preparation(), f"default:{key}", "zero-shot is used meanwhile")
            if preparing.startswith("⏳"):
                lines.append(f"{preparing} Zero-shot model: `{choice.ref}` ({choice.where}).")
                continue
            lines.append(
                f"**No trained model for {choice.title} yet**: zero-shot is used meanwhile, "
                f"with `{choice.ref}` ({choice.where}). {TRAIN_HINT} {preparing}".rstrip()
            )
        elif choice.mode == "unavailable":
            lines.append(
                f"**No trained model for {choice.title} yet**, and its zero-shot model "
                f"`{choice.ref}` cannot be loaded: {choice.where} {TRAIN_HINT}"
            )
        else:
            lines.append(f"**{choice.title}**: `{choice.ref}` ({choice.mode}; {choice.where}).")
    return "\n\n".join(lines)


def default_choices(task: str) -> list[tuple[str, str]]:
    """The defaults a task can train (sentiment: Korean and English), named with their data."""
    entries = task_models()
    return [(f"{entries[k].title}: {entries[k].dataset}", k) for k in model_keys(task)]


def is_zero_shot_choice(model: str) -> bool:
    """Whether the chosen model takes typed labels (zero-shot by embeddings or entailment)."""
    return model == ZERO_SHOT or (model or "").startswith(NLI_PREFIX)
