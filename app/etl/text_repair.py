"""Text as the sources meant it: mojibake repaired, replacement characters flagged,
white space tidied without losing paragraphs.

Pure pandas. ``repair_text`` records what it did in each row's ``flags``:
``{"mojibake_repaired": {field: original text}, "replacement_character": [field, ...]}``.
"""

from __future__ import annotations

import re

import ftfy
import pandas as pd
from ftfy.badness import is_bad

from app.etl import columns as c

MOJIBAKE_REPAIRED = "mojibake_repaired"
REPLACEMENT_CHARACTER = "replacement_character"
# A UTF-8 lead byte read as Latin-1/cp1252 (Â..ô) followed by a continuation byte read the
# same way: every mojibake sequence has one ("Ãœ", "â€™"); clean text rarely does.
_MOJIBAKE_HINT = (
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def fold_spaces(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def tidy_paragraphs(value: str) -> str:
    """Line endings as \\n, spaces folded within each line, at most one blank line."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(_LINE_SPACES.sub(" ", line).strip() for line in lines)
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_text(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """White space tidied in text columns (paragraphs kept in MULTILINE_FIELDS); empty
    strings become missing."""
    cleaned = {}
    for name in names:
        if name not in frame.columns:
            continue
        values = frame[name].astype("string")
        if name in c.MULTILINE_FIELDS:
            values = values.map(tidy_paragraphs, na_action="ignore").astype("string")
        else:
            values = values.str.replace(_SPACES, " ", regex=True).str.strip()
        cleaned[name] = values.mask(values == "")
    return frame.assign(**cleaned)


def repair_text(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Mojibake ('ÃœRETIM') repaired with ftfy.fix_encoding, the original kept in flags;
    U+FFFD (text already lost upstream) flagged."""
    flags = [dict(row) for row in _flags(frame)]
    repaired = {}
    for name in names:
        if name not in frame.columns:
            continue
        values = frame[name].astype("string")
        # ftfy's own badness test first: fixing every non-ASCII text would be slow.
        suspects = values.str.contains(_MOJIBAKE_HINT, regex=True, na=False)
        suspects[suspects] = values[suspects].map(is_bad).astype(bool)
        fixed = values.copy()
        fixed[suspects] = values[suspects].map(ftfy.fix_encoding)
        for position in (values[suspects] != fixed[suspects]).to_numpy().nonzero()[0]:
            row = suspects.to_numpy().nonzero()[0][position]
            flags[row].setdefault(MOJIBAKE_REPAIRED, {})[name] = values.iloc[row]
        lost = fixed.str.contains("\ufffd", regex=False, na=False).to_numpy().nonzero()[0]
        for row in lost:
            flags[row].setdefault(REPLACEMENT_CHARACTER, []).append(name)
        repaired[name] = fixed
    return frame.assign(**repaired, **{c.FLAGS: flags})


def _flags(frame: pd.DataFrame):
    if c.FLAGS in frame.columns:
        return [value if isinstance(value, dict) else {} for value in frame[c.FLAGS]]
    return [{} for _ in range(len(frame))]
