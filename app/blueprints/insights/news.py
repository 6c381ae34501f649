"""News (placeholder until issue 7 lands)."""

from __future__ import annotations

from flask import render_template

from app.blueprints.insights import bp


@bp.get("/news")
def news():
    return render_template("placeholder.html", title="News")
