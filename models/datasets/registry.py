"""The datasets the playground knows: where they come from, how to read them, how they split.

A dataset is read from the data home (``PLAYGROUND_DATA_HOME``; same folder and file names as
upstream), downloaded there from upstream when it is missing and the network allows, or else
replaced by the small hand-written sample in ``models/datasets/samples``; the result says which.

Splits: every labelled set offers ``train``, ``validation`` and ``test``. Upstream's splits are used
where they exist. Where upstream has no validation set, ``validation`` is a deterministic 10% of
upstream's training file (chosen by a hash of the text, so duplicates land on the same side) and
``train`` is the other 90%. Where upstream has no test set either (VADER, Chatbot_data), ``test`` is
a deterministic 20% of the file chosen the same way.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import pandas as pd

from models.datasets import parsers
from models.datasets.download import download
from models.errors import DatasetError
from models.settings import Settings, get_settings

SAMPLES_DIR = Path(__file__).parent / "samples"
SAMPLE_BUNDLE = "sample.json"  # per dataset folder: {upstream's relative path: file text}
Source = Literal["data home", "downloaded", "sample"]
SPLITS = ("train", "validation", "test")

_RAW = "https://raw.githubusercontent.com"
_VADER_TAR = f"{_RAW}/cjhutto/vaderSentiment/master/additional_resources/hutto_ICWSM_2014.tar.gz"


@dataclass(frozen=True)
class UpstreamFile:
    """One file of a dataset: its path in the dataset folder and where upstream serves it."""

    path: str
    url: str
    member: str | None = field(default=None, metadata={"help": "path inside a .tar.gz at url"})


@dataclass(frozen=True)
class SplitRule:
    """How one split is made from the parsed upstream file(s)."""

    read: Callable[[Path], pd.DataFrame]
    holdout: Literal["all", "keep", "drop"] = "all"  # rows inside / outside the hashed holdout
    fraction: float = 0.0
    salt: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset in the registry."""

    name: str
    title: str
    task: Literal["sentiment", "nli", "intent", "ranking", "similarity"]
    language: Literal["ko", "en"]
    folder: str
    files: tuple[UpstreamFile, ...]
    splits: dict[str, SplitRule]
    licence: str
    homepage: str
    labels: tuple[str, ...] | None = None  # None: read from the data (intent sets)
    split_note: str = ""

    @property
    def labelled(self) -> bool:
        return self.task in ("sentiment", "nli", "intent", "ranking")


@dataclass
class LoadedDataset:
    """A split of a dataset, with where it was read from."""

    spec: DatasetSpec
    split: str
    frame: pd.DataFrame
    source: Source
    location: Path
    note: str = ""

    @property
    def labels(self) -> list[str]:
        """The label set: the spec's fixed order, else sorted from the data."""
        if self.spec.labels:
            return list(self.spec.labels)
        return sorted(self.frame["label"].unique()) if "label" in self.frame else []

    def describe(self) -> str:
        """One line for the UI: what was read and from where."""
        where = {
            "data home": f"data home ({self.location})",
            "downloaded": f"downloaded from upstream into {self.location}",
            "sample": "the small built-in sample (not the real dataset)",
        }[self.source]
        text = f"{self.spec.title}, {self.split}: {len(self.frame):,} rows from {where}."
        return f"{text} {self.note}".strip()


