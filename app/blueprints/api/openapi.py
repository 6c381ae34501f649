"""The OpenAPI 3.1 document, assembled from each API module's description."""

from __future__ import annotations

from flask import jsonify

from app.blueprints.api import bp, news, projects, stats

API_MODULES = (projects, stats, news)


def openapi_document() -> dict:
    paths: dict = {}
    schemas: dict = {}
    for module in API_MODULES:
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "CarbonScope API", "version": "1.0.0"},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
