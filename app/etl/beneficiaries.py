"""Harmonised beneficiary names: one key per retiring organisation, whatever the spelling.

Pure functions, no Flask: ``beneficiary_key`` folds a registry's raw "retired on behalf
of" text to a key (case, accents, punctuation, legal suffixes such as Inc, Ltd, LLC, GmbH,
S.A., AG, plc; "on behalf of" phrasing; placeholders such as "Not disclosed" give none).
The key is also the beneficiary's URL slug. ``fill_beneficiary_keys`` is the pandas step
that applies it (and the admins' confirmed merges) to a frame of raw names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

MAX_KEY_LENGTH = 120
# A longer "name" is a sentence we could not take apart: its first words still tell it.
MAX_KEY_WORDS = 8
# "Retired by Key Carbon on behalf of OR Royalties Inc." -> "OR Royalties Inc."
_ON_BEHALF_START = re.compile(
    r"^(?:.*?\b(?:retired|retiring|retirement|retire|cancell?ed|redeemed|credits)\b.*?)?"
    r"\bon\s+(?:the\s+)?be\s?half\s+of\s+",
    re.I,
)
# What follows the name in such a sentence: a purpose, a period, subsidiaries.
_TRAILING_CLAUSE = re.compile(
    r"\s+(?:and\s+its\b|to\s+|for\s+|as\s+|in\s+support\b|under\s+|towards?\s+|"
    r"covering\s+|[-\u2013\u2014]\s+|;|:\s).*$",
    re.I,
)
_PARENTHESES = re.compile(r"[(\uff08\[].*?[)\uff09\]]")
# "Grupo VIKO SA -- offsetting ...", "TAV A.S. - Reporting Period: ...": a dash ends the name.
_DASHED_TAIL = re.compile(r"\s+(?:--?|[\u2013\u2014])\s+.*$")
_NON_WORD = re.compile(r"[^\w]+")
# Texts that name nobody.
PLACEHOLDERS = frozenset(
    {
        "",
        "na",
        "n a",
        "none",
        "null",
        "unknown",
        "not disclosed",
        "undisclosed",
        "anonymous",
        "anonymously",
        "confidential",
        "private",
        "no owner",
        "not applicable",
        "not specified",
    }
)
# Legal forms, as words once dots are dropped ("S.A." -> "sa"), stripped from the end.
LEGAL_SUFFIXES = (
    ("sa", "de", "cv"),
    ("sapi", "de", "cv"),
    ("s", "de", "rl"),
    ("de", "cv"),
    ("private", "limited"),
    ("pvt", "ltd"),
    ("pty", "ltd"),
    ("co", "ltd"),
    ("limited", "sirketi"),
    ("societa", "benefit"),
    ("inc",),
    ("incorporated",),
    ("ltd",),
    ("limited",),
    ("llc",),
    ("llp",),
    ("lp",),
    ("plc",),
    ("gmbh",),
    ("ag",),
    ("kg",),
    ("se",),
    ("sa",),
    ("sas",),
    ("sarl",),
    ("srl",),
    ("spa",),
    ("sb",),
    ("sl",),
    ("ltda",),
    ("as",),
    ("asa",),
    ("ab",),
    ("oy",),
    ("oyj",),
    ("bv",),
    ("nv",),
    ("corp",),
    ("corporation",),
    ("co",),
    ("company",),
    ("group",),
    ("holding",),
    ("holdings",),
    ("pte",),
    ("pty",),
    ("pvt",),
    ("kk",),
    ("cjsc",),
)
_LEADING_WORDS = ("the",)
_TRAILING_WORDS = ("and", "the", "of")


def fold(text: str) -> str:
    """Lower case, accents stripped (the Turkish dotless i too), white space folded."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u0131", "i").replace("\u0130", "I"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def named_party(text: str) -> str:
    """The organisation a sentence names: the part after "on behalf of", before its purpose."""
    text = _PARENTHESES.sub(" ", text.split(";")[0])
    match = _ON_BEHALF_START.search(text)
    if match:
        text = _TRAILING_CLAUSE.sub("", text[match.end() :])
    return _DASHED_TAIL.sub("", text)


def _words(text: str) -> list[str]:
    text = _PARENTHESES.sub(" ", text)
    # Dots and slashes inside abbreviations join their letters: S.A. -> sa, S/A -> sa.
    text = re.sub(r"(?<=\w)[./'\u2019](?=\w)", "", text).replace("&", " and ")
    return [word for word in _NON_WORD.sub(" ", text).split() if word]


def _strip_suffixes(words: list[str]) -> list[str]:
    changed = True
    while changed and len(words) > 1:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words = words[: -len(suffix)]
                changed = True
                break
        while len(words) > 1 and words[-1] in _TRAILING_WORDS:
            words, changed = words[:-1], True
    while len(words) > 1 and words[0] in _LEADING_WORDS:
        words = words[1:]
    return words


def beneficiary_key(raw: str | None) -> str | None:
    """The harmonised key of a raw beneficiary text, or None when it names nobody.

    'Shopify Inc.' and 'SHOPIFY, INC' -> 'shopify'; 'Retired on behalf of the
    International Monetary Fund to manage ...' -> 'international-monetary-fund'.
    """
    if raw is None or not isinstance(raw, str):
        return None
    text = fold(named_party(raw.strip()))
    if text.startswith("no owner") or text.strip(" .-") in PLACEHOLDERS:
        return None
    words = _strip_suffixes(_words(text))
    if not words or " ".join(words) in PLACEHOLDERS:
        return None
    return "-".join(words[:MAX_KEY_WORDS])[:MAX_KEY_LENGTH].strip("-") or None


def display_rank(raw: str, records: int) -> tuple:
    """Sort key choosing the spelling a beneficiary is shown by: the most used, then a plain
    name over an "on behalf of" sentence, mixed case over capitals, the shorter."""
    sentence = bool(_ON_BEHALF_START.search(raw))
    shouting = raw.isupper()
    return (-records, sentence, shouting, len(raw), raw)


def fill_beneficiary_keys(
    names: pd.DataFrame, aliases: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A frame of raw names (column ``beneficiary``) with its ``beneficiary_key`` column:
    the harmonised key, or the key an admin merged it into (``aliases``: key -> key)."""
    aliases = aliases or {}
    keys = names["beneficiary"].map(beneficiary_key)
    merged = keys.map(lambda key: aliases.get(key, key) if key is not None else None)
    return names.assign(beneficiary_key=merged.astype(object))
