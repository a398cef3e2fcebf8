"""The session's own techniques: save column A's edited template under a name, download them as
a TOML file, upload a TOML / JSON file of techniques. They live in this browser session only."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from demos.browser import lang_of
from demos.generate.column import Column, technique_choices
from demos.generate.run import edited_technique, shown_error
from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text, localize
from models.generate.techniques import (
    MAX_TECHNIQUES,
    Technique,
    TemplateError,
    dump_techniques,
    load_techniques,
    parse_techniques,
)

MAX_FILE_BYTES = 256 * 1024
TOO_MANY = Text(
    "A session keeps at most {n} techniques.",
    "한 세션에는 기법을 최대 {n}개까지 저장할 수 있습니다.",
    n=MAX_TECHNIQUES,
)


def save_technique(own: dict[str, Technique], name: str, technique: Technique) -> dict:
    """``own`` with ``technique`` saved as ``name`` (checked)."""
    name = inputs.text(name, Text("The name", "이름"), allow_empty=True, max_chars=1_000).strip()
    if not name or len(name) > 60:
        raise TemplateError(
            Text("Name the technique (up to 60 characters).",
                 "기법의 이름을 60자 이내로 적어 주세요.")
        )  # fmt: skip
    key = "my-" + "-".join(name.lower().split())
    if key not in own and len(own) >= MAX_TECHNIQUES:
        raise TemplateError(TOO_MANY)
    described = bool(technique.description)
    saved = Technique(
        key, name, technique.user, technique.system,
        technique.description if described else "Saved in this session.",
        technique.variables, technique.examples, technique.output,
        description_ko=technique.description_ko if described else "이 세션에서 저장한 기법입니다.",
        example_en=technique.example_en, example_ko=technique.example_ko,
    )  # fmt: skip
    saved.check()
    return {**own, key: saved}


def read_techniques(path: str) -> dict[str, Technique]:
    """Techniques from an uploaded TOML / JSON file (raises TemplateError with the reason)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise TemplateError(
                Text("A techniques file is at most {kb} KB.", "기법 파일은 최대 {kb} KB입니다.",
                     kb=MAX_FILE_BYTES // 1024)
            )  # fmt: skip
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise TemplateError(
            Text("The file is not UTF-8 text.", "파일이 UTF-8 텍스트가 아닙니다.")
        ) from err
    except OSError as err:
        raise TemplateError(
            Text("The file could not be read ({why}).", "파일을 읽을 수 없습니다({why}).",
                 why=err.strerror or Text("no access", "접근 권한 없음"))
        ) from err  # fmt: skip
    return parse_techniques(text)


def create_library(own: gr.State, columns: list[Column]) -> None:
    """The *My techniques* accordion, wired to the session state and the columns' dropdowns."""
    source = columns[0]
    with gr.Accordion(Text("My techniques (this session)", "내 기법 (이 세션)"), open=False):
        with gr.Row():
            name = gr.Textbox(
                label=Text("Name", "이름"), scale=3, elem_id="gen-save-name",
                placeholder=Text("e.g. polite reply in Korean", "예: 공손한 한국어 답장"),
            )  # fmt: skip
            save = gr.Button(Text("Save A's template as mine", "A의 템플릿을 내 기법으로 저장"),
                             scale=1, elem_id="gen-save")  # fmt: skip
        with gr.Row():
            download = gr.DownloadButton(
                Text("Download my techniques (TOML)", "내 기법 내려받기 (TOML)"),
                elem_id="gen-download",
            )  # fmt: skip
            upload = gr.File(
                label=Text("Upload techniques (TOML / JSON)", "기법 올리기 (TOML / JSON)"),
                file_types=[".toml", ".json"], elem_id="gen-upload",
            )  # fmt: skip
        status = gr.Markdown(elem_id="gen-library-status")
    dropdowns = [c.technique for c in columns]

    def refreshed(value: dict[str, Technique], message: Text, lang: str) -> dict:
        choices = technique_choices(load_techniques(), value, lang)
        return {own: value, status: localize(message, lang),
                **{d: gr.update(choices=choices) for d in dropdowns}}  # fmt: skip

    def on_save(value: dict, label: str, key: str, system: str, user: str, variables: Any,
                examples: Any, request: gr.Request) -> dict:  # fmt: skip
        lang = lang_of(request)
        try:
            everything = {**load_techniques(), **(value or {})}
            technique = edited_technique(everything, key, system, user, variables, examples)
            value = save_technique(value or {}, label, technique)
        except PlaygroundError as err:
            return {status: shown_error(err, lang)}
        saved = Text("Saved “{name}”: pick it in either column.",
                     "“{name}”을(를) 저장했습니다. 어느 열에서든 고를 수 있습니다.",
                     name=label.strip())  # fmt: skip
        return refreshed(value, saved, lang)

    def on_download(value: dict) -> Any:
        if not value:
            return gr.update(value=None)
        folder = Path(tempfile.mkdtemp(prefix="techniques-"))
        path = folder / "my-techniques.toml"
        path.write_text(dump_techniques(value), encoding="utf-8")
        return str(path)

    def on_upload(value: dict, path: str | None, request: gr.Request) -> dict:
        if not path:
            return {}
        lang = lang_of(request)
        try:
            loaded = read_techniques(path)
        except PlaygroundError as err:
            return {status: shown_error(err, lang)}
        mine = {(k if k.startswith("my-") else f"my-{k}"): v for k, v in loaded.items()}
        merged = {**(value or {}), **mine}
        if len(merged) > MAX_TECHNIQUES:
            return {status: "⚠️ " + localize(TOO_MANY, lang)}
        added = Text("Added {n} technique(s) from the file.", "파일에서 기법 {n}개를 추가했습니다.",
                     n=len(mine))  # fmt: skip
        return refreshed(merged, added, lang)

    private = {"api_visibility": "private"}
    save.click(
        on_save, [own, name, source.technique, source.system, source.user, source.variables,
                  source.examples], [own, status, *dropdowns], **private,
    )  # fmt: skip
    own.change(on_download, own, download, **private)
    upload.upload(on_upload, [own, upload], [own, status, *dropdowns], **private)
