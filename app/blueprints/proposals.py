"""Proposals (placeholder until its issue lands)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("proposals", __name__)


@bp.get("/proposals")
def index():
    return render_template("placeholder.html", title="Proposals")
