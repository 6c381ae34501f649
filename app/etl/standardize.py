"""Standard forms shared by both sources: ids, registries, countries, statuses, links.

Pure pandas: each function takes a frame and returns a new one.
"""

from __future__ import annotations

import re

import pandas as pd

from app.etl import columns as c
from app.etl.vocabulary import status as vocabulary_status
from app.etl.vocabulary.country import country_code, country_name

__all__ = ["country_code", "country_name"]  # re-exported: the standard form of a country

REGISTRY_CODES = {
    "vcs": "VCS",
    "verra": "VCS",
    "gold": "GLD",
    "gld": "GLD",
    "gs": "GLD",
    "gold standard": "GLD",
    "gold-standard": "GLD",
    "acr": "ACR",
    "american carbon registry": "ACR",
    "american-carbon-registry": "ACR",
    "car": "CAR",
    "climate action reserve": "CAR",
    "climate-action-reserve": "CAR",
    "art": "ART",
    "art trees": "ART",
    "art-trees": "ART",
}

_ID = re.compile(r"^\s*([A-Za-z]+)[\s\-_]*(\w*?)\s*$")
_SPACES = re.compile(r"\s+")
# "www.example.org" or "example.org/path": a web address written without its scheme.
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?$", re.IGNORECASE)


def canonical_id(raw: str | None) -> str | None:
    """'GS1234' -> 'GLD1234', ' vcs 191' -> 'VCS191'; 'VCSOPR2' stays as it is."""
    if raw is None or pd.isna(raw):
        return None
    text = _SPACES.sub("", str(raw)).upper()
    if not text:
        return None
    if text.startswith("GS") and text[2:].isdigit():
        return "GLD" + text[2:]
    return text


def registry_code(raw: str | None) -> str | None:
    """'verra', 'Gold Standard', 'GOLD' -> 'VCS', 'GLD', 'GLD'; unknown registries -> None."""
    if raw is None or pd.isna(raw):
        return None
    return REGISTRY_CODES.get(_SPACES.sub(" ", str(raw)).strip().lower())


def registry_from_id(project_id: str | None) -> str | None:
    """The registry an id's prefix names: 'GLD12' -> 'GLD', 'VCSOPR2' -> 'VCS'."""
    if not project_id:
        return None
    for code in ("VCS", "GLD", "ACR", "CAR", "ART"):
        if project_id.startswith(code):
            return code
    return None


def status_group(raw: str | None) -> str:
    """The facet's group of a registry status, through its canonical status."""
    return vocabulary_status.status_group(vocabulary_status.canonical_status(raw))


def standardize_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical project ids (GS -> GLD), keeping the source's form in ``raw_project_id``."""
    ids = frame[c.PROJECT_ID]
    return frame.assign(raw_project_id=ids, **{c.PROJECT_ID: ids.map(canonical_id)})


def standardize_registries(frame: pd.DataFrame) -> pd.DataFrame:
    """Registry codes from the registry column, or from the id's prefix when it says nothing."""
    codes = frame[c.REGISTRY].map(registry_code)
    from_ids = frame[c.PROJECT_ID].map(registry_from_id)
    return frame.assign(**{c.REGISTRY: codes.fillna(from_ids)})


def standardize_countries(frame: pd.DataFrame) -> pd.DataFrame:
    """ISO 3166 code and display name (``Viet Nam`` -> ``VN``, ``Vietnam``)."""
    return frame.assign(
        raw_country=frame[c.COUNTRY],
        **{
            c.COUNTRY_CODE: frame[c.COUNTRY].map(country_code).astype(object),
            c.COUNTRY: frame[c.COUNTRY].map(country_name).astype(object),
        },
    )


def web_address(raw: str | None) -> str | None:
    """An http(s) URL, with https:// added to a bare domain; None for anything else."""
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    if text.lower().startswith(("http://", "https://")):
        return text
    return f"https://{text}" if _BARE_DOMAIN.match(text) else None


def standardize_urls(frame: pd.DataFrame) -> pd.DataFrame:
    """Links as http(s) URLs: registries write websites as 'www.example.org', or as prose."""
    names = [name for name in (c.WEBSITE, c.REGISTRY_URL, c.DOCUMENTS_URL) if name in frame]
    return frame.assign(**{name: frame[name].map(web_address) for name in names})


def add_status_group(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical status and its group, from the registry's own status (kept as given)."""
    canonical = frame[c.STATUS].map(vocabulary_status.canonical_status).astype(object)
    return frame.assign(
        **{
            c.STATUS_CANONICAL: canonical,
            c.STATUS_GROUP: canonical.map(vocabulary_status.status_group),
        }
    )
