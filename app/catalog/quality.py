"""What a buyer checks on a project page before anything else: its quality labels (and on
which of its credits they sit), its crediting period, its buffer contributions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, literal

from app.catalog.labels import Badge, VintageLabels, credit_level_labels, project_badges
from app.models import Project, utcnow

# The crediting-period facet: projects whose period has ended, or ends within a year.
CREDITING_VALUES = ("ended", "ends_within_12_months")
CREDITING_LABELS = {
    "ended": _l("Has ended"),
    "ends_within_12_months": _l("Ends within 12 months"),
}
SOON = timedelta(days=365)


def today() -> date:
    return utcnow().date()


def crediting_state(end: date | None, on: date) -> str | None:
    """'ended', 'ends_within_12_months', or None (still running past a year, or unknown)."""
    if end is None:
        return None
    if end < on:
        return "ended"
    return "ends_within_12_months" if end <= on + SOON else None


def crediting_column(on: date | None = None, end=Project.crediting_period_end):
    """The SQL of ``crediting_state`` over project.crediting_period_end (or ``end``)."""
    on = on or today()
    return case(
        (end < on, literal("ended")),
        (end <= on + SOON, literal("ends_within_12_months")),
        else_=None,
    )


@dataclass(frozen=True)
class ProjectQuality:
    badges: list[Badge]
    by_vintage: list[VintageLabels]
    crediting_start: date | None
    crediting_end: date | None
    crediting_state: str | None
    buffer_share: float | None

    @property
    def crediting_label(self) -> str | None:
        return CREDITING_LABELS.get(self.crediting_state or "")


def buffer_share(project: Project) -> float | None:
    """Buffer pool deposits as a share of the credits issued; None without both figures."""
    if not project.buffer_deposits or not project.issued:
        return None
    return project.buffer_deposits / project.issued


def project_quality(project: Project) -> ProjectQuality:
    return ProjectQuality(
        badges=project_badges([project.id])[project.id],
        by_vintage=credit_level_labels(project.id),
        crediting_start=project.crediting_period_start,
        crediting_end=project.crediting_period_end,
        crediting_state=crediting_state(project.crediting_period_end, today()),
        buffer_share=buffer_share(project),
    )
