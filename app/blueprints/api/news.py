"""API: GET /api/v1/news, the news items newest first, filtered like the /news page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from app.blueprints.api import bp
from app.errors import render_error
from app.models import NewsItem
from app.news.queries import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    InvalidNewsQuery,
    news_query_from,
    search_news,
)

MAX_AGE_SECONDS = 60


def _iso_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def news_item_json(item: NewsItem) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "link": item.link,
        "source": item.source,
        "summary": item.summary,
        "published_at": _iso_utc(item.published_at),
        "projects": [
            {
                "project_id": project.project_id,
                "name": project.name,
                "url": url_for("catalog.search", _external=False) + "/" + project.project_id,
            }
            for project in sorted(item.projects, key=lambda project: project.project_id)
        ],
    }


def _open_to_every_origin(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/news")
def news():
    try:
        query = news_query_from(request.args)
    except InvalidNewsQuery as error:
        return _open_to_every_origin(render_error(BadRequest(str(error))))
    page = search_news(query)
    response = jsonify(
        items=[news_item_json(item) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.add_etag()
    response.vary.add("Accept-Encoding")
    return _open_to_every_origin(response.make_conditional(request))


_TEXT_PARAMETER = {"type": "string", "maxLength": MAX_QUERY_LENGTH}
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

OPENAPI_PATHS: dict = {
    "/news": {
        "get": {
            "operationId": "listNews",
            "summary": "News items, newest first",
            "description": (
                "Items from the carbon-market RSS/Atom feeds CarbonScope reads, with all markup "
                "removed, and the catalogue projects each one names."
            ),
            "tags": ["news"],
            "parameters": [
                {
                    "name": "source",
                    "in": "query",
                    "description": "Only items from this source (a feed's name, exactly).",
                    "schema": _TEXT_PARAMETER,
                },
                {
                    "name": "q",
                    "in": "query",
                    "description": "Words that must all appear in the title or summary.",
                    "schema": _TEXT_PARAMETER,
                },
                {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                },
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_PER_PAGE,
                        "default": DEFAULT_PER_PAGE,
                    },
                },
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "description": "An ETag from an earlier response; 304 when unchanged.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "One page of news items.",
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Cache-Control": {"schema": {"type": "string"}},
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewsPage"}}
                    },
                },
                "304": {"description": "Not modified since the ETag given in If-None-Match."},
                "400": {"description": "A parameter cannot be read.", "content": _PROBLEM},
            },
        }
    }
}

OPENAPI_SCHEMAS: dict = {
    "NewsPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/NewsItem"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
        "additionalProperties": False,
    },
    "NewsItem": {
        "type": "object",
        "required": ["id", "title", "link", "source", "summary", "published_at", "projects"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string", "description": "Plain text, no markup."},
            "link": {"type": "string", "format": "uri", "description": "An http(s) URL."},
            "source": {"type": "string"},
            "summary": {"type": ["string", "null"], "description": "Plain text, no markup."},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "projects": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/NewsProjectRef"},
            },
        },
        "additionalProperties": False,
    },
    "NewsProjectRef": {
        "type": "object",
        "required": ["project_id", "name", "url"],
        "properties": {
            "project_id": {"type": "string", "examples": ["VCS191"]},
            "name": {"type": ["string", "null"]},
            "url": {"type": "string", "description": "The project's page on this site."},
        },
        "additionalProperties": False,
    },
    # RFC 9457 problem details, as app/errors.py renders every API error.
    "Problem": {
        "type": "object",
        "required": ["title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
}
