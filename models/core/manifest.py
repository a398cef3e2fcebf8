"""A folder's list of its own files, so a damaged model is found before anything loads it.

Every folder this app writes for later loading (a converted packaged model, a fine-tuned run, an
n-gram model, an ensemble) ends with a ``manifest.json``, written LAST and atomically: each
file's relative path, size and sha256. A folder with an intact manifest was complete when it was
written; a file cut short later (a full disk, a killed copy, a half-synced volume) no longer
matches it.

``verify(folder, deep=False)`` says what is wrong in one clause, or None. Sizes are compared every
time (a few ``stat`` calls: status pages stay instant). ``deep=True`` also compares checksums,
but each file is hashed at most once per process for a given (path, size, mtime): a model's first
load in a process reads its files once more, every later check costs the ``stat`` calls only.

Folders written before manifests existed ("legacy") have none. ``fault(folder)`` checks them by
structure instead: every safetensors file's header must account for its size, every ``.npz`` must
open, and (deep) every JSON file must parse. A legacy folder that passes and then loads is
*adopted*: its loader writes the manifest (``adopt``), so from then on it is checked like any
other. A folder the app does not own (a user's folder, the Hugging Face cache, a wheel's files)
is only ever checked by structure; nothing is written into it.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
import time
import zipfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from models.core import files

MANIFEST = "manifest.json"
VERSION = 1
_CHUNK = 1 << 22
# A safetensors header beyond this is not a header but damage (real ones are well under 1 MB).
_MAX_HEADER = 100 * 2**20

_hashes: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256
_parsed: dict[tuple[str, int, int], str | None] = {}  # the same key -> a legacy file's fault
_lock = threading.Lock()


def human_size(size: float) -> str:
    """``1.2 MB``, ``470 MB``, ``812 bytes``: sizes as a person reads them."""
    if size < 1024:
        return f"{size:.0f} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.3g} {unit}"


def _short_by(name: str, size: int, expected: int) -> str:
    have, want = human_size(size), human_size(expected)
    if have == want:  # a few bytes apart: the exact counts say it
        have, want = f"{size:,}", f"{expected:,} bytes"
    return f"{name} has {have} of {want}"


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def file_sha256(path: Path) -> str:
    """The file's sha256, computed once per (path, size, modification time) in this process."""
    key = _stamp(path)
    with _lock:
        if key in _hashes:
            return _hashes[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    with _lock:
        _hashes[key] = digest.hexdigest()
    return _hashes[key]


def _listed_names(folder: Path, exclude: Collection[str]) -> list[str]:
    """Every regular file under ``folder`` but the manifest, hidden files and ``exclude``."""
    names = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        hidden = any(part.startswith(".") for part in Path(name).parts)
        if path.is_file() and not hidden and name != MANIFEST and name not in exclude:
            names.append(name)
    return names


def describe_files(folder: Path, names: Iterable[str]) -> dict[str, dict]:
    """``{name: {"size", "sha256"}}`` for files of ``folder``: what a manifest lists."""
    folder = Path(folder)
    return {
        name: {"size": (folder / name).stat().st_size, "sha256": file_sha256(folder / name)}
        for name in names
    }


def write(folder: Path, extra: dict | None = None, exclude: Collection[str] = ()) -> Path:
    """List every file of ``folder`` (but ``exclude``) in its ``manifest.json``; call it last.

    Args:
        folder: a finished folder; files added after this call are not checked.
        extra: anything worth keeping beside the list (what it was converted from, ...).
        exclude: relative paths left out, e.g. metadata other writers update in place.

    Returns:
        The manifest's path.
    """
    folder = Path(folder)
    record = {
        "version": VERSION,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": describe_files(folder, _listed_names(folder, exclude)),
        **({"extra": extra} if extra else {}),
    }
    return files.write_json(folder / MANIFEST, record)


def read(folder: Path) -> dict | None:
    """The folder's manifest, or None when it has none.

    Raises:
        ValueError: the manifest itself cannot be read (it is damaged).
    """
    path = Path(folder) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ValueError(f"{MANIFEST} cannot be read ({err.strerror or err})") from err
    try:
        record = json.loads(text)
    except ValueError as err:
        raise ValueError(f"{MANIFEST} is damaged (not valid JSON)") from err
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        raise ValueError(f"{MANIFEST} is damaged (it lists no files)")
    return record


def has_manifest(folder: Path) -> bool:
    return (Path(folder) / MANIFEST).is_file()


def verify_files(folder: Path, listed: dict[str, dict], deep: bool = False) -> str | None:
    """Compare files with what a manifest lists: None when they match, else what differs."""
    folder = Path(folder)
    for name, info in listed.items():
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        expected = int(info.get("size", -1))
        if size != expected:
            return _short_by(name, size, expected)
    if deep:
        for name, info in listed.items():
            if file_sha256(folder / name) != info.get("sha256"):
                return f"{name} has changed since it was saved (same size, different checksum)"
    return None


def verify(folder: Path, deep: bool = False) -> str | None:
    """None when ``folder`` matches its manifest, else one clause saying what is wrong.

    A folder without a manifest gets "... has no manifest.json"; ``fault`` applies the legacy
    policy instead.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"the folder {folder} is missing"
    try:
        record = read(folder)
    except ValueError as err:
        return str(err)
    if record is None:
        return f"{folder.name} has no {MANIFEST} (it was written before files were checked)"
    return verify_files(folder, record["files"], deep)


# -- folders without a manifest: checked by their structure ---------------------------------------


def safetensors_fault(path: Path) -> str | None:
    """A safetensors file whose header does not account for its size (cut short, or garbage).

    Reads only the header (8 bytes and a JSON of a few KB), whatever the file's size.
    """
    size = path.stat().st_size
    name = path.name
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            return f"{name} is cut short ({human_size(size)})"
        (length,) = struct.unpack("<Q", head)
        if length > min(_MAX_HEADER, size - 8):
            return f"{name} is damaged (its header is cut short or unreadable)"
        try:
            header = json.loads(handle.read(length))
            end = max(
                (int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"),
                default=0,
            )
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return f"{name} is damaged (its header is unreadable)"
    expected = 8 + length + end
    return None if size == expected else _short_by(name, size, expected)


def _zip_fault(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path):
            return None
    except (zipfile.BadZipFile, OSError):
        return f"{path.name} is damaged (cut short or unreadable)"


def _json_fault(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{path.name} is damaged (not valid JSON)"
    return None


def _memo(path: Path, check: Callable[[Path], str | None]) -> str | None:
    """``check(path)``, once per (path, size, modification time) in this process."""
    key = _stamp(path)
    with _lock:
        if key in _parsed:
            return _parsed[key]
    result = check(path)
    with _lock:
        _parsed[key] = result
    return result


def structure_fault(folder: Path, deep: bool = False) -> str | None:
    """What a folder without a manifest shows of damage, from its files' own structure."""
    checks = {".safetensors": safetensors_fault, ".npz": _zip_fault}
    if deep:
        checks[".json"] = _json_fault
    for path in sorted(Path(folder).rglob("*")):
        check = checks.get(path.suffix)
        if check is None or not path.is_file() or path.name.startswith("."):
            continue
        try:
            if (result := _memo(path, check)) is not None:
                return result
        except OSError as err:
            return f"{path.name} cannot be read ({err.strerror or err})"
    return None


def fault(folder: Path, deep: bool = False) -> str | None:
    """What is wrong with ``folder`` as the readers see it: None when it may be loaded.

    With a manifest: ``verify``. Without one (legacy, or not this app's): ``structure_fault``.
    """
    folder = Path(folder)
    if not has_manifest(folder) and folder.is_dir():
        return structure_fault(folder, deep)
    return verify(folder, deep)


def adopt(folder: Path, extra: dict | None = None, exclude: Collection[str] = ()) -> bool:
    """Write the manifest of a legacy folder that has just loaded; False when it cannot be.

    A folder that loads is taken to be whole as it is now; from here on it is checked by its
    manifest. Nothing happens when it has one already.
    """
    folder = Path(folder)
    if has_manifest(folder) or not folder.is_dir() or not os.access(folder, os.W_OK):
        return False
    try:
        write(folder, {"adopted": True, **(extra or {})}, exclude)
    except OSError:
        return False
    return True
