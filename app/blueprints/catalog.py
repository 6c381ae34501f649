"""The catalogue: faceted project search, project pages with their credits, CSV export."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup

from app.catalog.export import csv_lines
from app.catalog.facets import active_chips, build_facets
from app.catalog.project_chart import UnknownChartView, parse_view, project_chart
from app.catalog.projects import (
    credit_page,
    field_groups,
    get_project,
    paragraphs,
    safe_url,
    source_label,
    status_note,
)
from app.catalog.quality import project_quality
from app.catalog.query import (
    DEFAULT_ORDER,
    REGISTRY_LABELS,
    SORT_LABELS,
    SORTS,
    default_sort,
    parse_project_query,
)
from app.catalog.search import cache_key, facet_counts, search_projects
from app.catalog.totals import remaining_credits
from app.extensions import cache
from app.project_sections import render_project_sections
from app.request_input import ascii_int

bp = Blueprint("catalog", __name__)

RESULTS_REGION = "catalog-results"
SEARCH_REGION = "project-search"
CREDITS_REGION = "credit-records"


def _htmx_target() -> str | None:
    return request.htmx.target if request.htmx else None


def _vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response


@bp.app_context_processor
def catalog_labels() -> dict:
    return {"registry_labels": REGISTRY_LABELS}


def _render_results(query, warnings: list[str]) -> tuple[str, int]:
    result = search_projects(query)
    if result.message:
        warnings = [*warnings, result.message]
    html = render_template(
        "catalog/_results.html",
        query=query,
        result=result,
        facets=build_facets(query, facet_counts(query)),
        chips=active_chips(query),
        warnings=warnings,
    )
    return html, result.page


def results_region(query, warnings: list[str]) -> tuple[Markup, int]:
    """The results-and-facets region's HTML and the page it shows, cached by data version.

    Nothing in the region depends on the visitor (no CSRF token, no account), so
    one rendering serves everyone until the catalogue changes.
    """
    notice = hashlib.sha1("\n".join(warnings).encode(), usedforsecurity=False).hexdigest()[:12]
    key = cache_key("results-html", f"{query.cache_token()}:{notice}")
    cached = cache.get(key)
    if cached is None:
        cached = _render_results(query, warnings)
        cache.set(key, cached)
    html, page = cached
    return Markup(html), page  # noqa: S704  rendered by Jinja, already escaped


@bp.get("/projects")
def search():
    query, warnings = parse_project_query(request.args)
    results_html, page = results_region(query, warnings)
    target = _htmx_target()
    if target == RESULTS_REGION:
        response = make_response(results_html)
    else:
        template = "catalog/_search.html" if target == SEARCH_REGION else "catalog/search.html"
        sorts = [(key, SORT_LABELS[key]) for key in SORTS if key != "relevance"]
        response = make_response(
            render_template(
                template,
                query=query,
                results_html=results_html,
                sorts=sorts,
                default_sort=default_sort(query.q),
                default_order=DEFAULT_ORDER[query.sort],
            )
        )
    if target in (RESULTS_REGION, SEARCH_REGION):
        # The address bar shows the search's canonical URL, not the raw form fields; the
        # same search again (Enter, or leaving the search box) adds no history entry.
        url = url_for("catalog.search", **query.with_page(page).to_args())
        response.headers["HX-Push-Url"] = "false" if _is_current_url(url) else url
        response.vary.add("HX-Current-URL")
    return _vary(response)


def _is_current_url(url: str) -> bool:
    """Whether the page that sent this HTMX request is already at ``url`` (path and query)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return url == current.path + (f"?{current.query}" if current.query else "")


@bp.get("/projects/export.csv")
def export_csv():
    args = request.args.copy()
    args.poplist("page")  # the export is every page
    query, warnings = parse_project_query(args)
    # A download has no page to show what was ignored: refuse rather than export more rows.
    ignored = [warning for warning in warnings if not warning.startswith("Swapped ")]
    if ignored:
        return Response(" ".join(ignored) + "\n", status=400, mimetype="text/plain")
    response = Response(
        stream_with_context(csv_lines(query)),
        mimetype="text/csv",
        content_type="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="carbonscope-projects.csv"'
    return response


def _project_or_404(project_id: str):
    project = get_project(project_id)
    if project is None:
        abort(404, description=f"There is no project {project_id} in the catalogue.")
    return project


def _canonical_redirect(project, project_id: str, endpoint: str) -> Response | None:
    """A 301 to the canonical address when the id was typed as an alias ('GS561' -> 'GLD561')."""
    if project.project_id == project_id:
        return None
    args = request.args.to_dict(flat=False)
    return redirect(url_for(endpoint, project_id=project.project_id, **args), code=301)


def _chart_context(project) -> tuple[dict, int]:
    """The chart the ``chart`` argument picks, and the status: 400 for a view that is none."""
    try:
        view, notice, status = parse_view(request.args.get("chart")), None, 200
    except UnknownChartView as error:
        view, notice, status = None, str(error), 400
    chart = project_chart(project, view)
    return {"project": project, "chart": chart, "chart_notice": notice}, status


def _page_arg(name: str) -> int:
    return ascii_int(request.args.get(name)) or 1


@bp.get("/projects/<project_id>")
def detail(project_id: str):
    project = _project_or_404(project_id)
    if moved := _canonical_redirect(project, project_id, "catalog.detail"):
        return moved
    credits = credit_page(project, _page_arg("credits_page"))
    if _htmx_target() == CREDITS_REGION:
        response = make_response(
            render_template("catalog/_credits.html", project=project, credits=credits)
        )
        return _vary(response)
    chart_context, status = _chart_context(project)
    response = make_response(
        render_template(
            "catalog/project.html",
            field_groups=field_groups(project),
            quality=project_quality(project),
            status_note=status_note(project),
            remaining=remaining_credits(project),
            description=paragraphs(project.description),
            source_label=source_label(project.source),
            registry_url=safe_url(project.registry_url) or safe_url(project.documents_url),
            website=safe_url(project.website),
            credits=credits,
            sections=render_project_sections(project),
            **chart_context,
        ),
        status,
    )
    return _vary(response)


@bp.get("/projects/<project_id>/chart")
def chart(project_id: str):
    project = _project_or_404(project_id)
    if moved := _canonical_redirect(project, project_id, "catalog.chart"):
        return moved
    chart_context, status = _chart_context(project)
    return _vary(make_response(render_template("catalog/_chart.html", **chart_context), status))
