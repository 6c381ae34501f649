"""API: GET /api/v1/news, the news items newest first, filtered like the /news page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, request, url_for

from app.blueprints.api import NOT_MODIFIED, bp, ok_response, problem, problem_response
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
                "url": url_for("catalog.detail", project_id=project.project_id),
            }
            for project in sorted(item.projects, key=lambda project: project.project_id)
        ],
    }


@bp.get("/news")
def news():
    """One page of news items; the package's after_request adds ETag, caching and CORS."""
    try:
        query = news_query_from(request.args)
    except InvalidNewsQuery as error:
        return problem(400, str(error))
    page = search_news(query)
    return jsonify(
        items=[news_item_json(item) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


_TEXT_PARAMETER = {"type": "string", "maxLength": MAX_QUERY_LENGTH}

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
                "200": ok_response("One page of news items.", "NewsPage"),
                "304": NOT_MODIFIED,
                "400": problem_response("A parameter cannot be read."),
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
}
