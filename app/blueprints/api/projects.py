"""API: GET /api/v1/projects (the catalogue's search) and GET /api/v1/projects/<project_id>."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request, url_for

from app.bad_parameters import invalid_params
from app.blueprints.api import (
    NOT_MODIFIED,
    bp,
    list_parameter,
    ok_response,
    problem,
    problem_response,
)
from app.catalog.projects import get_project, yearly_credits
from app.catalog.query import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    ORDERS,
    REGISTRY_VALUES,
    SORTS,
    VINTAGE_BOUNDS,
    parse_project_query,
)
from app.catalog.search import search_projects
from app.models import STATUS_GROUPS

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 500
# The catalogue reads whole numbers of up to 15 digits.
MAX_ISSUED = 10**15 - 1

SUMMARY_FIELDS = (
    "project_id",
    "name",
    "registry",
    "status",
    "status_group",
    "country",
    "region",
    "scope",
    "project_type",
    "category",
    "methodology",
    "developer",
    "issued",
    "retired",
    "first_vintage",
    "last_vintage",
    "source",
    "stage",
    "registry_url",
    "website",
)
DETAIL_FIELDS = (
    *SUMMARY_FIELDS,
    "state",
    "description",
    "documents_url",
    "listed_at",
    "is_compliance",
    "registered_project_id",
    "provenance",
)


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def project_json(project, fields: tuple[str, ...] = SUMMARY_FIELDS) -> dict:
    """A project (a catalogue row or the model) as the API shows it."""
    body = {name: _json_value(getattr(project, name)) for name in fields}
    body["issued"] = int(body["issued"] or 0)
    body["retired"] = int(body["retired"] or 0)
    body["remaining"] = body["issued"] - body["retired"]
    body["url"] = url_for("api.project", project_id=project.project_id)
    return body


def _per_page() -> tuple[int | None, str | None]:
    raw = (request.args.get("per_page") or "").strip()
    if not raw:
        return DEFAULT_PER_PAGE, None
    if raw.isdigit() and 1 <= int(raw) <= MAX_PER_PAGE:
        return int(raw), None
    return None, f"per_page must be a whole number from 1 to {MAX_PER_PAGE}."


def _status_for(errors: list[str]) -> int:
    """422 when every value reads but a range is reversed (the catalogue swaps it), else 400."""
    return 422 if all(error.startswith("Swapped ") for error in errors) else 400


def _refuse(errors: list[str], per_page_error: str | None):
    """400 (or 422 for a reversed range alone) naming every parameter that cannot be used."""
    params = invalid_params(request.args, lambda alone: parse_project_query(alone)[1])
    if per_page_error:
        params.append({"name": "per_page", "reason": per_page_error})
    if not params:
        return problem(_status_for(errors), " ".join(errors), errors)
    names = ", ".join(param["name"] for param in params)
    detail = f"Cannot use {names}: " + " ".join(param["reason"] for param in params)
    return problem(400, detail, [param["reason"] for param in params], params)


@bp.get("/projects")
def projects():
    query, warnings = parse_project_query(request.args)
    per_page, per_page_error = _per_page()
    errors = [*warnings, *([per_page_error] if per_page_error else [])]
    if errors:
        return _refuse(errors, per_page_error)
    result = search_projects(query, per_page=per_page)
    return jsonify(
        items=[project_json(row) for row in result.items],
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=result.per_page,
    )


@bp.get("/projects/<project_id>")
def project(project_id: str):
    found = get_project(project_id)
    if found is None:
        abort(404, description=f"There is no project with the id {project_id[:100]}.")
    credits = yearly_credits(found)
    body = project_json(found, DETAIL_FIELDS)
    body["provenance"] = body["provenance"] or {}
    body["credits"] = [
        {"year": year, "issued": issued, "retired": retired}
        for year, issued, retired in zip(
            credits.years, credits.issued, credits.retired, strict=True
        )
    ]
    return jsonify(body)


# --- OpenAPI --------------------------------------------------------------------------

_NULLABLE_TEXT = {"type": ["string", "null"]}
_NULLABLE_YEAR = {"type": ["integer", "null"]}


def _integer_parameter(name: str, description: str, minimum: int, maximum: int) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "integer", "minimum": minimum, "maximum": maximum},
    }


_FREE_TEXT = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^\S(.*\S)?$"}
SEARCH_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "description": "Words in the name, id, developer or methodology (VCS 191 finds VCS191).",
        "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    },
    list_parameter("registry", "Registry code.", {"type": "string", "enum": list(REGISTRY_VALUES)}),
    list_parameter("status", "Status group.", {"type": "string", "enum": list(STATUS_GROUPS)}),
    list_parameter("country", "Country, exactly as listed.", _FREE_TEXT),
    list_parameter("scope", "Scope, exactly as listed.", _FREE_TEXT),
    list_parameter("type", "Project type, exactly as listed.", _FREE_TEXT),
    list_parameter("methodology", "Methodology, exactly as listed.", _FREE_TEXT),
    _integer_parameter("issued_min", "At least this many credits issued.", 0, MAX_ISSUED),
    _integer_parameter("issued_max", "At most this many credits issued.", 0, MAX_ISSUED),
    _integer_parameter("vintage_from", "Vintages overlapping from this year.", *VINTAGE_BOUNDS),
    _integer_parameter("vintage_to", "Vintages overlapping up to this year.", *VINTAGE_BOUNDS),
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
    {"name": "order", "in": "query", "schema": {"type": "string", "enum": list(ORDERS)}},
    _integer_parameter("page", "Page number; a page past the end gives the last.", 1, MAX_PAGE),
    _integer_parameter("per_page", f"Projects per page (default {DEFAULT_PER_PAGE}).", 1, 500),
]

_PROJECT_PROPERTIES = {
    "project_id": {"type": "string", "examples": ["VCS191"]},
    "name": _NULLABLE_TEXT,
    "registry": {"type": "string", "enum": list(REGISTRY_VALUES)},
    "status": _NULLABLE_TEXT,
    "status_group": {"type": "string"},
    "country": _NULLABLE_TEXT,
    "region": _NULLABLE_TEXT,
    "scope": _NULLABLE_TEXT,
    "project_type": _NULLABLE_TEXT,
    "category": _NULLABLE_TEXT,
    "methodology": _NULLABLE_TEXT,
    "developer": _NULLABLE_TEXT,
    "issued": {"type": "integer", "description": "Credits issued (total)."},
    "retired": {"type": "integer", "description": "Credits retired (total)."},
    "remaining": {"type": "integer", "description": "Issued minus retired."},
    "first_vintage": _NULLABLE_YEAR,
    "last_vintage": _NULLABLE_YEAR,
    "source": {"type": "string", "enum": ["offsetsdb", "vrod", "both", "community"]},
    "stage": {"type": ["string", "null"], "description": "Community projects only."},
    "registry_url": _NULLABLE_TEXT,
    "website": _NULLABLE_TEXT,
    "url": {"type": "string", "description": "This project in the API."},
}
_DETAIL_PROPERTIES = {
    **_PROJECT_PROPERTIES,
    "state": _NULLABLE_TEXT,
    "description": _NULLABLE_TEXT,
    "documents_url": _NULLABLE_TEXT,
    "listed_at": {"type": ["string", "null"], "format": "date"},
    "is_compliance": {"type": ["boolean", "null"]},
    "registered_project_id": _NULLABLE_TEXT,
    "provenance": {
        "type": "object",
        "description": "Which source each field came from.",
        "additionalProperties": {"type": ["string", "null"]},
    },
    "credits": {"type": "array", "items": {"$ref": "#/components/schemas/YearlyCredits"}},
}

OPENAPI_PATHS: dict = {
    "/projects": {
        "get": {
            "operationId": "listProjects",
            "summary": "Search the catalogue",
            "description": "The catalogue's search and filters, one page at a time.",
            "tags": ["projects"],
            "parameters": SEARCH_PARAMETERS,
            "responses": {
                "200": ok_response("One page of projects and the total.", "ProjectPage"),
                "304": NOT_MODIFIED,
                "400": problem_response("A parameter cannot be used; `errors` lists each."),
                "422": problem_response("A range is reversed (issued or vintage)."),
            },
        }
    },
    "/projects/{project_id}": {
        "get": {
            "operationId": "getProject",
            "summary": "One project, with its credits per year",
            "tags": ["projects"],
            "parameters": [
                {
                    "name": "project_id",
                    "in": "path",
                    "required": True,
                    "description": "The canonical id, such as VCS191 or GLD1001.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                }
            ],
            "responses": {
                "200": ok_response("The project.", "ProjectDetail"),
                "304": NOT_MODIFIED,
                "404": problem_response("No project has this id."),
            },
        }
    },
}

OPENAPI_SCHEMAS: dict = {
    "Project": {
        "type": "object",
        "required": list(_PROJECT_PROPERTIES),
        "properties": _PROJECT_PROPERTIES,
        "additionalProperties": False,
    },
    "ProjectDetail": {
        "type": "object",
        "required": list(_DETAIL_PROPERTIES),
        "properties": _DETAIL_PROPERTIES,
        "additionalProperties": False,
    },
    "ProjectPage": {
        "type": "object",
        "required": ["items", "total", "page", "pages", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
        "additionalProperties": False,
    },
    "YearlyCredits": {
        "type": "object",
        "required": ["year", "issued", "retired"],
        "properties": {
            "year": {"type": "integer"},
            "issued": {"type": "integer"},
            "retired": {"type": "integer"},
        },
        "additionalProperties": False,
    },
}
