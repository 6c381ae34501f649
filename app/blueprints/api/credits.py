"""API: /api/v1/credits (the /credits search, by cursor), /api/v1/beneficiaries[/<slug>]."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from app.blueprints.api import (
    NOT_MODIFIED,
    bp,
    cursor_page_schema,
    cursor_parameters,
    list_parameter,
    ok_response,
    problem,
    problem_response,
)
from app.catalog.query import MAX_QUERY_LENGTH, VINTAGE_BOUNDS, _clean_text
from app.credits.beneficiaries import (
    MAX_PAGE,
    PROJECTS_SHOWN,
    beneficiary_profile,
    largest_retirers,
)
from app.credits.labels import LABEL_VALUES
from app.credits.query import parse_credit_query
from app.credits.search import CreditRow, credits_after
from app.etl.reasons import REASON_CATEGORIES
from app.models import CREDIT_KINDS, REGISTRIES

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
_IGNORED_BY_API = ("page", "sort", "order")


def _encode_cursor(cursor: tuple[int, date, int]) -> str:
    year, day, key = cursor
    return base64.urlsafe_b64encode(f"{year}|{day.isoformat()}|{key}".encode()).decode()


def _decode_cursor(raw: str) -> tuple[int, date, int]:
    """The cursor's (year, date, id); ValueError for anything we did not hand out."""
    try:
        year, day, key = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
        return int(year), date.fromisoformat(day), int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("cursor is not one this API handed out; start again without it") from error


def credit_json(row: CreditRow) -> dict:
    body = {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name, value in row.__dict__.items()
    }
    body["project_url"] = url_for("api.project", project_id=row.project_id)
    body["beneficiary_url"] = (
        url_for("api.beneficiary", slug=row.beneficiary_key) if row.beneficiary_key else None
    )
    return body


def _limit(errors: list[str]) -> int:
    raw = (request.args.get("limit") or "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
        return int(raw)
    errors.append(_("limit must be a whole number from 1 to %(max)s.", max=MAX_LIMIT))
    return DEFAULT_LIMIT


@bp.get("/credits")
def credits():
    args = request.args.copy()
    for name in _IGNORED_BY_API:
        args.poplist(name)
    query, errors = parse_credit_query(args)
    limit = _limit(errors)
    cursor = None
    if request.args.get("cursor"):
        try:
            cursor = _decode_cursor(request.args["cursor"])
        except ValueError as error:
            errors.append(str(error))
    if errors:
        status = 422 if all(e.startswith("Swapped ") for e in errors) else 400
        return problem(status, " ".join(errors), errors)
    items, following = credits_after(query, cursor, limit)
    next_cursor = _encode_cursor(following) if following else None
    next_url = None
    if next_cursor:
        next_url = url_for("api.credits", **query.to_args(), limit=limit, cursor=next_cursor)
    return jsonify(
        items=[credit_json(row) for row in items],
        next_cursor=next_cursor,
        next=next_url,
        limit=limit,
    )


@bp.get("/beneficiaries")
def beneficiaries():
    q = _clean_text(request.args.get("q"))[:MAX_QUERY_LENGTH]
    raw_page = (request.args.get("page") or "1").strip()
    if not (raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE):
        return problem(400, _("page must be a whole number from 1 to %(max)s.", max=MAX_PAGE))
    result = largest_retirers(q, int(raw_page))
    return jsonify(
        items=[
            {
                "slug": row.key,
                "name": row.name,
                "retired": row.quantity,
                "records": row.records,
                "projects": row.projects,
                "first_year": row.first_year,
                "last_year": row.last_year,
                "url": url_for("api.beneficiary", slug=row.key),
            }
            for row in result.items
        ],
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=result.per_page,
    )


def _rows(rows) -> list[dict]:
    return [{"label": label, "retired": qty, "records": n} for label, qty, n in rows]


@bp.get("/beneficiaries/<slug>")
def beneficiary(slug: str):
    profile = beneficiary_profile(slug[:300]) if "\x00" not in slug else None
    if profile is None:
        return problem(
            404, _("No credits were retired for a beneficiary named %(name)s.", name=slug[:100])
        )
    return jsonify(
        slug=profile.key,
        name=profile.name,
        raw_names=[{"text": raw, "records": n} for raw, n in profile.raw_names],
        retired=profile.quantity,
        records=profile.records,
        by_year=[{"year": year, "retired": qty} for year, qty in profile.by_year],
        projects=profile.project_count,
        by_project=[
            {
                "project_id": share.project_id,
                "name": share.name,
                "registry": share.registry,
                "project_type": share.project_type,
                "country": share.country,
                "retired": share.quantity,
                "records": share.records,
                "url": url_for("api.project", project_id=share.project_id),
            }
            for share in profile.projects
        ],
        by_project_type=_rows(profile.by_type),
        by_registry=_rows(profile.by_registry),
        by_reason=_rows(profile.by_reason),
        by_label=_rows(profile.by_label),
    )


# --- OpenAPI --------------------------------------------------------------------------

_TEXT = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_FREE = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^\S(.*\S)?$"}


def _year(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "integer", "minimum": VINTAGE_BOUNDS[0], "maximum": VINTAGE_BOUNDS[1]},
    }


def _date(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "format": "date"},
    }


