"""Fetch upstream dataset files into the data home, with a progress bar and atomically."""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from models.core import files
from models.core.errors import DatasetError
from models.core.i18n import Text

# Hosts that already failed in this process: an offline machine should fall back to the samples
# at once on the next request instead of waiting for the same timeout again.
_unreachable_hosts: set[str] = set()
_lock = threading.Lock()


def _fetch(url: str, dest: Path, timeout: float) -> None:
    from tqdm.auto import tqdm

    host = urlparse(url).netloc
    if host in _unreachable_hosts:
        raise DatasetError(
            Text("{host} could not be reached earlier in this session.",
                 "이번 세션에서 이미 {host}에 연결하지 못했습니다.", host=host)
        )  # fmt: skip
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError) as err:
        with _lock:
            _unreachable_hosts.add(host)
        raise DatasetError(
            Text("Could not download {url}: {why}", "{url}에서 내려받지 못했습니다: {why}",
                 url=url, why=str(getattr(err, "reason", err)))
        ) from err  # fmt: skip
    total = int(response.headers.get("Content-Length") or 0) or None
    with (
        response,
        open(dest, "wb") as out,
        tqdm(total=total, unit="B", unit_scale=True, desc=f"Downloading {Path(dest).name}") as bar,
    ):
        while chunk := response.read(1 << 16):
            out.write(chunk)
            bar.update(len(chunk))


def download(url: str, targets: dict[str | None, Path], timeout: float) -> None:
    """Download ``url`` into the data home atomically: each target appears only once complete.

    Args:
        url: upstream address.
        targets: ``{None: path}`` to save the download itself, or ``{member: path, ...}`` to
            extract members of the .tar.gz at ``url`` (one download for all of them).
        timeout: seconds to wait for the server.
    """
    first = next(iter(targets.values()))
    first.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=first.parent, prefix=".download-") as tmp:
        fetched = Path(tmp) / "fetched"
        _fetch(url, fetched, timeout)
        ready: dict[Path, Path] = {}
        if None in targets:
            ready[fetched] = targets[None]
        else:
            try:
                with tarfile.open(fetched) as archive:
                    for i, (member, dest) in enumerate(targets.items()):
                        source = archive.extractfile(str(member))
                        if source is None:
                            raise KeyError(member)
                        part = Path(tmp) / f"member-{i}"
                        with open(part, "wb") as out:
                            shutil.copyfileobj(source, out)
                        ready[part] = dest
            except (tarfile.TarError, KeyError) as err:
                raise DatasetError(
                    Text("{url} does not hold the expected files: {err}",
                         "{url}에 예상한 파일이 없습니다: {err}", url=url, err=str(err))
                ) from err  # fmt: skip
        for part, dest in ready.items():
            files.move_file(part, dest)
