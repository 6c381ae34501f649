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
_LETTERS_THEN_NUMBER = re.compile(r"^([a-z]+) (\d+)$")
# A typed id: letters, any separators, the number ("GS 561", "vcs-191").
_TYPED_ID = re.compile(r"^([a-z]+)[\s\-_#:./]*(\d{1,12})$")
# Prefixes users and sources write -> the canonical one (VROD and users write GS for GLD).
REGISTRY_PREFIXES = {
    "vcs": "VCS",
    "verra": "VCS",
    "gld": "GLD",
    "gs": "GLD",
    "gold": "GLD",
    "acr": "ACR",
    "car": "CAR",
    "art": "ART",
}
COMMUNITY_PREFIX = "community"


def fold(text: str | None) -> str:
    """Lower-case, strip accents and fold white space: 'Açaí  Forest' -> 'acai forest'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def canonical_project_id(typed: str | None) -> str | None:
    """The canonical id a typed id stands for, or None when it is not one.

    'GS561', 'GS 561', 'gs-561' and 'GLD561' -> 'GLD561'; 'VCS 191' -> 'VCS191';
    'community 7' -> 'COMMUNITY-7'. The one place aliases are read: search, project
    pages and the API all resolve ids through it.
    """
    match = _TYPED_ID.match(fold(typed))
    if not match:
        return None
    prefix, number = match.groups()
    number = str(int(number))  # 'VCS 0191' is VCS191
    if prefix == COMMUNITY_PREFIX:
        return f"COMMUNITY-{number}"
    registry = REGISTRY_PREFIXES.get(prefix)
    return f"{registry}{number}" if registry else None


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
    canonical = canonical_project_id(folded)
    if canonical and not canonical.startswith("COMMUNITY"):
        return [canonical.lower()]
    # An id of another prefix typed with a space ('vcsopr 2'): letters, then a number.
    joined = _LETTERS_THEN_NUMBER.match(folded)
    if joined:
        return [f"{joined.group(1)}{joined.group(2)}"]
    return [_term(word) for word in folded.split()]


def _term(word: str) -> str:
    """One word of a query; an id written with a dash or an alias prefix ('gs-561') is its id."""
    canonical = canonical_project_id(word)
    if canonical and not canonical.startswith("COMMUNITY"):
        return canonical.lower()
    return _ID_PATTERN.sub(r"\1\2", word) if "-" in word or "_" in word else word
