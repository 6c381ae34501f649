"""The statistics as charts: each an SVG (app.charts) and the same numbers as a table."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from app.charts import Series, bar_chart, ranked_bar_chart
from app.etl.reasons import REASON_LABELS
from app.insights.stats import NOT_STATED
from app.templating import format_number, format_share
from app.vocabulary_display import status_label


@dataclass(frozen=True)
class Chart:
    """One chart: its id, title, SVG, and the table (headers, rows) that carries its numbers."""

    chart_id: str
    title: str
    svg: Markup
    headers: tuple[str, ...]
    rows: list[tuple]
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)
    note: str | None = None  # what the chart counts, when that is not obvious


def percent(value: float) -> str:
    """A figure already in percent (51.2) as the page's language writes it: '51.2%'."""
    return format_share(value / 100, decimals=1)


def _per_year_chart(stats: dict, measure: str, chart_id: str, title: str) -> Chart | None:
    rows = stats["by_year"]
    years = sorted({row["year"] for row in rows})
    registries = [row["registry"] for row in stats["by_registry"]]
    values = {(row["year"], row["registry"]): row[measure] for row in rows}
    series = [Series(r, [values.get((year, r), 0) for year in years]) for r in registries]
    series = [s for s in series if any(s.values)]
    if not years or not series:
        return None
    svg = bar_chart([str(y) for y in years], series, title=title, chart_id=chart_id, stacked=True)
    table = [
        (year, *(s.values[i] for s in series), sum(s.values[i] for s in series))
        for i, year in enumerate(years)
    ]
    headers = (_("Year"), *(s.name for s in series), _("Total"))
    return Chart(chart_id, title, svg, headers, table)


def _ranked_chart(
    chart_id: str, title: str, labels: list[str], values: list[float], header: tuple
) -> Chart | None:
    if not labels:
        return None
    svg = ranked_bar_chart(labels, values, title=title, chart_id=chart_id)
    return Chart(chart_id, title, svg, header, list(zip(labels, values, strict=True)))


def _scope_chart(stats: dict) -> Chart | None:
    rows = stats["by_scope"]
    if not rows:
        return None
    title = _("Credits by scope")
    labels = [row["scope"] or str(NOT_STATED) for row in rows]
    svg = ranked_bar_chart(
        labels,
        [row["issued"] for row in rows],
        title=title,
        chart_id="chart-scope",
        series_name=_("Issued"),
    )
    table = [
        (label, row["issued"], row["retired"]) for label, row in zip(labels, rows, strict=True)
    ]
    return Chart("chart-scope", title, svg, (_("Scope"), _("Issued"), _("Retired")), table)


# A vintage is shown only when its known issuance is at least this share of the largest
# vintage's: a ratio over a handful of credits says nothing about the market.
MIN_VINTAGE_SHARE = 0.01


def _is_covered(row: dict, largest: int) -> bool:
    """Enough issuance of the vintage is known, and no more retired than issued is recorded
    (that happens where a source gives retirements a vintage but issuances none)."""
    return row["issued"] >= largest * MIN_VINTAGE_SHARE and row["retired"] <= row["issued"]


def _coverage_note(stats: dict, known: int, hidden: list[int]) -> str:
    filters = stats["filters"]
    # The ratio counts credit records; so does its denominator (the projects' own totals
    # may differ from their records: /data lists where).
    total = stats["totals"].get("records_issued", stats["totals"]["issued"])
    if filters["year_from"] is None and filters["year_to"] is None and total:
        # The totals count years of transactions, the ratio vintages: comparable only unfiltered.
        note = _(
            "Rests on the %(known)s of %(total)s (%(share)s) credits issued whose vintage is "
            "known; yearly figures without a vintage are left out.",
            known=format_number(known),
            total=format_number(total),
            share=format_share(known / total, decimals=1),
        )
    else:
        note = _(
            "Rests on the %(known)s credits issued whose vintage is known; yearly figures "
            "without a vintage are left out.",
            known=format_number(known),
        )
    if hidden:
        listed = ", ".join(str(vintage) for vintage in hidden)
        note += " " + _(
            "Not shown, too thinly covered to mean anything (less than %(share)s of the "
            "largest vintage's issuance, or more retired than issued on record): %(vintages)s.",
            share=format_share(MIN_VINTAGE_SHARE),
            vintages=listed,
        )
    return note


