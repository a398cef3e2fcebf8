"""A placeholder for a tab whose issue has not landed yet."""

from __future__ import annotations

import gradio as gr


def create_coming_soon_tab(title: str, what: str) -> None:
    """Say what the tab will do, so nobody mistakes an empty tab for a broken one."""
    gr.Markdown(f"### {title} — coming soon\n\n{what}")
