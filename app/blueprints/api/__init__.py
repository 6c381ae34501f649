"""The JSON API, /api/v1.

Each resource lives in its own module, which registers its views on ``bp`` and
describes them in ``OPENAPI_PATHS`` (and any shared ``OPENAPI_SCHEMAS``); the
OpenAPI document at /api/v1/openapi.json is assembled from those.

Every successful GET answers with an ETag (a hash of the body) and Cache-Control,
so clients revalidate with If-None-Match and get 304 Not Modified; every response
is open to other origins (CORS) for reading, errors included.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Per client address, shared by every web instance (docs/DEPLOY.md, the OpenAPI document).
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)

CACHE_CONTROL_MAX_AGE = 60
PROBLEM_JSON = "application/problem+json"
# A problem's title and detail follow Accept-Language (Flask-Babel); its field names do not.
PROBLEM_TITLES = {
    400: _l("Bad Request"),
    404: _l("Not Found"),
    422: _l("Unprocessable Content"),
    429: _l("Too Many Requests"),
}


def problem(
    status: int,
    detail: str,
    errors: list[str] | None = None,
    invalid_params: list[dict] | None = None,
) -> Response:
    """An RFC 9457 problem response: what went wrong, for a person to read, and (for bad
    query parameters) which parameters, for a program to read."""
    body: dict = {
        "type": "about:blank",
        "title": str(PROBLEM_TITLES.get(status, _l("Error"))),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = list(errors)
    if invalid_params:
        body["invalid-params"] = list(invalid_params)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def parameters_problem(params: list[dict]) -> Response:
    """400 naming every query parameter that cannot be used (``{"name", "reason"}`` each)."""
    names = ", ".join(param["name"] for param in params)
    reasons = " ".join(param["reason"] for param in params)
    detail = _("Cannot use %(names)s: %(reasons)s", names=names, reasons=reasons)
    return problem(400, detail, [param["reason"] for param in params], params)


# --- OpenAPI pieces the modules share -------------------------------------------


def problem_response(description: str) -> dict:
    """The OpenAPI description of an error response, for the modules' ``responses``."""
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def ok_response(description: str, schema_name: str) -> dict:
    """A 200 JSON response of a named schema, with the revalidation headers every GET sends."""
    return {
        "description": description,
        "headers": {
            "ETag": {
                "description": "Send as If-None-Match to revalidate.",
                "schema": {"type": "string"},
            },
            "Cache-Control": {"schema": {"type": "string"}},
            "Access-Control-Allow-Origin": {"schema": {"type": "string"}},
        },
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def list_parameter(name: str, description: str, items: dict) -> dict:
    """A repeatable query parameter (``?registry=VCS&registry=GLD``)."""
    return {
        "name": name,
        "in": "query",
        "description": description + " Repeat the parameter for several values.",
        "schema": {"type": "array", "items": items, "maxItems": 10},
        "style": "form",
        "explode": True,
    }


def cursor_parameters(rows: str, default_limit: int, max_limit: int) -> list[dict]:
    """The query parameters of a list paged by an opaque cursor (credits, changes)."""
    return [
        {
            "name": "limit",
            "in": "query",
            "description": f"{rows} per page (default {default_limit}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit},
        },
        {
            "name": "cursor",
            "in": "query",
            "description": "The next_cursor of the previous page.",
            "schema": {"type": "string", "maxLength": 200},
        },
    ]


def cursor_page_schema(item_schema: str, max_limit: int) -> dict:
    """A page of ``item_schema`` rows paged by an opaque cursor (credits, changes)."""
    text = {"type": ["string", "null"]}
    return {
        "type": "object",
        "required": ["items", "next_cursor", "next", "limit"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_schema}"}},
            "next_cursor": text,
            "next": text,
            "limit": {"type": "integer", "minimum": 1, "maximum": max_limit},
        },
        "additionalProperties": False,
    }


NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match."}


def _is_api_request() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/")


# An app-wide hook, not the blueprint's own: a URL under /api/v1 that matches no route
# (404) or no method (405) belongs to no blueprint, and its error must be readable too.
@bp.after_app_request
def _cors_and_revalidation(response: Response) -> Response:
    if not _is_api_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_CONTROL_MAX_AGE
        response.add_etag()
        response.make_conditional(request)
    return response


from app.blueprints.api import changes, credits, news, openapi, projects, stats  # noqa: E402,F401
