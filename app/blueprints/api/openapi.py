"""The OpenAPI 3.1 document, assembled from each API module's description."""

from __future__ import annotations

import re

from flask import current_app, jsonify, render_template, request, url_for

from app.blueprints.api import bp, changes, credits, news, problem, projects, stats

API_MODULES = (projects, credits, changes, stats, news)

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


_RATE_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the current window.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "When the window ends (Unix time, seconds).",
    "Retry-After": "Seconds until a request is allowed again.",
}
TOO_MANY_REQUESTS = {
    "description": "Over the rate limit for this client address; wait Retry-After seconds.",
    "headers": {
        name: {"description": text, "schema": {"type": "integer"}}
        for name, text in _RATE_HEADERS.items()
    },
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


BAD_REQUEST = {
    "description": (
        "A path, parameter or header the API cannot read: a control character, or over a "
        "documented limit (maxLength, maxItems)."
    ),
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


# What app/request_input.py refuses in every query string, said in each text parameter's schema.
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def _text_schema_without_controls(schema: dict) -> None:
    target = schema.get("items", schema) if schema.get("type") == "array" else schema
    if target.get("type") == "string" and "pattern" not in target:
        target["pattern"] = NO_CONTROL_CHARACTERS


def _with_shared_responses(paths: dict) -> dict:
    """Every operation may answer 400 (the one input check) and 429 (the API's rate limit)."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _text_schema_without_controls(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", BAD_REQUEST)
            responses.setdefault("429", TOO_MANY_REQUESTS)
    return paths


def openapi_document() -> dict:
    paths: dict = {}
    schemas: dict = dict(BASE_SCHEMAS)
    for module in API_MODULES:
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
    limit = current_app.config["API_RATE_LIMIT"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CarbonScope API",
            "version": "1.0.0",
            "description": (
                "Projects of the voluntary carbon market's registries, their credits, market "
                "statistics and news. Read-only; open to every origin. Errors are "
                "application/problem+json. Data: CarbonPlan OffsetsDB and the Berkeley Carbon "
                "Trading Project's VROD (CC BY 4.0). Rate limit: "
                f"{limit} per client address; over it, 429 with Retry-After. Every response "
                "carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _with_shared_responses(paths),
        "components": {"schemas": schemas},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


# The document is the contract: a query longer, or a list longer, than it allows is refused
# here, for every operation alike, before the operation's own parsing.
_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _documented_operation() -> dict | None:
    if request.url_rule is None:
        return None
    path = _RULE_ARGUMENT.sub(r"{\1}", request.url_rule.rule.removeprefix(bp.url_prefix or ""))
    return openapi_document()["paths"].get(path, {}).get(request.method.lower())


def _over_limit(name: str, values: list[str], schema: dict) -> str | None:
    if schema.get("type") == "array":
        if len(values) > schema.get("maxItems", len(values)):
            return f"{name} takes at most {schema['maxItems']} values."
        schema = schema.get("items", {})
    longest = schema.get("maxLength")
    if longest is not None and any(len(value) > longest for value in values):
        return f"{name} can be at most {longest} characters."
    return None


@bp.before_request
def enforce_documented_limits():
    operation = _documented_operation()
    if operation is None:
        return None
    errors = [
        error
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and (
            error := _over_limit(
                parameter["name"], request.args.getlist(parameter["name"]), parameter["schema"]
            )
        )
    ]
    return problem(400, " ".join(errors), errors) if errors else None


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
