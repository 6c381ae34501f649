"""Standard forms shared by both sources: ids, registries, countries, statuses.

Pure pandas: each function takes a frame and returns a new one.
"""

from __future__ import annotations

import re

import pandas as pd

from app.etl import columns as c

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

# One spelling per country: the variants either source uses, folded to lower case.
COUNTRY_ALIASES = {
    "viet nam": "Vietnam",
    "dr congo": "Democratic Republic of the Congo",
    "drc": "Democratic Republic of the Congo",
    "congo, the democratic republic of the": "Democratic Republic of the Congo",
    "democratic republic of congo": "Democratic Republic of the Congo",
    "cote d'ivoire": "Côte d'Ivoire",
    "ivory coast": "Côte d'Ivoire",
    "turkey": "Türkiye",
    "turkiye": "Türkiye",
    "usa": "United States",
    "us": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "korea, republic of": "South Korea",
    "republic of korea": "South Korea",
    "lao pdr": "Laos",
    "lao people's democratic republic": "Laos",
    "russian federation": "Russia",
    "cabo verde": "Cape Verde",
    "not found": None,
    "unknown": None,
}

_ID = re.compile(r"^\s*([A-Za-z]+)[\s\-_]*(\w*?)\s*$")
_SPACES = re.compile(r"\s+")
# "www.example.org" or "example.org/path": a web address written without its scheme.
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?$", re.IGNORECASE)

STATUS_GROUP_RULES = (
    # (group, words any of which in the folded status puts it there), first match wins
    ("withdrawn", ("withdraw", "cancel", "reject", "denied", "inactive", "transfer to another")),
    ("completed", ("complete",)),
    (
        "registered",
        (
            "registered",
            "certified project",
            "late to verify",
            "verification",
            "renewal",
            "transitioned",
            "transferred from",
            "requantification",
            "on hold",
        ),
    ),
    (
        "listed",
        (
            "listed",
            "under development",
            "under validation",
            "certified design",
            "registration requested",
            "registration and verification approval requested",
            "registration request",
        ),
    ),
)


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


def country_name(raw: str | None) -> str | None:
    if raw is None or pd.isna(raw):
        return None
    text = _SPACES.sub(" ", str(raw)).strip()
    if not text:
        return None
    return COUNTRY_ALIASES.get(text.lower(), text)


def status_group(raw: str | None) -> str:
    """The harmonised status used for the facet: listed, registered, completed, withdrawn."""
    if raw is None or pd.isna(raw):
        return "unknown"
    folded = _SPACES.sub(" ", str(raw).replace("_", " ")).strip().lower()
    for group, words in STATUS_GROUP_RULES:
        if any(word in folded for word in words):
            return group
    return "unknown"


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
    return frame.assign(**{c.COUNTRY: frame[c.COUNTRY].map(country_name)})


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
    return frame.assign(**{c.STATUS_GROUP: frame[c.STATUS].map(status_group)})


def clean_text(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Fold white space in text columns; empty strings become missing."""
    cleaned = {}
    for name in names:
        if name in frame.columns:
            values = frame[name].astype("string").str.replace(_SPACES, " ", regex=True).str.strip()
            cleaned[name] = values.mask(values == "")
    return frame.assign(**cleaned)
