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
from models.core.i18n import Text, error_text

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
        return Text("{n:.0f} bytes", "{n:.0f}바이트", n=size)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.3g} {unit}"


def _short_by(name: str, size: int, expected: int) -> str:
    have, want = human_size(size), human_size(expected)
    if have == want:  # a few bytes apart: the exact counts say it
        have, want = f"{size:,}", Text("{n:,} bytes", "{n:,}바이트", n=expected)
    return Text(
        "{name} has {have} of {want}", "`{name}` 파일의 크기가 {want} 중 {have}뿐입니다",
        name=name, have=have, want=want,
    )  # fmt: skip


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
        raise ValueError(_unreadable(MANIFEST, err)) from err
    try:
        record = json.loads(text)
    except ValueError as err:
        raise ValueError(_not_json(MANIFEST)) from err
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        raise ValueError(
            Text("{name} is damaged (it lists no files)",
                 "`{name}` 파일이 손상되었습니다(파일 목록이 없음)", name=MANIFEST)
        )  # fmt: skip
    return record


def _unreadable(name: str, err: OSError) -> Text:
    return Text(
        "{name} cannot be read ({why})", "`{name}` 파일을 읽을 수 없습니다({why})",
        name=name, why=err.strerror or str(err),
    )  # fmt: skip


def _not_json(name: str) -> Text:
    return Text(
        "{name} is damaged (not valid JSON)", "`{name}` 파일이 손상되었습니다(올바른 JSON이 아님)",
        name=name,
    )  # fmt: skip


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
            return Text("{name} is missing", "`{name}` 파일이 없습니다", name=name)
        expected = int(info.get("size", -1))
        if size != expected:
            return _short_by(name, size, expected)
    if deep:
        for name, info in listed.items():
            if file_sha256(folder / name) != info.get("sha256"):
                return Text(
                    "{name} has changed since it was saved (same size, different checksum)",
                    "`{name}` 파일이 저장된 뒤 바뀌었습니다(크기는 같고 체크섬이 다름)",
                    name=name,
                )  # fmt: skip
    return None


def verify(folder: Path, deep: bool = False) -> str | None:
    """None when ``folder`` matches its manifest, else one clause saying what is wrong.

    A folder without a manifest gets "... has no manifest.json"; ``fault`` applies the legacy
    policy instead.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return Text(
            "the folder {folder} is missing", "{folder} 폴더가 없습니다", folder=str(folder)
        )
    try:
        record = read(folder)
    except ValueError as err:
        return error_text(err)
    if record is None:
        return Text(
            "{folder} has no {manifest} (it was written before files were checked)",
            "{folder} 폴더에 `{manifest}` 파일이 없습니다(파일 검사를 도입하기 전에 저장됨)",
            folder=folder.name, manifest=MANIFEST,
        )  # fmt: skip
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
            return Text("{name} is cut short ({size})", "`{name}` 파일이 잘려 있습니다({size})",
                        name=name, size=human_size(size))  # fmt: skip
        (length,) = struct.unpack("<Q", head)
        if length > min(_MAX_HEADER, size - 8):
            return Text(
                "{name} is damaged (its header is cut short or unreadable)",
                "`{name}` 파일이 손상되었습니다(헤더가 잘렸거나 읽을 수 없음)", name=name,
            )  # fmt: skip
        try:
            header = json.loads(handle.read(length))
            end = max(
                (int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"),
                default=0,
            )
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return Text(
                "{name} is damaged (its header is unreadable)",
                "`{name}` 파일이 손상되었습니다(헤더를 읽을 수 없음)", name=name,
            )  # fmt: skip
    expected = 8 + length + end
    return None if size == expected else _short_by(name, size, expected)


def _zip_fault(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path):
            return None
    except (zipfile.BadZipFile, OSError):
        return Text(
            "{name} is damaged (cut short or unreadable)",
            "`{name}` 파일이 손상되었습니다(잘렸거나 읽을 수 없음)", name=path.name,
        )  # fmt: skip


def _json_fault(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _not_json(path.name)
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
            return _unreadable(path.name, err)
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
