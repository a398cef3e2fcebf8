"""Save a trained method where the resolver (and so the Classification tab) can load it.

- full fine-tuning: a plain transformers folder (model + tokenizer), loadable anywhere;
- peft methods: the adapter (with the trained head inside), loaded onto the base model;
  LoRA can also be merged into a plain transformers folder;
- frozen encoder + head: only the head's weights, loaded onto the base model.
The tokenizer is saved only where the folder must stand alone (full, merged). Each folder ends
with ``playground.json`` and then ``manifest.json`` (``write_meta``), so a checkpoint cut short
later is refused with a sentence instead of failing inside a library.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.core.manifest import MANIFEST
from models.finetune.heads import head_module_names
from models.finetune.methods import Method
from models.sources.formats import HEAD_WEIGHTS, write_meta

TOKENIZER_FILES = (
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
    "sentencepiece.bpe.model", "chat_template.jinja",
)  # fmt: skip


def folder_mb(folder: Path) -> float:
    """Size on disk of what the method saved: weights and configs, not the base's tokenizer."""
    skip = {*TOKENIZER_FILES, MANIFEST}
    files = [p for p in folder.rglob("*") if p.is_file() and p.name not in skip]
    return sum(p.stat().st_size for p in files) / 2**20


def _save_whole(model: Any, tokenizer: Any, folder: Path) -> None:
    """A model that stands alone: weights, config and tokenizer."""
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _save_head(model: Any, tokenizer: Any, folder: Path) -> None:
    """Only the head's weights: the frozen encoder is the base model, unchanged."""
    from safetensors.torch import save_file

    prefixes = tuple(f"{name}." for name in head_module_names(model))
    state = {k: v.contiguous() for k, v in model.state_dict().items() if k.startswith(prefixes)}
    save_file(state, str(folder / HEAD_WEIGHTS))


def _save_adapter(model: Any, tokenizer: Any, folder: Path) -> None:
    """A peft adapter (with the trained head inside); the base model is loaded beneath it."""
    model.save_pretrained(folder)


# Checkpoint format -> how a trained model is written in it (the loaders read them back).
WRITERS: dict[str, Callable[[Any, Any, Path], None]] = {
    "transformers": _save_whole,
    "head": _save_head,
    "peft-adapter": _save_adapter,
}


def save_checkpoint(
    model: Any, tokenizer: Any, method: Method, folder: Path, meta: dict[str, Any], merge: bool
) -> tuple[Path, Path | None]:
    """Write ``model`` into ``folder`` in its method's format.

    Returns:
        ``(folder, merged_folder or None)``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    merged_folder = None
    WRITERS[method.checkpoint](model, tokenizer, folder)
    # Last: playground.json, then the manifest of everything the writer saved.
    write_meta(folder, {**meta, "format": method.checkpoint})
    if merge and method.mergeable:
        merged_folder = folder.with_name(folder.name + "-merged")
        _save_whole(model.merge_and_unload(), tokenizer, merged_folder)
        write_meta(merged_folder, {**meta, "format": "transformers", "merged_from": str(folder)})
    return folder, merged_folder
