"""The Generation tab (its issue is next): for now, what it will do."""

from __future__ import annotations

from demos.widgets import coming_soon


def create_generate_tab() -> None:
    coming_soon(
        "Prompt-engineered generation",
        "Zero-/few-shot, chain of thought, role and translation prompts on a local model or an "
        "OpenAI-compatible API, streamed side by side with latency and tokens.",
    )