def _in_holdout(key: str, salt: str, fraction: float) -> bool:
    digest = hashlib.md5(f"{salt}:{key}".encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000 < fraction


def _split_with_validation(
    name: str, train: Callable[[Path], pd.DataFrame], test: Callable[[Path], pd.DataFrame]
) -> dict[str, SplitRule]:
    """Upstream train + test; validation carved from train by hash."""
    return {
        "train": SplitRule(train, "drop", 0.1, f"{name}-validation"),
        "validation": SplitRule(train, "keep", 0.1, f"{name}-validation"),
        "test": SplitRule(test),
    }


def _split_three_ways(name: str, read: Callable[[Path], pd.DataFrame]) -> dict[str, SplitRule]:
    """One upstream file: test = 20% by hash; validation = 10% of the rest."""
    return {
        "train": SplitRule(_without_holdout(read, name, 0.2), "drop", 0.1, f"{name}-validation"),
        "validation": SplitRule(
            _without_holdout(read, name, 0.2), "keep", 0.1, f"{name}-validation"
        ),
        "test": SplitRule(read, "keep", 0.2, f"{name}-test"),
    }


def _without_holdout(
    read: Callable[[Path], pd.DataFrame], name: str, fraction: float
) -> Callable[[Path], pd.DataFrame]:
    def reader(root: Path) -> pd.DataFrame:
        return _apply(SplitRule(read, "drop", fraction, f"{name}-test"), root)

    return reader


def _apply(rule: SplitRule, root: Path) -> pd.DataFrame:
    frame = rule.read(root)
    if rule.holdout == "all":
        return frame.reset_index(drop=True)
    keys = frame["text"] + "\t" + frame.get("text_pair", pd.Series("", index=frame.index))
    inside = keys.map(lambda key: _in_holdout(key, rule.salt, rule.fraction))
    keep = inside if rule.holdout == "keep" else ~inside
    return frame[keep].reset_index(drop=True)


def _snips_files() -> tuple[UpstreamFile, ...]:
    base = f"{_RAW}/sonos/nlu-benchmark/master/2017-06-custom-intent-engines"
    return tuple(
        UpstreamFile(f"{intent}/{name}", f"{base}/{intent}/{name}")
        for intent in parsers.SNIPS_INTENTS
        for name in (f"train_{intent}_full.json", f"validate_{intent}.json")
    )


def _build_registry() -> dict[str, DatasetSpec]:
    nsmc = f"{_RAW}/e9t/nsmc/master"
    banking = f"{_RAW}/PolyAI-LDN/task-specific-datasets/master/banking_data"
    kornlu = f"{_RAW}/kakaobrain/KorNLUDatasets/master"
    specs = [
        DatasetSpec(
            name="nsmc",
            title="NSMC (Naver movie reviews)",
            task="sentiment",
            language="ko",
            folder="nsmc",
            files=(
                UpstreamFile("ratings_train.txt", f"{nsmc}/ratings_train.txt"),
                UpstreamFile("ratings_test.txt", f"{nsmc}/ratings_test.txt"),
            ),
            splits=_split_with_validation(
                "nsmc",
                partial(parsers.nsmc, file="ratings_train.txt"),
                partial(parsers.nsmc, file="ratings_test.txt"),
            ),
            labels=("negative", "positive"),
            licence="CC0 1.0",
            homepage="https://github.com/e9t/nsmc",
            split_note="test = ratings_test.txt; validation = 10% of ratings_train.txt by hash.",
        ),
        DatasetSpec(
            name="vader",
            title="VADER movie review snippets",
            task="sentiment",
            language="en",
            folder="vader",
            files=(
                UpstreamFile(
                    "movieReviewSnippets_GroundTruth.txt",
                    _VADER_TAR,
                    "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
                ),
                UpstreamFile(
                    "tweets_GroundTruth.txt",
                    _VADER_TAR,
                    "hutto_ICWSM_2014/tweets_GroundTruth.txt",
                ),
            ),
            splits={
                **_split_three_ways(
                    "vader", partial(parsers.vader, file="movieReviewSnippets_GroundTruth.txt")
                ),
                "tweets": SplitRule(partial(parsers.vader, file="tweets_GroundTruth.txt")),
            },
            labels=("negative", "positive"),
            licence="MIT",
            homepage="https://github.com/cjhutto/vaderSentiment",
            split_note=(
                "label = sign of the mean human rating (rows rated exactly 0 dropped); "
                "test = 20% of the movie-review snippets by hash, validation = 10% of the rest; "
                "'tweets' = the tweets file, an out-of-domain check."
            ),
        ),
        DatasetSpec(
            name="snips",
            title="SNIPS (7 intents)",
            task="intent",
            language="en",
            folder="snips",
            files=_snips_files(),
            splits=_split_with_validation(
                "snips",
                partial(parsers.snips, pattern="train_{intent}_full.json"),
                partial(parsers.snips, pattern="validate_{intent}.json"),
            ),
            labels=parsers.SNIPS_INTENTS,
            licence="CC0 1.0",
            homepage="https://github.com/sonos/nlu-benchmark",
            split_note="test = upstream validate_*.json; validation = 10% of train_*_full.json.",
        ),
        DatasetSpec(
            name="clinc150",
            title="CLINC150 (150 intents)",
            task="intent",
            language="en",
            folder="clinc150",
            files=(
                UpstreamFile("data_full.json", f"{_RAW}/clinc/oos-eval/master/data/data_full.json"),
            ),
            splits={
                "train": SplitRule(partial(parsers.clinc150, keys=("train",))),
                "validation": SplitRule(partial(parsers.clinc150, keys=("val",))),
                "test": SplitRule(partial(parsers.clinc150, keys=("test",))),
                "oos_test": SplitRule(partial(parsers.clinc150, keys=("oos_test",))),
            },
            licence="CC BY 3.0",
            homepage="https://github.com/clinc/oos-eval",
            split_note=(
                "train / validation / test are upstream's in-scope splits; "
                "'oos_test' holds the out-of-scope queries."
            ),
        ),
        DatasetSpec(
            name="banking77",
            title="BANKING77 (77 intents)",
            task="intent",
            language="en",
            folder="banking77",
            files=(
                UpstreamFile("train.csv", f"{banking}/train.csv"),
                UpstreamFile("test.csv", f"{banking}/test.csv"),
                UpstreamFile("categories.json", f"{banking}/categories.json"),
            ),
            splits=_split_with_validation(
                "banking77",
                partial(parsers.banking77, file="train.csv"),
                partial(parsers.banking77, file="test.csv"),
            ),
            licence="CC BY 4.0",
            homepage="https://github.com/PolyAI-LDN/task-specific-datasets",
            split_note="test = upstream test.csv; validation = 10% of train.csv by hash.",
        ),
        DatasetSpec(
            name="kornli",
            title="KorNLI (XNLI dev/test, Korean)",
            task="nli",
            language="ko",
            folder="kornlu/KorNLI",
            files=(
                UpstreamFile("xnli.dev.ko.tsv", f"{kornlu}/KorNLI/xnli.dev.ko.tsv"),
                UpstreamFile("xnli.test.ko.tsv", f"{kornlu}/KorNLI/xnli.test.ko.tsv"),
            ),
            splits=_split_with_validation(
                "kornli",
                partial(parsers.kornli, file="xnli.dev.ko.tsv"),
                partial(parsers.kornli, file="xnli.test.ko.tsv"),
            ),
            labels=("entailment", "neutral", "contradiction"),
            licence="CC BY-SA 4.0",
            homepage="https://github.com/kakaobrain/KorNLUDatasets",
            split_note="train = xnli.dev.ko.tsv (90%), validation = its other 10%, "
            "test = xnli.test.ko.tsv.",
        ),
        DatasetSpec(
            name="korsts",
            title="KorSTS (sentence similarity, Korean)",
            task="similarity",
            language="ko",
            folder="kornlu/KorSTS",
            files=tuple(
                UpstreamFile(f"sts-{part}.tsv", f"{kornlu}/KorSTS/sts-{part}.tsv")
                for part in ("train", "dev", "test")
            ),
            splits={
                "train": SplitRule(partial(parsers.korsts, file="sts-train.tsv")),
                "validation": SplitRule(partial(parsers.korsts, file="sts-dev.tsv")),
                "test": SplitRule(partial(parsers.korsts, file="sts-test.tsv")),
            },
            licence="CC BY-SA 4.0",
            homepage="https://github.com/kakaobrain/KorNLUDatasets",
            split_note="upstream's train / dev / test; a similarity score 0-5, no labels.",
        ),
        DatasetSpec(
            name="chatbot_data",
            title="Chatbot_data (Korean chit-chat Q/A)",
            task="ranking",
            language="ko",
            folder="chatbot_data",
            files=(
                UpstreamFile(
                    "ChatbotData.csv", f"{_RAW}/songys/Chatbot_data/master/ChatbotData.csv"
                ),
            ),
            splits={
                "all": SplitRule(parsers.chatbot_data),
                **_split_three_ways("chatbot_data", parsers.chatbot_data),
            },
            labels=tuple(parsers.CHATBOT_LABELS.values()),
            licence="MIT",
            homepage="https://github.com/songys/Chatbot_data",
            split_note="'all' = the whole file (the answer index); label = topic "
            "(everyday / breakup / love); test = 20% by hash.",
        ),
    ]
    return {spec.name: spec for spec in specs}


DATASETS: dict[str, DatasetSpec] = _build_registry()

_cache: dict[tuple[str, str, str, float], pd.DataFrame] = {}
_cache_lock = threading.Lock()


def get_spec(name: str) -> DatasetSpec:
    """The registry entry for ``name``, or a DatasetError listing the known names."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise DatasetError(f"Unknown dataset '{name}'. Known datasets: {known}.") from None


def list_datasets(task: str | None = None, language: str | None = None) -> list[DatasetSpec]:
    """Registry entries, optionally only those for one task and/or language."""
    return [
        spec
        for spec in DATASETS.values()
        if (task is None or spec.task == task) and (language is None or spec.language == language)
    ]


def data_home_folder(spec: DatasetSpec, settings: Settings | None = None) -> Path:
    """Where ``spec`` lives in the data home (whether or not it is there)."""
    return (settings or get_settings()).data_home / spec.folder


def missing_files(spec: DatasetSpec, root: Path) -> list[str]:
    """Files of ``spec`` that are not in ``root``."""
    return [file.path for file in spec.files if not (root / file.path).is_file()]


def locate(
    name: str, settings: Settings | None = None, allow_download: bool | None = None
) -> tuple[Path, Source, str]:
    """Find a dataset's folder: data home, else a fresh download, else the built-in sample.

    Returns:
        ``(folder, source, note)``; the note explains a fallback to the sample.
    """
    spec = get_spec(name)
    settings = settings or get_settings()
    root = data_home_folder(spec, settings)
    missing = missing_files(spec, root)
    if not missing:
        return root, "data home", ""
    if allow_download is None:
        allow_download = settings.allow_downloads
    reason = f"Not in the data home ({root}) and downloads are switched off."
    if allow_download:
        try:
            _download_missing(spec, root, missing, settings.download_timeout_s)
            return root, "downloaded", ""
        except DatasetError as err:
            reason = f"Not in the data home ({root}) and the download failed: {err}"
    return sample_folder(spec, settings), "sample", reason


def sample_folder(spec: DatasetSpec, settings: Settings) -> Path:
    """The hand-written sample, laid out under upstream's file names so the same parsers read it.

    The samples are tracked as one JSON bundle per dataset, so no project file carries an
    upstream file's name; the files are written once into the cache under the names the parsers
    expect (and again whenever the bundle is newer).
    """
    bundle = SAMPLES_DIR / spec.folder / SAMPLE_BUNDLE
    target = settings.cache_dir / "samples" / spec.folder
    files: dict[str, str] = json.loads(bundle.read_text(encoding="utf-8"))
    written = bundle.stat().st_mtime
    for relative, text in files.items():
        copy = target / relative
        if copy.is_file() and copy.stat().st_mtime >= written:
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_name(copy.name + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(copy)
    return target


def _download_missing(spec: DatasetSpec, root: Path, missing: list[str], timeout: float) -> None:
    by_url: dict[str, dict[str | None, Path]] = {}
    for file in spec.files:
        if file.path in missing:
            by_url.setdefault(file.url, {})[file.member] = root / file.path
    for url, targets in by_url.items():
        download(url, targets, timeout)


def load_dataset(
    name: str,
    split: str = "train",
    settings: Settings | None = None,
    allow_download: bool | None = None,
) -> LoadedDataset:
    """Read one split of a registered dataset.

    Args:
        name: a registry name (``nsmc``, ``vader``, ``snips``, ...).
        split: ``train``, ``validation``, ``test`` or a dataset's extra split.
        settings: defaults to ``get_settings()``.
        allow_download: override ``settings.allow_downloads``.

    Returns:
        The rows with ``text`` (``text_pair``) and ``label`` columns, and where they came from.
    """
    spec = get_spec(name)
    if split not in spec.splits:
        raise DatasetError(
            f"{spec.title} has no split '{split}'. Choose one of: {', '.join(spec.splits)}."
        )
    root, source, note = locate(name, settings, allow_download)
    stamp = max((root / f.path).stat().st_mtime for f in spec.files)
    key = (name, str(root), split, stamp)
    with _cache_lock:
        frame = _cache.get(key)
    if frame is None:
        try:
            frame = _apply(spec.splits[split], root)
        except (OSError, ValueError, KeyError) as err:
            raise DatasetError(f"Could not read {spec.title} from {root}: {err}") from err
        with _cache_lock:
            _cache[key] = frame
    return LoadedDataset(spec, split, frame.copy(), source, root, note)
