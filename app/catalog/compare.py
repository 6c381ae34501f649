"""Compare: up to four projects side by side, the selection kept in the URL (?ids=VCS191,GLD561)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.catalog.projects import YearlyCredits, get_project, yearly_credits
from app.models import Project

MAX_COMPARED = 4
_SEPARATORS = re.compile(r"[\s,;]+")
# (attribute, label): the rows of the comparison, in order.
COMPARED_FIELDS = (
    ("registry", _l("Registry")),
    ("status", _l("Status")),
    ("country", _l("Country")),
    ("scope", _l("Scope")),
    ("project_type", _l("Project type")),
    ("methodology", _l("Methodology")),
    ("developer", _l("Developer")),
    ("certifications", _l("Labels")),
)


@dataclass(frozen=True)
class Compared:
    project: Project
    yearly: YearlyCredits

    @property
    def remaining(self) -> int:
        return (self.project.issued or 0) - (self.project.retired or 0)


def parse_compare_ids(args: MultiDict) -> tuple[list[str], list[str]]:
    """The ids asked for (comma-separated or repeated, duplicates dropped, at most four) and
    what was ignored."""
    ids: list[str] = []
    for raw in args.getlist("ids"):
        for part in _SEPARATORS.split(raw):
            part = part.strip().upper()[:40]
            if part and part not in ids and "\x00" not in part:
                ids.append(part)
    notices = []
    if len(ids) > MAX_COMPARED:
        dropped = ", ".join(ids[MAX_COMPARED:])
        notices.append(
            _(
                "Ignored %(ids)s: up to %(count)s projects are compared at once.",
                ids=dropped,
                count=MAX_COMPARED,
            )
        )
        ids = ids[:MAX_COMPARED]
    return ids, notices


def load_compared(ids: list[str]) -> tuple[list[Compared], list[str]]:
    """The projects found (in the order asked) with their credits by year, and the ids not found."""
    found, missing = [], []
    for project_id in ids:
        project = get_project(project_id)
        if project is None:
            missing.append(project_id)
        else:
            found.append(Compared(project, yearly_credits(project)))
    return found, missing


def shared_years(compared: list[Compared]) -> list[int]:
    """Every year from the earliest to the latest of any compared project: one shared axis."""
    years = [year for item in compared for year in item.yearly.years]
    return list(range(min(years), max(years) + 1)) if years else []


def on_years(yearly: YearlyCredits, years: list[int]) -> tuple[list[int], list[int]]:
    """The project's issued and retired per year of the shared axis (0 where it has none)."""
    issued = dict(zip(yearly.years, yearly.issued, strict=True))
    retired = dict(zip(yearly.years, yearly.retired, strict=True))
    return [issued.get(y, 0) for y in years], [retired.get(y, 0) for y in years]


def compare_ids_arg(ids: list[str]) -> str:
    return ",".join(ids)
