"""Home, statistics, news and the data page (placeholders until issue 7 lands)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("insights", __name__)


@bp.get("/")
def home():
    return render_template("placeholder.html", title="CarbonScope")


@bp.get("/stats")
def stats():
    return render_template("placeholder.html", title="Statistics")


@bp.get("/news")
def news():
    return render_template("placeholder.html", title="News")


@bp.get("/data")
def data():
    return render_template("placeholder.html", title="Data")
