"""Market statistics: headline figures and charts, filtered in place with HTMX."""

from __future__ import annotations

from flask import make_response, render_template, request

from app.blueprints.insights import bp
from app.insights.figures import stats_charts
from app.insights.filters import parse_stats_filters
from app.insights.stats import filter_choices, market_stats

RESULTS_ID = "stats-results"


@bp.get("/stats")
def stats():
    filters, warnings = parse_stats_filters(request.args)
    figures = market_stats(filters)
    context = {"filters": filters, "warnings": warnings, "stats": figures}
    context["charts"] = stats_charts(figures)
    if request.htmx.target == RESULTS_ID:
        template = "insights/_stats_results.html"
    else:
        template = "insights/stats.html"
        context["choices"] = filter_choices()
    # A bad filter value is the user's to fix: say so (400), and show what the rest selects.
    response = make_response(render_template(template, **context), 400 if warnings else 200)
    response.vary.update(("HX-Request", "HX-Target"))
    return response
