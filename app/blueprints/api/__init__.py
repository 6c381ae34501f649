"""The JSON API, /api/v1.

Each resource lives in its own module, which registers its views on ``bp`` and
describes them in ``OPENAPI_PATHS`` (and any shared ``OPENAPI_SCHEMAS``); the
OpenAPI document at /api/v1/openapi.json is assembled from those.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.blueprints.api import news, openapi, projects, stats  # noqa: E402,F401
