"""The OpenAPI 3.1 document, assembled from each API module's description."""

from __future__ import annotations

from flask import jsonify, render_template, url_for

from app.blueprints.api import bp, news, projects, stats

API_MODULES = (projects, stats, news)

# Shared by every module: errors are RFC 9457 problem documents.
BASE_SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "An error, as application/problem+json (RFC 9457).",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "string"}},
            "invalid-params": {
                "type": "array",
                "description": "Each query parameter that cannot be used, and why.",
                "items": {
                    "type": "object",
                    "required": ["name", "reason"],
                    "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
        },
    }
}


def openapi_document() -> dict:
    paths: dict = {}
    schemas: dict = dict(BASE_SCHEMAS)
    for module in API_MODULES:
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CarbonScope API",
            "version": "1.0.0",
            "description": (
                "Projects of the voluntary carbon market's registries, their credits, market "
                "statistics and news. Read-only; open to every origin. Errors are "
                "application/problem+json. Data: CarbonPlan OffsetsDB and the Berkeley Carbon "
                "Trading Project's VROD (CC BY 4.0)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


def endpoint_index() -> list[dict]:
    """Every operation of the OpenAPI document: path, method, summary, in document order."""
    operations = []
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": f"{bp.url_prefix}{path}",
                    "summary": operation.get("summary", ""),
                }
            )
    return operations


@bp.get("/")
def index():
    """The API's front door: what it serves and where its reference is."""
    return jsonify(
        title="CarbonScope API",
        version="1.0.0",
        openapi=url_for("api.openapi_json"),
        docs=url_for("api.docs"),
        endpoints=endpoint_index(),
    )


@bp.get("/docs")
def docs():
    """The OpenAPI document, readable: Swagger UI (from npm, served by us) over the endpoint
    list, which is all a browser without JavaScript shows."""
    return render_template("api/docs.html", endpoints=endpoint_index())
