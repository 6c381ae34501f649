"""The home page and the data page."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from app.blueprints.insights import bp
from app.insights.differences import totals_differences
from app.insights.figures import issuance_per_year_chart
from app.insights.home import home_figures, latest_news_items, most_supported_proposals
from app.insights.sync_report import SOURCE_LABELS, last_successful_sync


@bp.get("/")
def home():
    figures = home_figures()
    return render_template(
        "insights/home.html",
        figures=figures,
        issuance_chart=issuance_per_year_chart(figures),
        proposals=most_supported_proposals(),
        news=latest_news_items(),
    )


@bp.get("/data")
def data():
    raw_page = request.args.get("page", "")
    if raw_page and not (raw_page.isdigit() and int(raw_page) >= 1):
        abort(
            400,
            description=_(
                "page=“%(page)s” is not a page number: pages start at 1.", page=raw_page[:20]
            ),
        )
    differences = totals_differences(int(raw_page or 1))
    return render_template(
        "insights/data.html",
        report=last_successful_sync(),
        source_labels=SOURCE_LABELS,
        differences=differences,
    )
