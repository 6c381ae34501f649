"""News: the /news page (full page, filtered results, or the next page for "load more")
and the project page's news section."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, render_template, request, url_for

from app.blueprints.insights import bp
from app.news.queries import (
    InvalidNewsQuery,
    news_for_project,
    news_query_from,
    news_sources,
    query_args,
    search_news,
)
from app.project_sections import project_section

# Which part of the page an HTMX request replaces, by the id of its target.
FRAGMENTS = {"news-more": "news/_more.html", "news-results": "news/_results.html"}


@bp.app_template_filter("as_utc")
def as_utc(value: datetime | None) -> datetime | None:
    """A stored time in UTC (SQLite hands back naive values, already in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@bp.get("/news")
def news():
    try:
        query = news_query_from(request.args)
    except InvalidNewsQuery as error:
        abort(400, description=str(error))
    page = search_news(query)
    template = "news/index.html"
    if request.htmx and not request.htmx.boosted:
        template = FRAGMENTS.get(request.htmx.target, template)
    html = render_template(
        template,
        query=query,
        page=page,
        sources=news_sources() if template == "news/index.html" else [],
        next_url=url_for("insights.news", **query_args(query, page=query.page + 1)),
        newer_url=url_for("insights.news", **query_args(query, page=query.page - 1)),
    )
    return html, {"Vary": "HX-Request, HX-Target"}


@project_section("news", order=70)
def project_news(project) -> str | None:
    """The news that names this project, newest first; nothing when there is none."""
    items = news_for_project(project.id)
    if not items:
        return None
    return render_template("news/_project_news.html", project=project, items=items)
