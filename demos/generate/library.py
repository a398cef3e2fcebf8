"""The session's own techniques: save column A's edited template under a name, download them as
a TOML file, upload a TOML / JSON file of techniques. They live in this browser session only."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from demos.generate.column import Column
from demos.generate.run import edited_technique
from models.core import inputs
from models.core.errors import PlaygroundError
from models.generate.techniques import (
    MAX_TECHNIQUES,
    Technique,
    TemplateError,
    dump_techniques,
    load_techniques,
    parse_techniques,
)

MAX_FILE_BYTES = 256 * 1024


def _choices(own: dict[str, Technique]) -> list[tuple[str, str]]:
    everything = {**load_techniques(), **own}
    return [(t.title + (" (mine)" if k in own else ""), k) for k, t in everything.items()]


def save_technique(own: dict[str, Technique], name: str, technique: Technique) -> dict:
    """``own`` with ``technique`` saved as ``name`` (checked)."""
    name = inputs.text(name, "The name", allow_empty=True, max_chars=1_000).strip()
    if not name or len(name) > 60:
        raise TemplateError("Name the technique (up to 60 characters).")
    key = "my-" + "-".join(name.lower().split())
    if key not in own and len(own) >= MAX_TECHNIQUES:
        raise TemplateError(f"A session keeps at most {MAX_TECHNIQUES} techniques.")
    saved = Technique(key, name, technique.user, technique.system,
                      technique.description or "Saved in this session.", technique.variables,
                      technique.examples, technique.output)  # fmt: skip
    saved.check()
    return {**own, key: saved}


def read_techniques(path: str) -> dict[str, Technique]:
    """Techniques from an uploaded TOML / JSON file (raises TemplateError with the reason)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise TemplateError(f"A techniques file is at most {MAX_FILE_BYTES // 1024} KB.")
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise TemplateError("The file is not UTF-8 text.") from err
    except OSError as err:
        raise TemplateError(f"The file could not be read ({err.strerror or 'no access'}).") from err
    return parse_techniques(text)


def create_library(own: gr.State, columns: list[Column]) -> None:
    """The *My techniques* accordion, wired to the session state and the columns' dropdowns."""
    source = columns[0]
    with gr.Accordion("My techniques (this session)", open=False):
        with gr.Row():
            name = gr.Textbox(label="Name", placeholder="e.g. polite reply in Korean", scale=3,
                              elem_id="gen-save-name")  # fmt: skip
            save = gr.Button("Save A's template as mine", scale=1, elem_id="gen-save")
        with gr.Row():
            download = gr.DownloadButton("Download my techniques (TOML)", elem_id="gen-download")
            upload = gr.File(label="Upload techniques (TOML / JSON)", file_types=[".toml", ".json"],
                             elem_id="gen-upload")  # fmt: skip
        status = gr.Markdown(elem_id="gen-library-status")
    dropdowns = [c.technique for c in columns]

    def refreshed(value: dict[str, Technique], message: str) -> dict:
        choices = _choices(value)
        return {own: value, status: message,
                **{d: gr.update(choices=choices) for d in dropdowns}}  # fmt: skip

    def on_save(value: dict, label: str, key: str, system: str, user: str, variables: Any,
                examples: Any) -> dict:  # fmt: skip
        try:
            everything = {**load_techniques(), **(value or {})}
            technique = edited_technique(everything, key, system, user, variables, examples)
            value = save_technique(value or {}, label, technique)
        except PlaygroundError as err:
            return {status: f"⚠️ {err}"}
        return refreshed(value, f"Saved “{label.strip()}”: pick it in either column.")

    def on_download(value: dict) -> Any:
        if not value:
            return gr.update(value=None)
        folder = Path(tempfile.mkdtemp(prefix="techniques-"))
        path = folder / "my-techniques.toml"
        path.write_text(dump_techniques(value), encoding="utf-8")
        return str(path)

    def on_upload(value: dict, path: str | None) -> dict:
        if not path:
            return {}
        try:
            loaded = read_techniques(path)
        except PlaygroundError as err:
            return {status: f"⚠️ {err}"}
        mine = {(k if k.startswith("my-") else f"my-{k}"): v for k, v in loaded.items()}
        merged = {**(value or {}), **mine}
        if len(merged) > MAX_TECHNIQUES:
            return {status: f"⚠️ A session keeps at most {MAX_TECHNIQUES} techniques."}
        return refreshed(merged, f"Added {len(mine)} technique(s) from the file.")

    private = {"api_visibility": "private"}
    save.click(
        on_save, [own, name, source.technique, source.system, source.user, source.variables,
                  source.examples], [own, status, *dropdowns], **private,
    )  # fmt: skip
    own.change(on_download, own, download, **private)
    upload.upload(on_upload, [own, upload], [own, status, *dropdowns], **private)
