"""Market statistics: headline figures and charts, filtered in place with HTMX."""

from __future__ import annotations

import hashlib

from flask import make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app.blueprints.insights import bp
from app.canonical_url import is_canonical
from app.extensions import cache
from app.i18n import current_language
from app.insights.figures import stats_charts
from app.insights.filters import StatsFilters, parse_stats_filters
from app.insights.stats import filter_choices, issuance_by_country, market_stats
from app.models import current_data_version
from app.world_map import by_atlas_key, world_map

RESULTS_ID = "stats-results"


def _results_html(version: int, filters: StatsFilters, warnings: list[str]) -> Markup:
    """The results region. Without warnings it depends only on the data version and the
    filters, so it is cached whole: drawing six SVG charts and their tables costs more than
    the 5 ms a warm page may take."""
    key = None
    if not warnings:
        digest = hashlib.sha1(repr(filters).encode(), usedforsecurity=False).hexdigest()
        key = f"insights:stats-results:v{version}:{current_language()}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            return Markup(cached)  # noqa: S704  rendered (escaped) by Jinja below
    figures = market_stats(filters)
    html = render_template(
        "insights/_stats_results.html",
        filters=filters,
        warnings=warnings,
        stats=figures,
        charts=stats_charts(figures),
        world_map=_issuance_map(filters),
    )
    if key:
        cache.set(key, html)
    return Markup(html)  # noqa: S704  rendered (escaped) by Jinja


def _issuance_map(filters: StatsFilters) -> Markup:
    values = by_atlas_key((name, None, issued) for name, issued in issuance_by_country(filters))
    return world_map(
        values,
        title=_("Map of credits issued by country"),
        unit=(_("credit issued"), _("credits issued")),
        geometry_url=url_for("icons.map_geometry"),
        link=lambda names: url_for("insights.stats", **filters.with_country(names).to_args()),
        selected=filters.country,
        chart_id="stats-map",
    )


@bp.get("/stats")
def stats():
    filters, warnings = parse_stats_filters(request.args)
    if not request.htmx and not warnings and not is_canonical(request.args, filters.to_args()):
        return redirect(url_for("insights.stats", **filters.to_args()))
    version = current_data_version()
    results = _results_html(version, filters, warnings)
    if request.htmx.target == RESULTS_ID:
        body = str(results)
    else:
        body = render_template(
            "insights/stats.html",
            filters=filters,
            results=results,
            choices=filter_choices(),
        )
    # What cannot be read is ignored and named in the results' notice (one rule for every
    # page: 200); the address bar shows the filters that were applied.
    response = make_response(body)
    if warnings and request.htmx:
        response.headers["HX-Push-Url"] = url_for("insights.stats", **filters.to_args())
    response.vary.update(("HX-Request", "HX-Target"))
    return response
