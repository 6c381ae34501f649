"""The JSON API, /api/v1 (placeholder until issue 7 lands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
