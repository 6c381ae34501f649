"""Text normalisation shared by the catalogue's search and the data load.

Pure functions, no Flask: the ETL stores ``search_text`` with them and the
search normalises the user's query with the same rules, so the two always agree.
"""

from __future__ import annotations

import re
import unicodedata

_ID_PATTERN = re.compile(r"^([a-z]+)[\s\-_]*(\d+)$")
_NON_WORD = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip accents and fold white space: 'Açaí  Forest' -> 'acai forest'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def id_variants(project_id: str | None) -> str:
    """'VCS191' -> 'vcs191 vcs 191': so 'VCS 191', 'vcs191' and '191' all match."""
    folded = fold(project_id)
    match = _ID_PATTERN.match(folded.replace(" ", ""))
    if not match:
        return folded
    prefix, number = match.groups()
    return f"{prefix}{number} {prefix} {number}"


def build_search_text(
    project_id: str | None,
    name: str | None,
    developer: str | None = None,
    methodology: str | None = None,
) -> str:
    """The string a project's text search runs against."""
    parts = [id_variants(project_id), fold(name), fold(developer), fold(methodology)]
    return " | ".join(part for part in parts if part)


def query_terms(query: str | None) -> list[str]:
    """Split a user's query into folded terms; an id typed with a space stays one term."""
    folded = _NON_WORD.sub(" ", fold(query)).strip()
    if not folded:
        return []
    joined = _ID_PATTERN.match(folded.replace(" ", "")) if len(folded.split()) == 2 else None
    if joined:
        return [f"{joined.group(1)}{joined.group(2)}"]
    return folded.split()
