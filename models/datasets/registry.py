"""Find and read the registered datasets: data home, else a download, else the built-in sample.

A dataset is read from the data home (``PLAYGROUND_DATA_HOME``; same folder and file names as
upstream), downloaded there from upstream when it is missing and the network allows, or else
replaced by the small hand-written sample in ``models/datasets/samples``; the result says which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from models.core import files
from models.core.cache import BoundedCache
from models.core.errors import DatasetError
from models.core.i18n import Text, error_text, join
from models.core.inputs import quoted
from models.core.settings import Settings, get_settings
from models.core.text import identifiers
from models.datasets.download import download
from models.datasets.specs import DATASETS, DatasetSpec
from models.datasets.splits import apply

SAMPLES_DIR = Path(__file__).parent / "samples"
SAMPLE_BUNDLE = "sample.json"  # per dataset folder: {upstream's relative path: file text}
Source = Literal["data home", "downloaded", "sample"]
SPLITS = ("train", "validation", "test")
SPLIT_NAMES = {
    "train": Text("train", "학습"),
    "validation": Text("validation", "검증"),
    "test": Text("test", "테스트"),
    "all": Text("all", "전체"),
    "tweets": Text("tweets", "트윗"),
}
# Parsed splits, keyed by file modification time: a replaced file is read again. Bounded, so a
# server whose data home keeps changing does not keep every old version.
_parsed = BoundedCache(max_entries=24)


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

    def describe(self) -> Text:
        """One line for the UI: what was read and from where."""
        where = {
            "data home": Text("data home ({folder})", "데이터 폴더({folder})",
                              folder=str(self.location)),
            "downloaded": Text("downloaded from upstream into {folder}",
                               "원본 배포처에서 {folder}에 내려받음", folder=str(self.location)),
            "sample": Text("the small built-in sample (not the real dataset)",
                           "내장된 작은 샘플(실제 데이터셋 아님)"),
        }[self.source]  # fmt: skip
        text = Text(
            "{title}, {split}: {n:,} rows from {where}.",
            "{title}, {split}: {where}에서 읽은 {n:,}개 행.",
            title=self.spec.title, split=SPLIT_NAMES.get(self.split, self.split),
            n=len(self.frame), where=where,
        )  # fmt: skip
        return join([text, self.note], " ") if self.note else text


def get_spec(name: str) -> DatasetSpec:
    """The registry entry for ``name``, or a DatasetError listing the known names."""
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]
    known = ", ".join(DATASETS)
    raise DatasetError(
        Text("Unknown dataset {name}. Known datasets: {known}.",
             "알 수 없는 데이터셋입니다: {name}. 아는 데이터셋: {known}.",
             name=quoted(name), known=known)
    )  # fmt: skip


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
    reason = Text(
        "Not in the data home ({root}) and downloads are switched off.",
        "데이터 폴더({root})에 없고 내려받기가 꺼져 있습니다.", root=str(root),
    )  # fmt: skip
    if allow_download:
        try:
            _download_missing(spec, root, missing, settings.download_timeout_s)
            return root, "downloaded", ""
        except DatasetError as err:
            reason = Text(
                "Not in the data home ({root}) and the download failed: {err}",
                "데이터 폴더({root})에 없고 내려받기도 실패했습니다: {err}",
                root=str(root), err=error_text(err),
            )  # fmt: skip
    return sample_folder(spec, settings), "sample", reason


def sample_folder(spec: DatasetSpec, settings: Settings) -> Path:
    """The hand-written sample, laid out under upstream's file names so the same parsers read it.

    The samples are tracked as one JSON bundle per dataset, so no project file carries an
    upstream file's name; the files are written once into the cache under the names the parsers
    expect (and again whenever the bundle is newer).
    """
    bundle = SAMPLES_DIR / spec.folder / SAMPLE_BUNDLE
    target = settings.cache_dir / "samples" / spec.folder
    texts: dict[str, str] = json.loads(bundle.read_text(encoding="utf-8"))
    written = bundle.stat().st_mtime
    for relative, text in texts.items():
        copy = target / relative
        if copy.is_file() and copy.stat().st_mtime >= written:
            continue
        files.write_text(copy, text, newline="")
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
    if not isinstance(split, str) or split not in spec.splits:
        raise DatasetError(
            Text(
                "{title} has no split {split}. Choose one of: {splits}.",
                "{title}에는 {split} 분할이 없습니다. 다음 중 하나를 고르세요: {splits}.",
                title=spec.title, split=quoted(split), splits=identifiers(spec.splits),
            )
        )  # fmt: skip
    root, source, note = locate(name, settings, allow_download)
    stamp = max((root / f.path).stat().st_mtime for f in spec.files)

    def parse() -> pd.DataFrame:
        try:
            return apply(spec.splits[split], root)
        except (OSError, ValueError, KeyError) as err:
            raise DatasetError(
                Text("Could not read {title} from {root}: {err}",
                     "{title} 데이터셋을 {root}에서 읽지 못했습니다: {err}",
                     title=spec.title, root=str(root), err=error_text(err))
            ) from err  # fmt: skip

    frame = _parsed.get_or_load((name, str(root), split, stamp), parse)
    return LoadedDataset(spec, split, frame.copy(), source, root, note)
