"""Readers for each dataset's upstream file format.

Every reader takes the dataset's folder and returns the whole upstream file(s) as a DataFrame with
the playground's column names: ``text`` (and ``text_pair`` for sentence pairs), ``label`` as a
readable string, plus what the format carries besides (``id``, ``score``, ``answer``).
Splitting into train / validation / test happens in ``registry.py``, not here.
"""

from __future__ import annotations

import csv
import functools
import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models.core.errors import DatasetError
from models.core.i18n import Text
from models.core.inputs import clip

SNIPS_INTENTS = (
    "AddToPlaylist",
    "BookRestaurant",
    "GetWeather",
    "PlayMusic",
    "RateBook",
    "SearchCreativeWork",
    "SearchScreeningEvent",
)
NSMC_LABELS = {"0": "negative", "1": "positive"}
CHATBOT_LABELS = {"0": "everyday", "1": "breakup", "2": "love"}
Parser = Callable[..., pd.DataFrame]
# What a file that is not in upstream's shape raises while it is read: a missing column or
# key (KeyError), a field of the wrong type (TypeError, AttributeError), a bad number or bad
# bytes (ValueError), a short row (IndexError), JSON nested thousands deep (RecursionError).
MALFORMED = (
    OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
    csv.Error,
)  # fmt: skip


def upstream_format(parse: Parser) -> Parser:
    """A reader whose failures on a malformed or missing file are one DatasetError sentence."""

    @functools.wraps(parse)
    def read(root: Path, *args: object, **kwargs: object) -> pd.DataFrame:
        try:
            return parse(root, *args, **kwargs)
        except DatasetError:
            raise
        except MALFORMED as err:
            raise DatasetError(
                Text(
                    "The {name} files in {folder} are not in upstream's format ({why}).",
                    "{folder} 폴더의 {name} 파일이 원본 배포 형식과 다릅니다({why}).",
                    name=parse.__name__, folder=root.name, why=_reason(err),
                )
            ) from err  # fmt: skip

    return read


def _reason(err: BaseException) -> str:
    if isinstance(err, KeyError):
        name = repr(clip(str(err.args[0] if err.args else err), 60))
        return Text("no field or column {name}", "{name} 필드나 열이 없음", name=name)
    if isinstance(err, FileNotFoundError):
        name = Path(str(err.filename)).name
        return Text("missing file {name}", "{name} 파일이 없음", name=name)
    if isinstance(err, RecursionError):
        return Text("nested too deeply", "중첩이 너무 깊음")
    return clip(" ".join(str(err).split()) or type(err).__name__, 160)


def read_tsv(path: Path) -> pd.DataFrame:
    """A tab-separated file with a header, read as upstream writes it: quotes are plain text."""
    try:
        return pd.read_csv(
            path,
            sep="\t",
            quoting=csv.QUOTE_NONE,
            keep_default_na=False,
            dtype=str,
            encoding="utf-8",
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DatasetError(
            Text(
                "{name} is not in the expected tab-separated format: {err}",
                "{name} 파일이 예상한 탭 구분 형식이 아닙니다: {err}", name=path.name, err=str(err),
            )
        ) from err  # fmt: skip


@upstream_format
def nsmc(root: Path, file: str) -> pd.DataFrame:
    """NSMC ``id<TAB>document<TAB>label`` with 0 = negative, 1 = positive."""
    frame = read_tsv(root / file)
    frame = frame[frame["document"].str.strip() != ""]
    return pd.DataFrame(
        {
            "id": frame["id"],
            "text": frame["document"].str.strip(),
            "label": frame["label"].str.strip().map(NSMC_LABELS),
        }
    ).reset_index(drop=True)


@upstream_format
def vader(root: Path, file: str) -> pd.DataFrame:
    """VADER ground truth ``id<TAB>mean score<TAB>text`` (no header); label = sign of the score.

    A mean score of exactly 0 (or not a finite number) has no sign, so those rows are dropped.
    """
    rows = []
    with open(root / file, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) != 3:
                continue
            row_id, score, text = parts
            value = float(score)
            if not math.isfinite(value) or value == 0.0 or not text.strip():
                continue
            label = "positive" if value > 0 else "negative"
            rows.append((row_id, text.strip(), label, value))
    return pd.DataFrame(rows, columns=["id", "text", "label", "score"])


def _decode_snips(raw: bytes) -> str:
    # One upstream file stores emoji as UTF-8-encoded surrogate pairs (CESU-8); a strict UTF-8
    # decode fails on it, so keep the surrogates and pair them up through UTF-16.
    text = raw.decode("utf-8", errors="surrogatepass")
    return text.encode("utf-16", errors="surrogatepass").decode("utf-16", errors="replace")


@upstream_format
def snips(root: Path, pattern: str) -> pd.DataFrame:
    """SNIPS ``{Intent: [{"data": [{"text": ...}, ...]}]}``, one file per intent, pieces joined."""
    rows = []
    for intent in SNIPS_INTENTS:
        path = root / intent / pattern.format(intent=intent)
        utterances = json.loads(_decode_snips(path.read_bytes()))[intent]
        for utterance in utterances:
            text = "".join(piece["text"] for piece in utterance["data"]).strip()
            if text:
                rows.append((text, intent))
    return pd.DataFrame(rows, columns=["text", "label"])


@upstream_format
def clinc150(root: Path, keys: tuple[str, ...]) -> pd.DataFrame:
    """CLINC150 ``data_full.json``: lists of ``[text, intent]`` under the given keys."""
    data = json.loads((root / "data_full.json").read_text(encoding="utf-8"))
    rows = [(text.strip(), intent) for key in keys for text, intent in data[key]]
    return pd.DataFrame(rows, columns=["text", "label"])


@upstream_format
def banking77(root: Path, file: str) -> pd.DataFrame:
    """BANKING77 ``text,category`` CSV."""
    frame = pd.read_csv(root / file, keep_default_na=False, dtype=str, encoding="utf-8")
    return pd.DataFrame({"text": frame["text"].str.strip(), "label": frame["category"].str.strip()})


@upstream_format
def kornli(root: Path, file: str) -> pd.DataFrame:
    """KorNLI ``sentence1<TAB>sentence2<TAB>gold_label``."""
    frame = read_tsv(root / file)
    return pd.DataFrame(
        {
            "text": frame["sentence1"].str.strip(),
            "text_pair": frame["sentence2"].str.strip(),
            "label": frame["gold_label"].str.strip(),
        }
    )


@upstream_format
def korsts(root: Path, file: str) -> pd.DataFrame:
    """KorSTS ``genre, filename, year, id, score, sentence1, sentence2``; score 0-5."""
    frame = read_tsv(root / file)
    return pd.DataFrame(
        {
            "id": frame["id"],
            "text": frame["sentence1"].str.strip(),
            "text_pair": frame["sentence2"].str.strip(),
            "score": frame["score"].astype(float),
        }
    )


@upstream_format
def chatbot_data(root: Path, file: str = "ChatbotData.csv") -> pd.DataFrame:
    """Chatbot_data ``Q,A,label`` with 0 everyday, 1 breakup, 2 love."""
    frame = pd.read_csv(root / file, keep_default_na=False, dtype=str, encoding="utf-8")
    return pd.DataFrame(
        {
            "text": frame["Q"].str.strip(),
            "answer": frame["A"].str.strip(),
            # upstream has one label written as "2   "
            "label": frame["label"].str.strip().map(CHATBOT_LABELS),
        }
    )
