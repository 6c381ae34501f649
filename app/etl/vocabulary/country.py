"""Country: ISO 3166-1 (pycountry), stored by alpha-2 code, shown by a short common name.

A source's spelling is looked up as an ISO code, name, common name or official name
(``Viet Nam``, ``Vietnam``, ``VN``), then in ``ALIASES`` for the spellings ISO does not
know (``DRC``, ``Ivory Coast``, ``Turkey``). The display name is ``DISPLAY_NAMES`` for the
codes whose ISO name reads like an index entry, else pycountry's common name, else its
name. A value nothing resolves (``International``) keeps its text and gets no code.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

_SPACES = re.compile(r"\s+")

# spelling (folded to lower case) -> alpha-2; only what pycountry's lookup does not find
ALIASES = {
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo, democratic republic of the": "CD",
    "republic of the congo": "CG",
    "congo-brazzaville": "CG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "turkey": "TR",
    "turkiye": "TR",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "uk": "GB",
    "great britain": "GB",
    "russia": "RU",
    "cape verde": "CV",
    "lao pdr": "LA",
    "swaziland": "SZ",
    "burma": "MM",
    "macedonia": "MK",
    "palestine": "PS",
    "kosovo": "XK",
    "east timor": "TL",
    "brunei": "BN",
    "micronesia": "FM",
}
# Kosovo has no ISO 3166-1 entry; XK is the user-assigned code the EU and the IMF use.
EXTRA_NAMES = {"XK": "Kosovo"}
DISPLAY_NAMES = {
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "RU": "Russia",
    "PS": "Palestine",
    "FM": "Micronesia",
    "BN": "Brunei",
    "VA": "Vatican City",
    "KP": "North Korea",
    "KR": "South Korea",
}
NO_COUNTRY = ("", "not found", "unknown", "n/a", "none")


def _fold(raw) -> str:
    return _SPACES.sub(" ", str(raw)).strip()


@lru_cache(maxsize=4096)
def country_code(raw: str | None) -> str | None:
    """'Viet Nam', 'Vietnam', 'VN' -> 'VN'; 'DRC' -> 'CD'; 'International' -> None."""
    if not isinstance(raw, str):
        return None
    text = _fold(raw)
    if text.lower() in NO_COUNTRY:
        return None
    alias = ALIASES.get(text.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def display_name(code: str) -> str:
    """An ISO 3166 code's name as people write it ('VN' -> 'Vietnam'); the code if unknown."""
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    if code in EXTRA_NAMES:
        return EXTRA_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) or pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def country_name(raw: str | None) -> str | None:
    """The name shown: ISO's (short form) when the value resolves, else the text as given."""
    if not isinstance(raw, str):
        return None
    code = country_code(raw)
    if code:
        return display_name(code)
    text = _fold(raw)
    return None if text.lower() in NO_COUNTRY else text
