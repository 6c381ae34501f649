"""How far an archive (zip, or an xlsx workbook, which is a zip) may unpack.

Checked from the archive's directory before anything is extracted: the total unpacked
size, the number of members and each large member's compression ratio. Python's zipfile
never inflates a member past the size its directory declares, so the declared sizes are
the bound for everything that reads the archive with it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _

# A member this small may compress as well as it likes: it cannot hurt.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class UnpackLimits:
    max_bytes: int
    max_ratio: float

    @classmethod
    def from_config(cls, config) -> UnpackLimits:
        return cls(config["UPLOAD_MAX_UNPACKED_BYTES"], config["UPLOAD_MAX_COMPRESSION_RATIO"])


def _size(count: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def unpack_problem(archive_file: BinaryIO | str, limits: UnpackLimits) -> str | None:
    """Why this archive must not be unpacked, in words for the person who sent it; else None."""
    try:
        with zipfile.ZipFile(archive_file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return _("it is not a readable zip archive")
    if len(members) > MAX_MEMBERS:
        return _(
            "it holds %(count)s files, more than %(limit)s",
            count=f"{len(members):,}",
            limit=f"{MAX_MEMBERS:,}",
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_bytes:
        return _(
            "it unpacks to %(size)s, over the limit of %(limit)s",
            size=_size(total),
            limit=_size(limits.max_bytes),
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > limits.max_ratio:
            return _(
                "%(name)s is compressed %(ratio)s to 1 (%(size)s from %(packed)s); real data "
                "stays under %(limit)s to 1",
                name=member.filename,
                ratio=f"{ratio:,.0f}",
                size=_size(member.file_size),
                packed=_size(member.compress_size),
                limit=f"{limits.max_ratio:,.0f}",
            )
    return None
