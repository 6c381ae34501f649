"""Methodology: one display name per methodology, its code kept.

Codes are CarbonPlan's protocol ids (``all-protocol-mapping.json`` from offsets-db-data,
MIT): OffsetsDB gives them (``['vm0007']``); a VROD text is matched to them by the
mapping's known strings, or by the code it starts with (``ACM0002 Grid-connected ...``,
``AMS-II.G. ...`` -> ``ams-ii-g``). The display name of a code is ``DISPLAY_NAMES``
(methodology-names.json: VROD v2025-12's most common text for that code, else the
mapping's longest known string naming only that code). A project with one code shows
that code's display name; with several, the source's text (or the names joined); with
none, the source's text.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent
_SPACES = re.compile(r"\s+")
# A code at the start of a text: ACM0002, AM0001, AMS-II.G., AR-ACM0003, VM0042, VMR0006.
_LEADING_CODE = re.compile(
    r"^((?:AR-)?(?:ACM|AMS|AM)[-\s]?(?:\d{4}|[IV]+\.[A-Z]+\d?\.?)|VMR?\d{4}|VMD\d{4,5})\b",
    re.IGNORECASE,
)

# VROD's names of protocols the mapping's known strings miss (folded text -> protocol id).
VROD_NAMES = {
    "gs tpddtec reduced emissions from cooking and heating \N{EN DASH} technologies "
    "and practices to displace decentralized thermal energy consumption": "gs-tpddtec",
    "car mexico forest protocol": "car-forest-mx",
    "gs simplified methodology for clean and efficient cookstoves": "gs-simplified-cookstoves",
    "acr improved forest management (ifm) on non-federal u.s. forestlands": "acr-ifm-nonfed",
    "car u.s. landfill protocol": "car-landfill",
    "acr transition to advanced formulation blowing agents in foam manufacturing and use": (
        "acr-foam"
    ),
    "acr certified reclaimed hfc refrigerants, propellants, and fire suppressants": "acr-hfc",
    "acr advanced refrigeration systems": "acr-refrige",
    "gs methodology for metered and measured energy cooking devices": "gs-metered-cookstoves",
    "car u.s. grassland protocol": "car-grassland",
    "acr destruction of ozone depleting substances from international sources": (
        "acr-international-ods"
    ),
    "gs methodology for afforestation/reforestation ghg emissions reduction and sequestration": (
        "gs-reforest"
    ),
    "acr plugging of orphaned oil and gas (oog) wells": "acr-abandoned-wells",
    "car u.s. livestock protocol": "car-livestock",
    "gs methodology for improved cookstoves and kitchen regimes": "gs-kitchen-cookstoves",
    "acr destruction of ozone depleting substances and high-gwp foam": "acr-ods",
    "ecy compliance offset protocol: ozone depleting substances projects (ods)": "ecy-ozone",
    "car u.s. forest protocol": "car-forest",
    "acr landfill gas destruction and beneficial use projects": "acr-landfill",
    "gs retrofit energy efficiency measures in shipping": "gs-shipping",
    "car u.s. nitric acid production protocol": "car-nitric-acid",
    "acr improved forest management (ifm) on canadian forestlands": "acr-canada-forest",
    "car u.s. organic waste composting protocol": "car-organic-composting",
    "car u.s. and canada biochar protocol": "car-biochar",
    "car canada grassland protocol": "car-grassland-ca",
    "acr improved forest management (ifm) on small non-industrial private forestlands": (
        "acr-ifm-small"
    ),
    "acr capturing and destroying methane from coal and trona mines in north america": (
        "acr-mine-methane"
    ),
    "car u.s. soil enrichment protocol": "car-soil",
    "acr afforestation and reforestation of degraded lands": "acr-affor-refor",
    "car u.s. organic waste digestion protocol": "car-waste-digestion",
    "car mexico livestock protocol": "car-livestock-mx",
    "car mexico landfill protocol": "car-landfill-mx",
    "car u.s. adipic acid production protocol": "car-adipic",
    "art - the redd+ environmental excellence standard (trees)": "art-trees",
}

PROTOCOLS: dict[str, dict] = json.loads((_HERE / "all-protocol-mapping.json").read_text())
DISPLAY_NAMES: dict[str, str] = json.loads((_HERE / "methodology-names.json").read_text())


def _known_strings() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for code, entry in PROTOCOLS.items():
        for text in entry.get("known-strings", []):
            found.setdefault(_fold(text), []).append(code)
    return {text: tuple(sorted(set(codes))) for text, codes in found.items()}


def _fold(text) -> str:
    return _SPACES.sub(" ", str(text)).strip().lower()


KNOWN_STRINGS = _known_strings()


def _missing(raw) -> bool:
    return not isinstance(raw, str) or not raw.strip()


def code_of_leading(text: str) -> str | None:
    """'AMS-II.G. Energy efficiency ...' -> 'ams-ii-g' (when the mapping has that id)."""
    match = _LEADING_CODE.match(text.strip())
    if not match:
        return None
    code = re.sub(r"[.\s]+", "-", match[1].lower()).strip("-")
    code = re.sub(r"^(ams|acm|am)-(\d)", r"\1\2", code)
    return code if code in PROTOCOLS else None


@lru_cache(maxsize=8192)
def codes_from_text(raw: str | None) -> tuple[str, ...]:
    """The protocol ids a source's methodology text names (none when unknown)."""
    if _missing(raw):
        return ()
    text = str(raw)
    # "ACM0002 ...; AMS-I.D. ..." names each methodology in turn (the mapping's known
    # strings file such a combination under one of them).
    parts = text.split(";") if ";" in text else [text]
    codes = tuple(code for part in parts for code in _codes_of_one(part))
    return tuple(dict.fromkeys(code for code in codes if code != "unknown"))


def _codes_of_one(text: str) -> tuple[str, ...]:
    folded = _fold(text)
    if folded in KNOWN_STRINGS:
        return KNOWN_STRINGS[folded]
    if folded in VROD_NAMES:
        return (VROD_NAMES[folded],)
    code = code_of_leading(text)
    return (code,) if code else ()


def codes_from_protocol(raw: str | None) -> tuple[str, ...]:
    """OffsetsDB's protocol ids ('vm0007, vm0033') as a tuple; 'unknown' dropped."""
    if _missing(raw):
        return ()
    codes = [part.strip().lower() for part in str(raw).split(",")]
    return tuple(code for code in codes if code and code != "unknown")


def display_name(codes: tuple[str, ...], text: str | None) -> str | None:
    """One name per methodology: the code's display name, else the source's text."""
    if len(codes) == 1 and codes[0] in DISPLAY_NAMES:
        return DISPLAY_NAMES[codes[0]]
    if not _missing(text):
        return _SPACES.sub(" ", str(text)).strip()
    names = [DISPLAY_NAMES.get(code, code.upper()) for code in codes]
    return "; ".join(names) or None


def code_text(codes: tuple[str, ...]) -> str | None:
    return ", ".join(codes) or None
