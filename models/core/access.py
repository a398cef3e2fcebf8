"""Who may do what on a public server (hosted mode), and what its messages may reveal.

Locally everyone is the operator. In hosted mode (``PLAYGROUND_HOSTED``, on by itself on Hugging
Face Spaces) anonymous users may use every demo and train runs of their own, but what changes
what everyone gets (a task's default, the preparation, the packaged conversions, deleting runs)
is for the operators named in ``PLAYGROUND_OPERATORS``, signed in. Typed local paths are refused
and messages name no server folder, so nobody learns which folders exist.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.core.errors import PlaygroundError
from models.core.i18n import Text
from models.core.settings import Settings, get_settings


class NotAllowed(PlaygroundError):
    """Something only this server's operators may do."""


@dataclass(frozen=True)
class Caller:
    """Who is asking: an opaque owner id for their runs and jobs, and whether they operate."""

    owner: str  # "browser:<id>" for a page, "session:<hash>" for an API client, "" for the CLI
    username: str | None = None
    operator: bool = True


def caller_for(
    session: str | None,
    username: str | None,
    settings: Settings | None = None,
    browser: str | None = None,
) -> Caller:
    """The caller of a request: an operator locally, or when hosted and signed in as one.

    Their runs and jobs belong to their browser when the page told us its id (so they survive a
    reload), else to the session (one page load, or one API client)."""
    settings = settings or get_settings()
    owner = f"browser:{browser}" if browser else f"session:{session}" if session else ""
    operators = {name.strip() for name in settings.operators.split(",") if name.strip()}
    operator = not settings.hosted or (username is not None and username in operators)
    return Caller(owner=owner, username=username, operator=operator)


# What callers name in English, as a Korean reader knows it (a caller may pass a ``Text``).
ACTIONS = {
    name: Text(name, korean)
    for name, korean in {
        "training a task's default model": "작업의 기본 모델 학습",
    }.items()
}


def require_operator(caller: Caller, action: str) -> None:
    """Refuse ``action`` (e.g. "training a task's default") to anyone but an operator."""
    if not caller.operator:
        raise NotAllowed(
            Text(
                "On this public server, {action} is for its operators, because it changes what "
                "every user gets. Train a run of your own in Fine-tuning: its models are yours "
                "to use in this session.",
                "이 공개 서버에서 {action} 기능은 운영자만 쓸 수 있습니다. 모든 사용자가 받는 "
                "결과가 바뀌기 때문입니다. 미세 조정 탭에서 직접 학습해 보세요. 그 모델은 이 "
                "세션에서 본인이 쓸 수 있습니다.",
                action=action if isinstance(action, Text) else ACTIONS.get(action, action),
            )
        )


def viewer(caller: Caller, settings: Settings | None = None) -> str | None:
    """Whose runs the caller may see and use: everyone's locally, else their own (and the
    operators', which have no owner)."""
    settings = settings or get_settings()
    return caller.owner if settings.hosted and not caller.operator else None


# A Hub id is "name" or "org/name"; anything else with a separator is a path on this server.
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")


def looks_like_path(ref: str) -> bool:
    """Whether a typed model reference names something on this server's disk rather than a Hub
    id, a packaged model or a keyword (``zero-shot-nli:<model>`` is judged by its model)."""
    ref = ref.strip()
    for prefix in ("zero-shot-nli:", "packaged:", "run:"):
        if ref.startswith(prefix):
            rest = ref.removeprefix(prefix)
            return looks_like_path(rest) if prefix == "zero-shot-nli:" else ".." in rest
    return not _HUB_ID.match(ref) or ".." in ref or Path(ref).exists()


def _inside(ref: str, folders: tuple[Path, ...]) -> bool:
    path = Path(ref.strip()).expanduser().resolve()
    return any(path.is_relative_to(folder.resolve()) for folder in folders)


def check_model_ref(
    ref: str, caller: Caller, settings: Settings | None = None, allowed: tuple[Path, ...] = ()
) -> None:
    """Refuse a typed server path on a public server, with the same sentence whether or not
    the folder exists (so the answer reveals nothing). The app's own model cache, and the
    ``allowed`` folders (e.g. the encoders tuned for a bank), hold no visitor's models."""
    settings = settings or get_settings()
    own = (settings.cache_dir, *allowed)
    if settings.hosted and not caller.operator and looks_like_path(ref) and not _inside(ref, own):
        raise NotAllowed(
            Text(
                "On this public server, choose a model by name: a Hugging Face Hub id, a "
                "packaged model, or one of your runs from the list, not a folder on the server.",
                "이 공개 서버에서는 모델을 이름으로 고르세요. Hugging Face Hub ID, 패키지에 포함된 "
                "모델, 목록에 있는 본인의 실행 결과 중 하나를 고를 수 있고, 서버의 폴더는 쓸 수 "
                "없습니다.",
            )
        )


_ABSOLUTE = re.compile(r"(?<![\w.~/>-])(?:/[\w.@+~-]+){2,}/?")


def public_message(text: str, settings: Settings | None = None) -> str:
    """``text`` as an anonymous user may read it: in hosted mode the server's folders become
    their role (``<runs>/…``), and other absolute paths their last part. A ``Text`` stays one
    (each language rendered, then cleaned)."""
    settings = settings or get_settings()
    if not settings.hosted or not text:
        return text
    if isinstance(text, Text):
        return Text(_public(text.in_lang("en"), settings), _public(text.in_lang("ko"), settings))
    return _public(text, settings)


def _public(text: str, settings: Settings) -> str:
    roots = {
        "<runs>": settings.runs_dir,
        "<cache>": settings.cache_dir,
        "<data>": settings.data_home,
        "<temp>": Path(tempfile.gettempdir()),
        "<home>": Path.home(),
    }
    for name, root in sorted(roots.items(), key=lambda kv: -len(str(kv[1]))):
        for form in {str(root), str(root.resolve())}:
            if len(form) > 1:
                text = text.replace(form, name)
    return _ABSOLUTE.sub(lambda m: "…/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def public_data(value: Any, settings: Settings | None = None) -> Any:
    """``value`` (an endpoint's JSON answer) with every string passed through ``public_message``."""
    settings = settings or get_settings()
    if not settings.hosted:
        return value
    if isinstance(value, str):
        return public_message(value, settings)
    if isinstance(value, dict):
        return {k: public_data(v, settings) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [public_data(v, settings) for v in value]
    return value
