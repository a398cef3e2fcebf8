"""Atomic writes: a file or folder appears complete or not at all, never half-written.

Every write that a reader may see while it happens (run records, the trained-model index, converted
models, downloads, the samples' copies) goes through here, so an interrupted process leaves the
previous version or nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.core.i18n import Text


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; on success it becomes ``path``.

    The temporary name keeps ``path``'s suffix, for writers that look at it (``np.save``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text(path: Path, text: str, newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` through a temporary sibling and a rename."""
    with staged_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        handle.write(text)
    return Path(path)


def write_json(path: Path, data: object) -> Path:
    """``data`` as indented UTF-8 JSON (Korean stays readable), written atomically."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def remove(path: Path) -> None:
    """Delete a folder, file or link if it exists."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def replace_folder(src: Path, dst: Path) -> None:
    """Move the finished folder ``src`` into place as ``dst``, replacing whatever ``dst`` was."""
    src, dst = Path(src), Path(dst)
    if not dst.exists() and not dst.is_symlink():
        os.replace(src, dst)
        return
    old = dst.with_name(f".{dst.name}.old")
    remove(old)
    # Two renames: a folder cannot atomically replace a non-empty one. A reader in the tiny gap
    # finds no folder (and converts or waits) rather than a half-written one.
    os.replace(dst, old)
    os.replace(src, dst)
    remove(old)


@contextmanager
def staged_folder(dst: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it replaces ``dst``, on error it goes.

    A leftover from an interrupted earlier run is removed first.
    """
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.partial")
    remove(tmp)
    tmp.mkdir()
    try:
        yield tmp
        replace_folder(tmp, dst)
    finally:
        remove(tmp)


def move_file(src: Path, dst: Path) -> None:
    """Move a finished file into place (same file system: one atomic rename)."""
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def describe_os_error(err: OSError) -> str:
    """A file-system failure in words a user can act on (disk full, no permission, ...)."""
    import errno

    where = Text(" ({f})", "({f})", f=str(err.filename)) if err.filename else ""
    if err.errno == errno.ENOSPC:
        return Text(
            "The disk is full{where}. Free some space, or point PLAYGROUND_CACHE / "
            "PLAYGROUND_RUNS at a folder on a disk with room.",
            "디스크가 가득 찼습니다{where}. 공간을 비우거나 `PLAYGROUND_CACHE` / "
            "`PLAYGROUND_RUNS`를 여유 있는 디스크의 폴더로 지정하세요.",
            where=where,
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Text(
            "This folder cannot be written{where}: {why}. Point PLAYGROUND_CACHE / "
            "PLAYGROUND_RUNS at a writable folder.",
            "이 폴더에 쓸 수 없습니다{where}. `PLAYGROUND_CACHE` / `PLAYGROUND_RUNS`를 쓰기 가능한 "
            "폴더로 지정하세요.",
            where=where, why=str(err.strerror),
        )  # fmt: skip
    if err.errno in (errno.ENOTDIR, errno.EEXIST):
        return Text(
            "A file stands where a folder is needed{where}. Move it, or change the setting.",
            "폴더가 있어야 할 자리에 파일이 있습니다{where}. 파일을 옮기거나 설정을 바꾸세요.",
            where=where,
        )
    return Text(
        "A file could not be read or written{where}: {why}.",
        "파일을 읽거나 쓰지 못했습니다{where}: {why}.",
        where=where, why=str(err.strerror or err),
    )  # fmt: skip


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and write a file in it: fail now, not after minutes of work.

    Raises:
        OSError: the folder cannot be created or written (``describe_os_error`` words it).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, probe = tempfile.mkstemp(dir=folder, prefix=".writable.")
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
