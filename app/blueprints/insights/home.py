"""The home page and the data page."""

from __future__ import annotations

from flask import render_template

from app.blueprints.insights import bp
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
    return render_template(
        "insights/data.html", report=last_successful_sync(), source_labels=SOURCE_LABELS
    )
