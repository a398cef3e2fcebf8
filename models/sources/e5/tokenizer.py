"""The engine's tokenizer as a ``tokenizers.Tokenizer`` saved as a ``PreTrainedTokenizerFast``.

Per-codepoint map -> collapse runs of spaces -> prepend "▁" unless the text starts with a space ->
spaces become "▁" -> Viterbi over the pieces, each uncovered character its own ``<unk>``. The map
is compiled into a SentencePiece ``Precompiled`` charsmap (a darts-clone double-array trie, the
normaliser XLM-R's own tokenizer.json uses).

Known differences (checked against the engine's ids on thousands of random strings; these are the
only ones found): tokenizers' ``Precompiled`` looks up a whole grapheme shorter than 6 bytes by its
first character, so a mapped character followed by a combining mark ("Ａ\u0301") loses the mark
(XLM-R's own tokenizer.json does the same); literal "<s>", "<mask>"... in the text become special
tokens; an empty text gives no "▁".
"""

from __future__ import annotations

import struct
from pathlib import Path

from models.core import files
from models.sources.e5.reader import BIN_NAME, E5File

MODEL_MAX_LENGTH = 512
_META = "\u2581"  # SentencePiece's metaspace "▁"


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


def save_tokenizer(e5: E5File, folder: Path) -> None:
    """Write tokenizer.json and the tokenizer_config.json that makes it a PreTrainedTokenizerFast.

    The config is written directly rather than through ``PreTrainedTokenizerFast.save_pretrained``,
    which gives the same files but spends ~5 s re-processing the 250k-piece vocabulary.
    """
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    p = e5.pieces
    files.write_json(
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
