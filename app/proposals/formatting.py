"""Comment text to HTML: everything escaped, line breaks kept, web links made clickable."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# A link runs to the next white space or character that cannot be part of it in prose.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that usually ends the sentence, not the address.
_TRAILING = ".,;:!?)]}'\""


def _split_trailing(url: str) -> tuple[str, str]:
    """'https://a.org/x).' -> ('https://a.org/x', ').'), keeping balanced parentheses."""
    tail = ""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    return url, tail


def _link(url: str) -> Markup:
    return Markup('<a href="{0}" rel="nofollow noopener ugc">{0}</a>').format(url)


def comment_html(body: str) -> Markup:
    """The comment as safe HTML: escaped text, <br> for line breaks, http(s) links clickable."""
    pieces: list[Markup] = []
    position = 0
    for match in _URL.finditer(body):
        url, _tail = _split_trailing(match.group(0))
        if url.lower() in ("http://", "https://"):
            continue
        pieces.append(escape(body[position : match.start()]))
        pieces.append(_link(url))
        position = match.start() + len(url)
    pieces.append(escape(body[position:]))
    html = Markup("").join(pieces)
    return Markup("<br>\n").join(html.split("\n"))
