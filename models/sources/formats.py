"""Checkpoint formats: what a model folder holds, and what it needs to load.

A folder is a plain transformers or sentence-transformers model, a peft adapter, or one of this
app's own formats; the app's runs say which in a ``playground.json`` beside the weights (base
model, labels, task, metrics). This module is the one list of formats: the resolver describes a
folder by it, the loaders pick their loader by it, the fine-tuning engine saves by it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from models.core import files, manifest
from models.core.errors import ModelUnavailable
from models.core.i18n import Text

META_FILE = "playground.json"
HEAD_WEIGHTS = "head.safetensors"  # the "frozen encoder + head" format's only weights
Want = Literal["any", "encoder", "classifier", "embedding", "causal-lm"]
FormatName = Literal[
    "transformers",
    "sentence-transformers",
    "peft-adapter",
    "head",
    "embedding-probe",
    "ngram",
    "ensemble",
    "unknown",
]


@dataclass(frozen=True)
class CheckpointFormat:
    """One way a model is stored."""

    name: FormatName
    title: str
    # What the folder's weights sit on: None when the folder stands alone.
    base: Want | None = None
    # A classifier by itself, whatever its config says (this app's heads, probes, n-grams).
    classifier: bool = False
    # Loadable as a transformers model (alone, or on its base).
    transformers: bool = True


FORMATS: dict[str, CheckpointFormat] = {
    f.name: f
    for f in (
        CheckpointFormat("transformers", Text("transformers model", "transformers 모델")),
        CheckpointFormat(
            "sentence-transformers",
            Text("sentence-transformers model", "sentence-transformers 모델"),
        ),
        CheckpointFormat("peft-adapter", Text("peft adapter", "peft 어댑터"), base="any"),
        CheckpointFormat(
            "head", Text("frozen encoder + head", "고정 인코더 + 분류 헤드"), "encoder",
            classifier=True,
        ),
        CheckpointFormat(
            "embedding-probe",
            Text("embeddings + logistic regression", "임베딩 + 로지스틱 회귀"), "embedding",
            classifier=True, transformers=False,
        ),
        CheckpointFormat(
            "ngram", Text("character n-gram", "문자 n-그램"), classifier=True,
            transformers=False,
        ),
        CheckpointFormat(
            "ensemble", Text("ensemble", "앙상블"), classifier=True, transformers=False
        ),
        CheckpointFormat("unknown", Text("not converted yet", "아직 변환되지 않음")),
    )
}  # fmt: skip
# Formats only this app writes: named in playground.json, found by no other file.
APP_FORMATS = ("head", "embedding-probe", "ngram", "ensemble")
# peft adapter types whose weights fold into the base (merge_and_unload): no inference overhead.
MERGEABLE_ADAPTERS = ("LORA", "IA3")
# Older runs wrote the resolved name of the embedding probe into playground.json.
ALIASES = {"probe": "embedding-probe"}


def get_format(name: str) -> CheckpointFormat:
    return FORMATS[ALIASES.get(name, name)]


def read_meta(folder: Path) -> dict:
    """A folder's ``playground.json`` ({} when it has none)."""
    path = Path(folder) / META_FILE
    if not path.is_file():
        return {}
    return read_json(path)


def read_json(path: Path) -> dict:
    """A JSON file a model folder holds, or a ModelUnavailable naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ModelUnavailable(
            Text("{path} could not be read: {err}", "{path} 파일을 읽을 수 없습니다: {err}",
                 path=str(path), err=str(err))
        ) from err  # fmt: skip


def write_meta(folder: Path, meta: dict) -> Path:
    """Write ``playground.json``, then the folder's manifest: call it once the weights are saved.

    Every writer of this app's formats ends with this call, so every run folder ends with a
    ``manifest.json`` listing its weights (``core.manifest``); ``playground.json`` itself stays
    out of the list, because metadata may be updated in place later. Both writes are atomic.
    """
    if meta.get("format") not in FORMATS:
        raise ValueError(f"unknown checkpoint format {meta.get('format')!r}")
    path = files.write_json(Path(folder) / META_FILE, meta)
    manifest.write(Path(folder), {"format": meta["format"]}, exclude=(META_FILE,))
    return path