CREDIT_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "description": "Words in the beneficiary, reason, note, account or cancellation reason.",
        "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    },
    list_parameter("kind", "Record kind.", {"type": "string", "enum": list(CREDIT_KINDS)}),
    list_parameter(
        "reason", "Retirement reason category.", {"type": "string", "enum": list(REASON_CATEGORIES)}
    ),
    list_parameter("registry", "Registry code.", {"type": "string", "enum": list(REGISTRIES)}),
    list_parameter("country", "Project country, exactly as listed.", _FREE),
    list_parameter("type", "Project type, exactly as listed.", _FREE),
    list_parameter(
        "label",
        "Quality label the record's credits carry: its project's, or its project's credits "
        "of the record's vintage.",
        {"type": "string", "enum": list(LABEL_VALUES)},
    ),
    list_parameter(
        "project",
        "Canonical project id.",
        {"type": "string", "pattern": "^[A-Za-z]+[0-9A-Za-z_]*$", "maxLength": 64},
    ),
    _year("vintage_from", "Vintages from this year."),
    _year("vintage_to", "Vintages up to this year."),
    _date("date_from", "Transactions on or after this date."),
    _date("date_to", "Transactions on or before this date."),
    *cursor_parameters("Records", DEFAULT_LIMIT, MAX_LIMIT),
]
_CREDIT_PROPERTIES = {
    "id": {"type": "integer"},
    "project_id": {"type": "string"},
    "project_name": _TEXT,
    "registry": {"type": "string"},
    "country": _TEXT,
    "project_type": _TEXT,
    "kind": {"type": "string", "enum": list(CREDIT_KINDS)},
    "vintage": _INT,
    "transaction_date": {"type": ["string", "null"], "format": "date"},
    "year": _INT,
    "quantity": {"type": "integer"},
    "source": {"type": "string"},
    "serial_range": _TEXT,
    "beneficiary": {"type": ["string", "null"], "description": "As the registry wrote it."},
    "beneficiary_key": {"type": ["string", "null"], "description": "The harmonised name."},
    "reason": _TEXT,
    "reason_category": {"type": ["string", "null"], "enum": [*REASON_CATEGORIES, None]},
    "note": _TEXT,
    "account": _TEXT,
    "cancellation_reason": _TEXT,
    "project_url": {"type": "string"},
    "beneficiary_url": _TEXT,
}
_BREAKDOWN = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["label", "retired", "records"],
        "properties": {
            "label": _TEXT,
            "retired": {"type": "integer"},
            "records": {"type": "integer"},
        },
    },
}
_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The harmonised beneficiary name, as in its URL (shopify, delta-air-lines).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 300},
}

OPENAPI_PATHS: dict = {
    "/credits": {
        "get": {
            "operationId": "listCredits",
            "summary": "Search every credit record",
            "description": "The /credits filters; newest first, paged by cursor.",
            "tags": ["credits"],
            "parameters": CREDIT_PARAMETERS,
            "responses": {
                "200": ok_response("One page of credit records.", "CreditPage"),
                "304": NOT_MODIFIED,
                "400": problem_response("A parameter cannot be used; `errors` lists each."),
                "422": problem_response("A range is reversed (vintage or date)."),
            },
        }
    },
    "/beneficiaries": {
        "get": {
            "operationId": "listBeneficiaries",
            "summary": "The largest retirers, searchable by name",
            "tags": ["credits"],
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                },
            ],
            "responses": {
                "200": ok_response("One page of beneficiaries.", "BeneficiaryPage"),
                "304": NOT_MODIFIED,
                "400": problem_response("The page cannot be used."),
            },
        }
    },
    "/beneficiaries/{slug}": {
        "get": {
            "operationId": "getBeneficiary",
            "summary": "What one beneficiary retired: by year, project, type, registry, reason",
            "tags": ["credits"],
            "parameters": [_SLUG],
            "responses": {
                "200": ok_response("The beneficiary.", "Beneficiary"),
                "304": NOT_MODIFIED,
                "404": problem_response("No retirement names this beneficiary."),
            },
        }
    },
}

OPENAPI_SCHEMAS: dict = {
    "Credit": {
        "type": "object",
        "required": list(_CREDIT_PROPERTIES),
        "properties": _CREDIT_PROPERTIES,
        "additionalProperties": False,
    },
    "CreditPage": cursor_page_schema("Credit", MAX_LIMIT),
    "BeneficiaryPage": {
        "type": "object",
        "required": ["items", "total", "page", "pages", "per_page"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["slug", "name", "retired", "records", "projects", "url"],
                    "properties": {
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                        "retired": {"type": "integer"},
                        "records": {"type": "integer"},
                        "projects": {"type": "integer"},
                        "first_year": _INT,
                        "last_year": _INT,
                        "url": {"type": "string"},
                    },
                },
            },
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer"},
        },
        "additionalProperties": False,
    },
    "Beneficiary": {
        "type": "object",
        "required": ["slug", "name", "raw_names", "retired", "records", "by_year", "by_project"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "raw_names": {"type": "array"},
            "retired": {"type": "integer"},
            "records": {"type": "integer"},
            "by_year": {"type": "array"},
            "projects": {"type": "integer", "description": "How many projects it retired from."},
            "by_project": {
                "type": "array",
                "description": f"The {PROJECTS_SHOWN} projects it retired most from.",
            },
            "by_project_type": _BREAKDOWN,
            "by_registry": _BREAKDOWN,
            "by_reason": _BREAKDOWN,
            "by_label": {
                **_BREAKDOWN,
                "description": "Retirements carrying each quality label; label is the value "
                "of /credits' label filter (ccp, corsia, ...). A record may carry several.",
            },
        },
    },
}
