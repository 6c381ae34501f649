"""Projects (placeholder until its issue lands)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("catalog", __name__)


@bp.get("/projects")
def search():
    return render_template("placeholder.html", title="Projects")
