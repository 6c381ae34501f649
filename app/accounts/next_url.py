"""Where to go after signing in: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a local path ('/account/projects?x=1'), else None.

    Refuses anything a browser could read as another host: '//evil', '/\\evil',
    'https://evil', 'javascript:...', and control characters that browsers strip.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
