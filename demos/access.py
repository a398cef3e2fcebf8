"""The caller of a Gradio event: their session (whose runs and jobs are theirs) and whether they
operate this server (``models.core.access`` holds the rules; this reads them off the request)."""

from __future__ import annotations

import logging

import gradio as gr

from demos.browser import browser_of
from models.core.access import Caller, caller_for


def _signed_in_name(request: gr.Request) -> str | None:
    """Gradio auth's user name, else the Hugging Face sign-in's (Spaces with ``hf_oauth``)."""
    if request.username:
        return str(request.username)
    try:
        info = request.session.get("oauth_info") or {}
        return info.get("userinfo", {}).get("preferred_username")
    except Exception:  # no session middleware, or a sign-in we cannot read: nobody signed in
        logging.getLogger(__name__).debug("no Hugging Face sign-in", exc_info=True)
        return None


def caller(request: gr.Request | None) -> Caller:
    """Who sent ``request``. None (a direct call from a script) is the operator locally and
    anonymous in hosted mode."""
    if request is None:
        return caller_for(None, None)
    return caller_for(request.session_hash, _signed_in_name(request), browser=browser_of(request))
