"""Market statistics: headline figures and charts, filtered in place with HTMX."""

from __future__ import annotations

import hashlib

from flask import make_response, render_template, request
from markupsafe import Markup

from app.blueprints.insights import bp
from app.extensions import cache
from app.insights.figures import stats_charts
from app.insights.filters import StatsFilters, parse_stats_filters
from app.insights.stats import filter_choices, market_stats
from app.models import current_data_version

RESULTS_ID = "stats-results"


def _results_html(version: int, filters: StatsFilters, warnings: list[str]) -> Markup:
    """The results region. Without warnings it depends only on the data version and the
    filters, so it is cached whole: drawing six SVG charts and their tables costs more than
    the 5 ms a warm page may take."""
    key = None
    if not warnings:
        digest = hashlib.sha1(repr(filters).encode(), usedforsecurity=False).hexdigest()
        key = f"insights:stats-results:v{version}:{digest}"
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
    )
    if key:
        cache.set(key, html)
    return Markup(html)  # noqa: S704  rendered (escaped) by Jinja


@bp.get("/stats")
def stats():
    filters, warnings = parse_stats_filters(request.args)
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
    # A bad filter value is the user's to fix: say so (400), and show what the rest selects.
    response = make_response(body, 400 if warnings else 200)
    response.vary.update(("HX-Request", "HX-Target"))
    return response