def _ratio_chart(stats: dict) -> Chart | None:
    rows = [row for row in stats["retirement_ratio_by_vintage"] if row["ratio"] is not None]
    if not rows:
        return None
    largest = max(row["issued"] for row in rows)
    shown = [row for row in rows if _is_covered(row, largest)]
    hidden = [row["vintage"] for row in rows if not _is_covered(row, largest)]
    note = _coverage_note(stats, sum(row["issued"] for row in rows), hidden)
    title = _("Retirement ratio (retired ÷ issued) by vintage")
    if not shown:
        return None
    svg = bar_chart(
        [str(row["vintage"]) for row in shown],
        [Series(_("Retired ÷ issued"), [row["ratio"] * 100 for row in shown])],
        title=title,
        chart_id="chart-ratio",
        value_format=percent,
        tick_format=lambda tick: f"{tick:g}%",
    )
    table = [
        (row["vintage"], row["issued"], row["retired"], percent(row["ratio"] * 100))
        for row in shown
    ]
    return Chart(
        "chart-ratio",
        title,
        svg,
        (_("Vintage"), _("Issued"), _("Retired"), _("Ratio")),
        table,
        note=note,
    )


def stats_charts(stats: dict) -> list[Chart]:
    """The statistics page's charts, in page order; charts with no data are left out."""
    countries = stats["top_countries"]
    statuses = stats["projects_by_status"]
    charts = [
        _per_year_chart(
            stats, "issued", "chart-issuance", _("Credits issued per year, by registry")
        ),
        _per_year_chart(
            stats, "retired", "chart-retirement", _("Credits retired per year, by registry")
        ),
        _ranked_chart(
            "chart-countries",
            _("Top %(count)s countries by credits issued", count=len(countries)),
            [row["country"] or str(NOT_STATED) for row in countries],
            [row["issued"] for row in countries],
            (_("Country"), _("Issued")),
        ),
        _scope_chart(stats),
        _ranked_chart(
            "chart-status",
            _("Projects by status"),
            [status_label(row["status_group"]) for row in statuses],
            [row["projects"] for row in statuses],
            (_("Status"), _("Projects")),
        ),
        _ratio_chart(stats),
        _reason_chart(stats),
    ]
    return [chart for chart in charts if chart is not None]


def _reason_chart(stats: dict) -> Chart | None:
    rows = [row for row in stats["retired_by_reason"] if row["retired"]]
    chart = _ranked_chart(
        "chart-reasons",
        _("Credits retired by reason"),
        [REASON_LABELS.get(row["reason_category"], row["reason_category"]) for row in rows],
        [row["retired"] for row in rows],
        (_("Reason"), _("Retired")),
    )
    if chart is None:
        return None
    note = _(
        "Reasons as each registry states them, in five categories (docs/DATA.md); yearly "
        "figures (VROD) state none and count as unknown."
    )
    return Chart(chart.chart_id, chart.title, chart.svg, chart.headers, chart.rows, note=note)


def issuance_per_year_chart(stats: dict) -> Markup | None:
    """The home page's small chart: all registries' issuance per year, one series."""
    totals: dict[int, int] = {}
    for row in stats["by_year"]:
        totals[row["year"]] = totals.get(row["year"], 0) + row["issued"]
    if not any(totals.values()):
        return None
    years = sorted(totals)
    return bar_chart(
        [str(y) for y in years],
        [Series(_("Credits issued"), [totals[y] for y in years])],
        title=_("Credits issued per year"),
        chart_id="home-issuance",
        height=200,
    )
