"""API: /api/v1/changes, the change log with the /changes filters, newest first, by cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.bad_parameters import invalid_params
from app.blueprints.api import (
    NOT_MODIFIED,
    bp,
    cursor_page_schema,
    cursor_parameters,
    list_parameter,
    ok_response,
    parameters_problem,
    problem,
    problem_response,
)
from app.catalog.query import REGISTRY_VALUES
from app.changes.query import parse_change_query
from app.changes.search import ChangeRow, search_changes
from app.models import CHANGE_KINDS
from app.request_input import ascii_int

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
CURSOR_PREFIX = "change:"
# The page's keyset parameter; the API pages by ``cursor`` instead.
_PAGE_ONLY = ("before",)


def encode_cursor(before: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{before}".encode()).decode()


def decode_cursor(raw: str) -> int:
    """The change id the cursor pages below; ValueError for anything we did not hand out."""
    try:
        text = base64.urlsafe_b64decode(raw.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("cursor is not one this API handed out; start again without it") from error
    number = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or ascii_int(number) is None:
        raise ValueError("cursor is not one this API handed out; start again without it")
    return int(number)


def _json_value(value):
    # SQLite hands back naive datetimes; every time stored is UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat() if isinstance(value, date) else value


def change_json(change: ChangeRow) -> dict:
    body = {name: _json_value(value) for name, value in change.__dict__.items()}
    body["kind_label"] = change.kind_label
    body["summary"] = change.summary
    body["project_url"] = (
        url_for("api.project", project_id=change.project_id) if change.project_id else None
    )
    return body


def _limit() -> tuple[int, str | None]:
    raw = (request.args.get("limit") or "").strip()
    if not raw:
        return DEFAULT_LIMIT, None
    if 1 <= (number := ascii_int(raw) or 0) <= MAX_LIMIT:
        return number, None
    return DEFAULT_LIMIT, _("limit must be a whole number from 1 to %(max)s.", max=MAX_LIMIT)


def _cursor() -> tuple[int | None, str | None]:
    raw = request.args.get("cursor")
    if not raw:
        return None, None
    try:
        return decode_cursor(raw), None
    except ValueError:
        return None, _("cursor is not one this API handed out; start again without it")


def _filter_args() -> MultiDict:
    args = request.args.copy()
    for name in (*_PAGE_ONLY, "limit", "cursor"):
        args.poplist(name)
    return args


def _refuse(warnings: list[str], own: dict[str, str]):
    """400 naming every parameter that cannot be used (422 for a reversed date range alone)."""
    params = invalid_params(_filter_args(), lambda alone: parse_change_query(alone)[1])
    params += [{"name": name, "reason": reason} for name, reason in own.items()]
    if not params:
        return problem(422, " ".join(warnings), warnings)
    return parameters_problem(params)


@bp.get("/changes")
def changes():
    query, warnings = parse_change_query(_filter_args())
    limit, limit_error = _limit()
    before, cursor_error = _cursor()
    checked = (("limit", limit_error), ("cursor", cursor_error))
    own = {name: error for name, error in checked if error}
    if warnings or own:
        return _refuse(warnings, own)
    page = search_changes(query.older_than(before) if before else query, per_page=limit)
    next_cursor = encode_cursor(page.next_before) if page.next_before else None
    next_url = None
    if next_cursor:
        next_url = url_for("api.changes", **query.to_args(), limit=limit, cursor=next_cursor)
    return jsonify(
        items=[change_json(change) for change in page.items],
        next_cursor=next_cursor,
        next=next_url,
        limit=limit,
    )


# --- OpenAPI --------------------------------------------------------------------------

_TEXT = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_FREE = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^\S(.*\S)?$"}


def _date(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "format": "date"},
    }


CHANGE_PARAMETERS = [
    list_parameter("registry", "Registry code.", {"type": "string", "enum": list(REGISTRY_VALUES)}),
    list_parameter("country", "Project country, exactly as listed.", _FREE),
    list_parameter("type", "Project type, exactly as listed.", _FREE),
    list_parameter("kind", "Kind of change.", {"type": "string", "enum": list(CHANGE_KINDS)}),
    list_parameter(
        "project",
        "Canonical project id.",
        {"type": "string", "pattern": "^[A-Za-z]+[0-9A-Za-z_-]*$", "maxLength": 64},
    ),
    list_parameter(
        "beneficiary",
        "Harmonised beneficiary name (its slug), as in /api/v1/beneficiaries.",
        {**_FREE, "maxLength": 300},
    ),
    _date("date_from", "Changes found on or after this day (UTC)."),
    _date("date_to", "Changes found on or before this day (UTC)."),
    *cursor_parameters("Changes", DEFAULT_LIMIT, MAX_LIMIT),
]
_CHANGE_PROPERTIES = {
    "id": {"type": "integer", "description": "Grows with every sync: newest first is id down."},
    "sync_run_id": _INT,
    "project_id": _TEXT,
    "project_name": _TEXT,
    "registry": _TEXT,
    "country": _TEXT,
    "project_type": _TEXT,
    "kind": {"type": "string", "enum": list(CHANGE_KINDS)},
    "field": {"type": ["string", "null"], "description": "The field that changed (kind field)."},
    "old_value": _TEXT,
    "new_value": _TEXT,
    "vintage": _INT,
    "quantity": _INT,
    "beneficiary": {"type": ["string", "null"], "description": "As the registry wrote it."},
    "beneficiary_key": {"type": ["string", "null"], "description": "The harmonised name."},
    "as_of": {"type": ["string", "null"], "format": "date", "description": "The source's date."},
    "created_at": {"type": "string", "format": "date-time", "description": "When found."},
    "kind_label": {"type": "string"},
    "summary": {"type": "string", "description": "The change in words."},
    "project_url": _TEXT,
}

OPENAPI_PATHS: dict = {
    "/changes": {
        "get": {
            "operationId": "listChanges",
            "summary": "What changed: the change log of every sync",
            "description": "The /changes filters; newest first, paged by cursor.",
            "tags": ["changes"],
            "parameters": CHANGE_PARAMETERS,
            "responses": {
                "200": ok_response("One page of changes.", "ChangePage"),
                "304": NOT_MODIFIED,
                "400": problem_response("A parameter cannot be used; `invalid-params` names each."),
                "422": problem_response("The date range is reversed."),
            },
        }
    },
}

OPENAPI_SCHEMAS: dict = {
    "Change": {
        "type": "object",
        "required": list(_CHANGE_PROPERTIES),
        "properties": _CHANGE_PROPERTIES,
        "additionalProperties": False,
    },
    "ChangePage": cursor_page_schema("Change", MAX_LIMIT),
}
