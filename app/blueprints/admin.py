"""Data sync (placeholder until its issue lands)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("admin", __name__)


@bp.get("/admin/sync")
def sync():
    return render_template("placeholder.html", title="Data sync")
