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
from models.core.inputs import quoted
from models.core.settings import Settings, get_settings
from models.datasets.download import download
from models.datasets.specs import DATASETS, DatasetSpec
from models.datasets.splits import apply

SAMPLES_DIR = Path(__file__).parent / "samples"
SAMPLE_BUNDLE = "sample.json"  # per dataset folder: {upstream's relative path: file text}
Source = Literal["data home", "downloaded", "sample"]
SPLITS = ("train", "validation", "test")
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

    def describe(self) -> str:
        """One line for the UI: what was read and from where."""
        where = {
            "data home": f"data home ({self.location})",
            "downloaded": f"downloaded from upstream into {self.location}",
            "sample": "the small built-in sample (not the real dataset)",
        }[self.source]
        text = f"{self.spec.title}, {self.split}: {len(self.frame):,} rows from {where}."
        return f"{text} {self.note}".strip()


def get_spec(name: str) -> DatasetSpec:
    """The registry entry for ``name``, or a DatasetError listing the known names."""
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]
    known = ", ".join(DATASETS)
    raise DatasetError(f"Unknown dataset {quoted(name)}. Known datasets: {known}.")


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
            f"{spec.title} has no split {quoted(split)}. Choose one of: {', '.join(spec.splits)}."
        )
    root, source, note = locate(name, settings, allow_download)
    stamp = max((root / f.path).stat().st_mtime for f in spec.files)

    def parse() -> pd.DataFrame:
        try:
            return apply(spec.splits[split], root)
        except (OSError, ValueError, KeyError) as err:
            raise DatasetError(f"Could not read {spec.title} from {root}: {err}") from err

    frame = _parsed.get_or_load((name, str(root), split, stamp), parse)
    return LoadedDataset(spec, split, frame.copy(), source, root, note)
