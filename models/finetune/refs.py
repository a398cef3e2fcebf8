"""Saved models named by run, not by server path: ``run:<run id>/<method folder>``.

The Classification tab offers a run's checkpoints under these names, so no server folder reaches
the page, and every model a request names is checked here before it is loaded: a run is used only
by whoever may see it (hosted: its owner and the operators), and a typed server path only by an
operator. The resolver turns a run reference into its folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from models.classify.loaders import NLI_PREFIX
from models.core.access import Caller, check_model_ref, viewer
from models.core.errors import ModelUnavailable
from models.core.settings import Settings, get_settings
from models.finetune.runs import load_record, visible_to
from models.sources.resolver import RUN_PREFIX

_RUN_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}(/[A-Za-z0-9][A-Za-z0-9._-]{0,119})+$")


def run_ref(path: str | Path, settings: Settings | None = None) -> str:
    """``run:<run id>/<folder>`` for a checkpoint folder inside the runs folder (else the path)."""
    root = (settings or get_settings()).runs_dir
    try:
        relative = Path(path).resolve().relative_to(root.resolve())
    except ValueError:
        return str(path)
    return RUN_PREFIX + relative.as_posix()


def usable_model(ref: str, who: Caller, settings: Settings | None = None) -> str:
    """``ref`` if ``who`` may use it, else ModelUnavailable / NotAllowed in one sentence.

    A run another visitor owns reads "no such run", as a missing one does.
    """
    settings = settings or get_settings()
    inner = ref.removeprefix(NLI_PREFIX)
    if not inner.startswith(RUN_PREFIX):
        check_model_ref(ref, who, settings)
        return ref
    relative = inner.removeprefix(RUN_PREFIX)
    missing = ModelUnavailable(f"There is no saved model '{inner[:80]}'. Refresh the list.")
    if not _RUN_REF.match(relative) or ".." in relative.split("/"):
        raise missing
    try:
        record = load_record(str(settings.runs_dir / relative.split("/", 1)[0]), settings)
    except (OSError, ValueError, TypeError) as err:
        raise missing from err
    if not visible_to(record, viewer(who, settings)):
        raise missing
    return ref
