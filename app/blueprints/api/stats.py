"""API: GET /api/v1/stats, the statistics page's figures with the same filters."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import force_locale

from app.blueprints.api import (
    NOT_MODIFIED,
    bp,
    list_parameter,
    ok_response,
    problem,
    problem_response,
)
from app.insights.filters import EARLIEST_YEAR, LATEST_YEAR, MAX_VALUE_LENGTH, parse_stats_filters
from app.insights.stats import market_stats
from app.models import REGISTRIES, STATUS_GROUPS


@bp.get("/stats")
def stats():
    filters, warnings = parse_stats_filters(request.args)
    if warnings:
        status = max(warning.status for warning in warnings)
        return problem(status, " ".join(warnings), warnings)
    with force_locale("en"):  # the labels in the figures are data: English for every client
        return jsonify(market_stats(filters))


# --- OpenAPI --------------------------------------------------------------------------


def _year_parameter(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": LATEST_YEAR},
    }


_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH, "pattern": r"^\S(.*\S)?$"}
_COUNT = {"type": "integer"}
_CREDITS = {"type": "integer", "description": "Credits (tonnes CO2e); corrections may be negative."}


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _rows(properties: dict) -> dict:
    return {"type": "array", "items": _object(properties)}


OPENAPI_PATHS: dict = {
    "/stats": {
        "get": {
            "operationId": "getStats",
            "summary": "Market statistics",
            "description": (
                "Projects, credits issued, retired and remaining by registry; credits per year "
                "by registry; the top 15 countries by issuance; credits by scope; projects by "
                "status group; the retirement ratio by vintage. The year range limits credit "
                "figures to transactions in those years, except the retirement ratio, which it "
                "limits to those vintages (with all their issuances and retirements, whatever "
                "the year). Retired counts every credit taken off the market: retirements and "
                "cancellations. Buffer pools by registry; the market split by quality label "
                "(ICVCM CCP, CORSIA eligible) with the share each covers. Community projects are "
                "not included."
            ),
            "tags": ["stats"],
            "parameters": [
                list_parameter(
                    "registry", "Registry code.", {"type": "string", "enum": list(REGISTRIES)}
                ),
                list_parameter("scope", "Scope, exactly as listed.", _TEXT),
                list_parameter("country", "Country, exactly as listed.", _TEXT),
                _year_parameter(
                    "year_from",
                    "First year of credit transactions counted (of vintages, for the ratio).",
                ),
                _year_parameter(
                    "year_to",
                    "Last year of credit transactions counted (of vintages, for the ratio).",
                ),
            ],
            "responses": {
                "200": ok_response("The figures.", "Stats"),
                "304": NOT_MODIFIED,
                "400": problem_response("A filter value cannot be used; `errors` lists each."),
                "422": problem_response("The filters do not fit together (a reversed year range)."),
            },
        }
    }
}

_REGISTRY_FIGURES = {
    "projects": _COUNT,
    "issued": {
        **_CREDITS,
        "description": "Credits issued: the projects' own totals, as the catalogue and the "
        "sources publish them (with a year range: the credit records of those years).",
    },
    "retired": {**_CREDITS, "description": "Credits retired or cancelled, as `issued` counts."},
    "remaining": _CREDITS,
    "records_issued": {
        **_CREDITS,
        "description": "What the credit records add up to; where it differs from `issued`, "
        "/data lists the projects and why.",
    },
    "records_retired": {**_CREDITS, "description": "Retired, as the credit records add up."},
}

_SHARE = {"type": ["number", "null"], "description": "A share from 0 to 1; null without a total."}
_SPLIT_FIGURES = {"projects": _COUNT, "issued": _CREDITS, "retired": _CREDITS}

OPENAPI_SCHEMAS: dict = {
    "Stats": _object(
        {
            "data_version": {"type": "integer", "description": "Changes whenever the data does."},
            "filters": _object(
                {
                    "registry": {"type": "array", "items": {"type": "string"}},
                    "scope": {"type": "array", "items": {"type": "string"}},
                    "country": {"type": "array", "items": {"type": "string"}},
                    "year_from": {"type": ["integer", "null"]},
                    "year_to": {"type": ["integer", "null"]},
                }
            ),
            "totals": _object(_REGISTRY_FIGURES),
            "by_registry": _rows({"registry": {"type": "string"}, **_REGISTRY_FIGURES}),
            "by_year": _rows(
                {
                    "year": {"type": "integer"},
                    "registry": {"type": "string"},
                    "issued": _CREDITS,
                    "retired": _CREDITS,
                }
            ),
            "top_countries": _rows({"country": {"type": ["string", "null"]}, "issued": _CREDITS}),
            "by_scope": _rows(
                {"scope": {"type": ["string", "null"]}, "issued": _CREDITS, "retired": _CREDITS}
            ),
            "projects_by_status": _rows(
                {
                    "status_group": {"type": "string", "examples": list(STATUS_GROUPS)},
                    "projects": _COUNT,
                }
            ),
            "retired_by_reason": _rows(
                {
                    "reason_category": {
                        "type": "string",
                        "enum": ["voluntary", "corsia", "compliance", "other", "unknown"],
                    },
                    "retired": _CREDITS,
                }
            ),
            "retirement_ratio_by_vintage": _rows(
                {
                    "vintage": {"type": "integer"},
                    "issued": _CREDITS,
                    "retired": _CREDITS,
                    "ratio": {
                        "type": ["number", "null"],
                        "description": "Retired ÷ issued; null when nothing was issued.",
                    },
                }
            ),
            "buffer_by_registry": _rows(
                {
                    "registry": {"type": "string"},
                    "buffer_deposits": _CREDITS,
                    "reversals_covered": _CREDITS,
                    "reversals_not_covered": _CREDITS,
                    "buffer_released": _CREDITS,
                    "buffer_share_of_issued": {
                        **_SHARE,
                        "description": "Buffer deposits ÷ credits issued by the projects that "
                        "report deposits.",
                    },
                }
            ),
            "by_label": _rows(
                {
                    "kind": {"type": "string", "enum": ["ccp", "corsia"]},
                    "label": {"type": "string"},
                    "labelled": _object(_SPLIT_FIGURES),
                    "other": _object(_SPLIT_FIGURES),
                    "share_of_projects": _SHARE,
                    "share_of_issued": _SHARE,
                    "share_of_retired": _SHARE,
                    "by_year": _rows(
                        {
                            "year": {"type": "integer"},
                            "labelled_issued": _CREDITS,
                            "labelled_retired": _CREDITS,
                            "other_issued": _CREDITS,
                            "other_retired": _CREDITS,
                        }
                    ),
                }
            ),
        }
    )
}
