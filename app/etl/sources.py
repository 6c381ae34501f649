"""Getting the raw inputs: local files copied, or downloads streamed to disk, with checksums.

No Flask: the caller passes the settings.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from app.etl.errors import SourceError

CHUNK = 1024 * 1024


def require_complete_text(data: bytes, label: str) -> None:
    """A text table cut short (a truncated download, a partial copy) ends mid-line."""
    if data and not data.endswith((b"\n", b"\r")):
        raise SourceError(
            f"{label} ends in the middle of a line: the file looks truncated; "
            "nothing was loaded from it"
        )


def last_bytes(path: Path, count: int = 1) -> bytes:
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - count, 0))
        return handle.read(count)


def download(url: str, folder: Path, *, timeout: float, max_bytes: int) -> Path:
    """Stream ``url`` into ``folder``; a SourceError names the URL and what went wrong."""
    name = Path(urlparse(url).path).name or "download"
    target = folder / name
    partial = folder / f".{name}.part"
    try:
        _stream(url, partial, timeout=timeout, max_bytes=max_bytes)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def _stream(url: str, partial: Path, *, timeout: float, max_bytes: int) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            declared = response.headers.get("Content-Length")
            if declared is not None and int(declared) > max_bytes:
                raise SourceError(f"{url}: {int(declared):,} bytes is over the {max_bytes:,} limit")
            received = 0
            with partial.open("wb") as out:
                while chunk := response.read(CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise SourceError(f"{url}: more than the {max_bytes:,} byte limit")
                    out.write(chunk)
            if declared is not None and received != int(declared):
                raise SourceError(f"{url}: truncated ({received:,} of {int(declared):,} bytes)")
    except urllib.error.HTTPError as error:
        raise SourceError(f"{url}: HTTP {error.code} {error.reason}") from error
    except http.client.HTTPException as error:
        raise SourceError(f"{url}: download broke off ({error!r})") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SourceError(f"{url}: download failed ({reason})") from error


def copy_into(paths: list[Path], folder: Path) -> list[Path]:
    """Copy local input files into the run's archive folder."""
    copies = []
    for path in paths:
        target = folder / path.name
        shutil.copyfile(path, target)
        copies.append(target)
    return copies


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
