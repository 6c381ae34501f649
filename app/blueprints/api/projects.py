"""API: GET /api/v1/projects (the catalogue's search) and GET /api/v1/projects/<project_id>."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.bad_parameters import invalid_params
from app.blueprints.api import (
    NOT_MODIFIED,
    bp,
    list_parameter,
    ok_response,
    parameters_problem,
    problem,
    problem_response,
)
from app.catalog.labels import ANY, LABEL_FACETS, Badge, allowed_values, facet_label, project_badges
from app.catalog.project_chart import yearly_figures
from app.catalog.projects import get_project, yearly_credits
from app.catalog.query import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    ORDERS,
    REGISTRY_VALUES,
    SORTS,
    VINTAGE_BOUNDS,
    SwapNotice,
    parse_project_query,
)
from app.catalog.search import search_projects
from app.catalog.totals import remaining_credits, retired_exceeds_issued
from app.links.queries import also_listed_as
from app.models import LABEL_KINDS, STATUS_GROUPS
from app.request_input import ascii_int

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
    "status_canonical",
    "country_code",
    "state",
    "reduction_removal",
    "verifier",
    "certifications",
)
# Every further field a source gives (issue 12), in the project resource beyond the summary.
PROJECT_FIELDS = (
    "methodology_code",
    "methodology_version",
    "registry_project_type",
    "site_location",
    "project_owner",
    "operator",
    "designee",
    "estimated_annual_reductions",
    "buffer_deposits",
    "reversals_covered",
    "reversals_not_covered",
    "buffer_released",
    "arb_project",
    "arb_id",
    "arb_status",
    "poa_id",
    "poa_status",
    "registered_at",
    "crediting_period_start",
    "crediting_period_end",
    "crediting_period_renewals",
    "registry_notes",
    "berkeley_notes",
    "date_added",
)
_COUNT_FIELDS = {
    "estimated_annual_reductions",
    "buffer_deposits",
    "reversals_covered",
    "reversals_not_covered",
    "buffer_released",
    "crediting_period_renewals",
}
_DATE_FIELDS = {"registered_at", "crediting_period_start", "crediting_period_end", "date_added"}


def _project_field_schema(name: str) -> dict:
    if name in _COUNT_FIELDS:
        return {"type": ["integer", "null"]}
    if name in _DATE_FIELDS:
        return {"type": ["string", "null"], "format": "date"}
    return {"type": ["string", "null"]}


DETAIL_FIELDS = (
    *SUMMARY_FIELDS,
    *PROJECT_FIELDS,
    "description",
    "documents_url",
    "listed_at",
    "is_compliance",
    "registered_project_id",
    "provenance",
)


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def _in_english(text) -> str:
    """A label as the API names it: English whatever the request's language (its values are
    data for programs; only problem messages follow Accept-Language)."""
    with force_locale("en"):
        return str(text)


def label_json(badge: Badge) -> dict:
    return {
        "kind": badge.kind,
        "value": badge.value,
        "name": _in_english(badge.name),
        "source": badge.source,
        "raw_text": badge.raw_text,
        "as_of": _json_value(badge.as_of),
    }


def project_json(project, fields: tuple[str, ...] = SUMMARY_FIELDS, labels=None) -> dict:
    """A project (a catalogue row or the model) as the API shows it."""
    body = {name: _json_value(getattr(project, name)) for name in fields}
    body["labels"] = [label_json(badge) for badge in (labels or getattr(project, "labels", ()))]
    body["issued"] = int(body["issued"] or 0)
    body["retired"] = int(body["retired"] or 0)
    body["remaining"] = remaining_credits(project)
    body["retired_exceeds_issued"] = retired_exceeds_issued(project)
    body["url"] = url_for("api.project", project_id=project.project_id)
    return body


def _per_page() -> tuple[int | None, str | None]:
    raw = (request.args.get("per_page") or "").strip()
    if not raw:
        return DEFAULT_PER_PAGE, None
    if 1 <= (ascii_int(raw) or 0) <= MAX_PER_PAGE:
        return ascii_int(raw), None
    return None, _("per_page must be a whole number from 1 to %(max)s.", max=MAX_PER_PAGE)


def _status_for(errors: list[str]) -> int:
    """422 when every value reads but a range is reversed (the catalogue swaps it), else 400."""
    return 422 if all(isinstance(error, SwapNotice) for error in errors) else 400


def _refuse(errors: list[str], per_page_error: str | None):
    """400 (or 422 for a reversed range alone) naming every parameter that cannot be used."""
    params = invalid_params(request.args, lambda alone: parse_project_query(alone)[1])
    if per_page_error:
        params.append({"name": "per_page", "reason": per_page_error})
    if not params:
        return problem(_status_for(errors), " ".join(errors), errors)
    return parameters_problem(params)


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
        issued=result.issued,
        retired=result.retired,
    )


@bp.get("/projects/<project_id>")
def project(project_id: str):
    found = get_project(project_id)
    if found is None:
        abort(404, description=_("There is no project with the id %(id)s.", id=project_id[:100]))
    if found.project_id != project_id:  # an alias ('GS561'): the resource lives at its canonical id
        return redirect(url_for("api.project", project_id=found.project_id), code=301)
    credits = yearly_credits(found)
    body = project_json(found, DETAIL_FIELDS, labels=project_badges([found.id])[found.id])
    body["provenance"] = body["provenance"] or {}
    body["flags"] = found.flags or {}
    body["yearly_figures"] = {
        block: [{"year": year, "quantity": quantity} for year, quantity in figures]
        for block, figures in yearly_figures(found).items()
    }
    body["credits"] = [
        {"year": year, "issued": issued, "retired": retired}
        for year, issued, retired in zip(
            credits.years, credits.issued, credits.retired, strict=True
        )
    ]
    body["also_listed_as"] = [
        {
            "project_id": record.project_id,
            "registry": record.registry,
            "kind": record.kind,
            "review_state": record.review_state,
            "score": record.score,
            "both_issued_vintages": record.both_issued,
        }
        for record in also_listed_as(found)
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
    list_parameter(
        "listed",
        "'multiple': only projects confirmed as listed in more than one registry.",
        {"type": "string", "enum": ["multiple"]},
    ),
    list_parameter("state", "State or province, one of a project's listed ones.", _FREE_TEXT),
    list_parameter("reduction_removal", "Reduction / removal (Reduction, Mixed, ...).", _FREE_TEXT),
    list_parameter("verifier", "Verifier, exactly as listed.", _FREE_TEXT),
    *(
        list_parameter(
            facet,
            f"{facet_label(facet)}: projects carrying any of these labels"
            + (" ('any': of any value)." if ANY in allowed_values(facet) else "."),
            {"type": "string", "enum": list(allowed_values(facet))},
        )
        for facet in LABEL_FACETS
    ),
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
    "remaining": {
        "type": ["integer", "null"],
        "description": "Issued minus retired; null where the source reports more retired than "
        "issued (see retired_exceeds_issued).",
    },
    "retired_exceeds_issued": {
        "type": "boolean",
        "description": "The registry reports more credits retired than issued.",
    },
    "first_vintage": _NULLABLE_YEAR,
    "last_vintage": _NULLABLE_YEAR,
    "source": {"type": "string", "enum": ["offsetsdb", "vrod", "both", "community"]},
    "stage": {"type": ["string", "null"], "description": "Community projects only."},
    "registry_url": _NULLABLE_TEXT,
    "website": _NULLABLE_TEXT,
    "status_canonical": {
        "type": ["string", "null"],
        "description": "The status in CarbonScope's one vocabulary; `status` is the registry's.",
    },
    "country_code": {"type": ["string", "null"], "description": "ISO 3166 code."},
    "state": _NULLABLE_TEXT,
    "reduction_removal": _NULLABLE_TEXT,
    "verifier": _NULLABLE_TEXT,
    "certifications": {
        "type": ["string", "null"],
        "description": "As the source writes them, separated by semicolons.",
    },
    "labels": {
        "type": "array",
        "description": "Quality labels on the project (ICVCM CCP, CORSIA, Article 6, "
        "corresponding adjustment, CCB, SDGs), each with its source and the source's words.",
        "items": {"$ref": "#/components/schemas/Label"},
    },
    "url": {"type": "string", "description": "This project in the API."},
}

_DETAIL_PROPERTIES = {
    **_PROJECT_PROPERTIES,
    **{name: _project_field_schema(name) for name in PROJECT_FIELDS},
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
    "also_listed_as": {
        "type": "array",
        "description": "The same project's records in other registries: confirmed links, then"
        " the matcher's suggestions waiting for review (rejected pairs are left out).",
        "items": {"$ref": "#/components/schemas/LinkedRecord"},
    },
    "flags": {
        "type": "object",
        "description": "Data-quality flags, such as retired_exceeds_issued (as the source says).",
    },
    "yearly_figures": {
        "type": "object",
        "description": "The source's yearly blocks (issued_by_vintage, issued_by_year, "
        "retired_by_year, remaining_by_vintage); year null is the source's 'year unknown'.",
        "additionalProperties": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["year", "quantity"],
                "properties": {"year": _NULLABLE_YEAR, "quantity": {"type": "integer"}},
                "additionalProperties": False,
            },
        },
    },
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
                    "description": (
                        "The canonical id, such as VCS191 or GLD1001. An alias a user might type "
                        "(GS561, gs-561, VCS 191, vcs191) answers 301 with the canonical URL in "
                        "Location."
                    ),
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                }
            ],
            "responses": {
                "200": ok_response("The project.", "ProjectDetail"),
                "301": {
                    "description": "The id is an alias: the project is at its canonical id.",
                    "headers": {
                        "Location": {
                            "description": "/api/v1/projects/<canonical id>",
                            "schema": {"type": "string"},
                        }
                    },
                },
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
        "required": ["items", "total", "page", "pages", "per_page", "issued", "retired"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "issued": {
                "type": "integer",
                "description": "Credits issued by every matching project (their own totals); "
                "unfiltered, the market's total as /stats gives it.",
            },
            "retired": {"type": "integer", "description": "Credits retired, likewise."},
        },
        "additionalProperties": False,
    },
    "LinkedRecord": {
        "type": "object",
        "required": [
            "project_id",
            "registry",
            "kind",
            "review_state",
            "score",
            "both_issued_vintages",
        ],
        "properties": {
            "project_id": {"type": "string"},
            "registry": {"type": "string"},
            "kind": {
                "type": "string",
                "enum": ["stated", "shared_arb_id", "shared_poa_id", "confirmed", "suggested"],
                "description": "How the link is known.",
            },
            "review_state": {"type": "string", "enum": ["suggested", "confirmed"]},
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "both_issued_vintages": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "Vintages both records issued credits for: possibly counted twice.",
            },
        },
        "additionalProperties": False,
    },
    "Label": {
        "type": "object",
        "required": ["kind", "value", "name", "source", "raw_text", "as_of"],
        "properties": {
            "kind": {"type": "string", "enum": list(LABEL_KINDS)},
            "value": {
                "type": "string",
                "description": "The normalised label: a CORSIA phase (pilot, first, second), "
                "an Article 6 authorisation (authorized_ndc, authorized_imp, authorized_other), "
                "a corresponding adjustment state, a CCB level, an SDG number.",
            },
            "name": {"type": "string", "examples": ["CORSIA eligible: First phase (2024-2026)"]},
            "source": {"type": "string", "description": "Who gives the label (vrod, a registry)."},
            "raw_text": {"type": ["string", "null"], "description": "The source's own words."},
            "as_of": {"type": ["string", "null"], "format": "date"},
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
