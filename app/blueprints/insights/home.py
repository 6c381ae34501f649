"""Home and the data page (placeholders until issue 7 lands)."""

from __future__ import annotations

from flask import render_template

from app.blueprints.insights import bp


@bp.get("/")
def home():
    return render_template("placeholder.html", title="CarbonScope")


@bp.get("/data")
def data():
    return render_template("placeholder.html", title="Data")
