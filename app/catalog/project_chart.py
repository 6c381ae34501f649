"""A project's chart and its views: credit records by year, or one of the source's yearly blocks.

The views a user picks between (``?chart=``): issued and retired by year from the credit
records, and the four yearly blocks the sources publish (project_yearly_figure): issued by
vintage, issued by issuance year, retired by year, remaining by vintage. Only the views the
project has data for are offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from app.catalog.projects import YearlyCredits, query_yearly_credits
from app.catalog.search import cache_key
from app.charts import Series, bar_chart
from app.extensions import cache, db
from app.models import YEARLY_BLOCKS, Project, ProjectYearlyFigure

ACTIVITY = "activity"
CHART_VIEWS = {
    ACTIVITY: (_l("Issued and retired by year"), _l("Year")),
    "issued_by_vintage": (_l("Issued by vintage"), _l("Vintage")),
    "issued_by_year": (_l("Issued by issuance year"), _l("Year")),
    "retired_by_year": (_l("Retired by year"), _l("Year")),
    "remaining_by_vintage": (_l("Remaining by vintage"), _l("Vintage")),
}
CAPTIONS = {
    ACTIVITY: _l("Issuance and retirement by year (all credit records of the year)."),
    "issued_by_vintage": _l(
        "Credits issued, by the vintage they belong to (the source's figures)."
    ),
    "issued_by_year": _l("Credits issued, by the year they were issued (the source's figures)."),
    "retired_by_year": _l("Credits retired or cancelled, by year (the source's figures)."),
    "remaining_by_vintage": _l("Credits not yet retired, by vintage (the source's figures)."),
}
YEAR_UNKNOWN = _l("Year unknown")


class UnknownChartView(ValueError):
    """A ``chart`` value that names no view."""


@dataclass(frozen=True)
class ChartData:
    """One view of a project's chart: bar labels and series, and the table's rows.

    A table cell is None where a remaining figure is negative: the source reports more
    retired than issued for that vintage, and the page says so instead of a negative number.
    """

    view: str
    title: str
    axis_label: str
    caption: str
    labels: list[str]
    series: list[Series]
    rows: list[tuple[str, list[int | None]]]
    views: list[tuple[str, str]]
    svg: Markup | None


def _yearly_figures(project_pk: int) -> dict[str, list[tuple[int | None, int]]]:
    figure = ProjectYearlyFigure
    rows = db.session.execute(
        select(figure.block, figure.year, func.sum(figure.quantity))
        .where(figure.project_id == project_pk)
        .group_by(figure.block, figure.year)
    ).all()
    blocks: dict[str, list[tuple[int | None, int]]] = {}
    for block, year, quantity in rows:
        if quantity:
            blocks.setdefault(block, []).append((year, int(quantity)))
    for values in blocks.values():  # years ascending, "Year unknown" last
        values.sort(key=lambda item: (item[0] is None, item[0] or 0))
    return blocks


@dataclass(frozen=True)
class ChartInputs:
    """What every view of a project's chart reads, fetched and cached together."""

    credits: YearlyCredits
    blocks: dict[str, list[tuple[int | None, int]]]

    @property
    def views(self) -> list[str]:
        views = [ACTIVITY] if self.credits.years else []
        return views + [block for block in YEARLY_BLOCKS if block in self.blocks]


def chart_inputs(project: Project) -> ChartInputs:
    """The project's credits by year and its yearly blocks: one cache round trip when warm."""
    key = cache_key("chart-inputs", str(project.id))
    value = cache.get(key)
    if value is None:
        value = ChartInputs(query_yearly_credits(project.id), _yearly_figures(project.id))
        cache.set(key, value)
    return value


def yearly_figures(project: Project) -> dict[str, list[tuple[int | None, int]]]:
    """Per yearly block, (year, quantity) ascending, the unknown year last; cached."""
    return chart_inputs(project).blocks


def parse_view(raw: str | None) -> str | None:
    """The view a ``chart`` value names; None for the default. Raises UnknownChartView."""
    view = (raw or "").strip().lower()
    if not view:
        return None
    if view not in CHART_VIEWS:
        raise UnknownChartView(
            gettext("There is no chart view “%(view)s”: showing the default view.", view=raw[:40])
        )
    return view


def _filled_years(pairs: list[tuple[int | None, int]]) -> list[tuple[int | None, int]]:
    """Every year from the first to the last (zero where nothing), the unknown year kept last."""
    known = {year: quantity for year, quantity in pairs if year is not None}
    unknown = [(None, quantity) for year, quantity in pairs if year is None]
    if not known:
        return unknown
    years = range(min(known), max(known) + 1)
    return [(year, known.get(year, 0)) for year in years] + unknown


def _block_data(inputs: ChartInputs, view: str) -> tuple[list[str], list[Series], list]:
    pairs = _filled_years(inputs.blocks.get(view, []))
    labels = [YEAR_UNKNOWN if year is None else str(year) for year, _ in pairs]
    values = [quantity for _, quantity in pairs]
    name = CHART_VIEWS[view][0]
    cells = [[None if view == "remaining_by_vintage" and value < 0 else value] for value in values]
    return labels, [Series(name, values)], list(zip(labels, cells, strict=True))


def _activity_data(inputs: ChartInputs) -> tuple[list[str], list[Series], list]:
    yearly = inputs.credits
    labels = [str(year) for year in yearly.years]
    series = [
        Series(gettext("Issuance"), yearly.issued),
        Series(gettext("Retirement"), yearly.retired),
    ]
    cells = [list(pair) for pair in zip(yearly.issued, yearly.retired, strict=True)]
    return labels, series, list(zip(labels, cells, strict=True))


def project_chart(project: Project, view: str | None = None) -> ChartData:
    """The chart of ``view`` (or the project's first available one)."""
    inputs = chart_inputs(project)
    views = inputs.views
    view = view if view in views else (views[0] if views else ACTIVITY)
    if view == ACTIVITY:
        labels, series, rows = _activity_data(inputs)
    else:
        labels, series, rows = _block_data(inputs, view)
    title, axis_label = CHART_VIEWS[view]
    svg = None
    if labels:
        svg = bar_chart(
            labels,
            series,
            title=f"{title}: {project.project_id}",
            chart_id="credit-chart-svg",
        )
    return ChartData(
        view=view,
        title=title,
        axis_label=axis_label,
        caption=CAPTIONS[view],
        labels=labels,
        series=series,
        rows=rows,
        views=[(key, CHART_VIEWS[key][0]) for key in views],
        svg=svg,
    )
