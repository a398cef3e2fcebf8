"""NLP demo playground: one Gradio app, a tab per demo, Korean and English.

Run ``python app.py [--host H] [--port P] [--share]``. Importing this module builds nothing:
``create_app()`` assembles the page, and the module-level ``demo`` is created on first access
(Hugging Face Spaces and ``gradio app.py`` look for it).
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

TITLE = "NLP playground"


def create_app() -> gr.Blocks:
    """Assemble the tabs into one page. Builds UI only: no model is loaded here."""
    # Imported here, not at the top: gradio (which every tab imports) takes seconds, and
    # `import app` must stay free of side effects.
    import gradio as gr

    from demos.classify import create_classification_tab
    from demos.explain import create_how_it_works
    from demos.finetune import create_finetune_tab
    from demos.generate import create_generate_tab
    from demos.i18n import create_language_switch, wire_language
    from demos.overview import create_overview_tab
    from demos.rank import create_rank_tab
    from demos.texts import INTRO, TAB_NAMES

    # Uploads live in Gradio's cache: files older than an hour are deleted every 15 minutes, so
    # a public server's disk does not fill with them (each is read once, when it is chosen).
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=UPLOAD_LIFETIME) as app:
        with gr.Row(equal_height=True):
            gr.Markdown(INTRO, elem_id="intro", scale=5)
            language = create_language_switch()
        builders = {
            "classification": create_classification_tab,
            "generation": create_generate_tab,
            "ranking": create_rank_tab,
            "finetune": create_finetune_tab,
            "models": create_overview_tab,
        }
        with gr.Tabs():
            for tab_id, build in builders.items():
                with gr.Tab(TAB_NAMES[tab_id], id=tab_id, elem_id=f"tab-{tab_id}"):
                    build(app)
                    create_how_it_works(tab_id)
        # Last: it collects every text the tabs built, and runs their page-load events.
        wire_language(app, language)
    return app


UPLOAD_LIFETIME = (900, 3600)  # (check every s, delete files older than s)

_demo: gr.Blocks | None = None


def __getattr__(name: str) -> object:
    # `demo` is built on first access, so `import app` stays free of side effects.
    global _demo
    if name == "demo":
        if _demo is None:
            _demo = create_app()
        return _demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument(
        "--host",
        default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        help="interface to listen on (default: $GRADIO_SERVER_NAME or 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        help="port (default: $GRADIO_SERVER_PORT or 7860)",
    )
    parser.add_argument("--share", action="store_true", help="create a public gradio.live link")
    return parser.parse_args(argv)


def launch_options() -> dict:
    """What every launch of the app shares: the upload size limit (``PLAYGROUND_MAX_UPLOAD_MB``)."""
    from models.core.settings import get_settings

    return {"max_file_size": f"{get_settings().max_upload_mb:g}mb"}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Runs a crash or a kill left "running" are marked interrupted before anyone lists them.
    from models.finetune.runs import recover_interrupted_runs

    recover_interrupted_runs()
    app = __getattr__("demo")
    # Client-side rendering (Gradio's server-side rendering is on by default on Spaces): the
    # language switch sets Gradio's locale through the module the page loaded, as tested here.
    app.queue(default_concurrency_limit=2).launch(
        server_name=args.host, server_port=args.port, share=args.share, prevent_thread_lock=True,
        ssr_mode=False, **launch_options(),
    )  # fmt: skip
    # Once the page is served: prepare what the tabs still miss, in the background
    # (PLAYGROUND_PREPARE=0 turns it off; Models & data shows each item).
    from models.prepare.background import start_preparation

    start_preparation()
    app.block_thread()


if __name__ == "__main__":
    main()
