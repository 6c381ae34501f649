"""Facets over fields that hold several values in one text: a project's states.

Sources write them in one cell ('ARKANSAS; MISSISSIPPI'). Each facet value is one state;
a project counts under each of its own. Counting groups the raw texts in SQL (a few
hundred distinct) and splits them here; filtering matches the value inside the text
(contains, case-insensitively).
"""

from __future__ import annotations

import re

from sqlalchemy import func, literal, literal_column, or_

from app.models import Project

# State cells that name no state or province (VROD writes these for multi-region projects).
NOT_A_STATE = {"national", "other", "multiple", "various", "n/a", "na", "none", "unknown", "-"}
_PARTS = re.compile(r"\s*[;\n]\s*")
_SMALL_WORDS = {"of", "de", "del", "do", "da", "la", "and", "y"}
# Joins a project's state and country into one grouped value (the state check needs both).
# Written into the SQL as a constant, not a parameter: PostgreSQL's GROUPING() must see the
# very expression the GROUP BY has.
STATE_COUNTRY_SEPARATOR = "|"


def _parts(raw: str | None) -> list[str]:
    return [part for part in _PARTS.split((raw or "").strip()) if part]


def split_states(raw: str | None, country: str | None = None) -> list[str]:
    """The states or provinces in a cell; placeholders, counts and the country itself left out."""
    states = []
    for part in _parts(raw):
        folded = part.casefold()
        if folded in NOT_A_STATE or any(c.isdigit() for c in part) or len(part) < 2:
            continue
        if country and folded == country.casefold():
            continue
        states.append(part)
    return states


def state_label(value: str) -> str:
    """'STATE OF MÉXICO' -> 'State of México'; mixed-case names stay as written."""
    if not value.isupper():
        return value
    words = value.lower().split(" ")
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def state_condition(values: tuple[str, ...], state=Project.state):
    """Projects whose state cell lists any of ``values`` as a whole part ('VIRGINIA' is not
    'WEST VIRGINIA'); ``state`` is the cell (project's, or its facet group's)."""
    delimited = literal(";") + func.replace(func.replace(state, "; ", ";"), " ;", ";") + ";"
    return or_(*(delimited.ilike(_like(f";{value};"), escape="\\") for value in values))


def state_group_value(state=Project.state, country=Project.country):
    """The grouped value of the state facet: the state cell and the project's country."""
    empty = literal_column("''")
    return (
        func.coalesce(state, empty)
        + literal_column(f"'{STATE_COUNTRY_SEPARATOR}'")
        + func.coalesce(country, empty)
    )


def _fold_counts(raw_counts: list[tuple[str, int]], split) -> list[tuple[str, int]]:
    """Each value's count: the sum over raw texts that hold it (once per project)."""
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for raw, count in raw_counts:
        values = {value.casefold(): value for value in reversed(split(raw))}
        for key, value in values.items():
            spelled.setdefault(key, value)
            counts[key] = counts.get(key, 0) + count
    return [(spelled[key], count) for key, count in counts.items()]


def state_counts(raw_counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    def split(grouped: str) -> list[str]:
        state, _, country = grouped.partition(STATE_COUNTRY_SEPARATOR)
        return split_states(state, country)

    return _fold_counts(raw_counts, split)
