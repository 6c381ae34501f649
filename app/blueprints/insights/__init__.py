"""Insights: the home page, market statistics, the data page and news.

The views live in one module per page group; they all hang off this blueprint.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("insights", __name__)

from app.blueprints.insights import home, news, stats  # noqa: E402,F401  (registers views)
