"""The catalogue: faceted project search, project pages with their credits, CSV export."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.canonical_url import is_canonical
from app.catalog.compare import (
    COMPARED_FIELDS,
    MAX_COMPARED,
    compare_ids_arg,
    load_compared,
    on_years,
    parse_compare_ids,
    shared_years,
)
from app.catalog.export import csv_lines
from app.catalog.facets import active_chips, build_facets
from app.catalog.overview import country_figures, search_overview
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
    REGISTRY_LABELS,
    SwapNotice,
    parse_project_query,
)
from app.catalog.search import cache_key, facet_counts, search_projects
from app.catalog.totals import remaining_credits
from app.charts import Series, bar_chart, short_number
from app.extensions import cache
from app.i18n import current_language
from app.project_sections import render_project_sections
from app.request_input import ascii_int
from app.templating import format_number
from app.world_map import by_atlas_key, unmapped, world_map
from app.world_map import legend as map_legend

bp = Blueprint("catalog", __name__)

RESULTS_REGION = "catalog-results"
SEARCH_REGION = "project-search"
CREDITS_REGION = "credit-records"
OVERVIEW_REGION = "overview-pictures"


def _htmx_target() -> str | None:
    return request.htmx.target if request.htmx else None


def _vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response


@bp.app_context_processor
def catalog_labels() -> dict:
    return {"registry_labels": REGISTRY_LABELS}


def _country_link(query):
    """names -> this search with those countries added: one url_for, not one per country
    (a map has ~150 links; building each through the router cost more than drawing it)."""
    base = url_for("catalog.search", **query.with_page(1).to_args())
    separator = "&" if "?" in base else "?"

    def link(names: tuple[str, ...]) -> str:
        added = [("country", name) for name in names if name not in query.country]
        return base + separator + urlencode(added) if added else base

    return link


def _overview_context(query) -> dict:
    """The overview's totals, its chart by year and its map, for exactly this search."""
    overview = search_overview(query)
    chart = None
    if overview.years:
        chart = bar_chart(
            [str(year) for year in overview.years],
            [
                Series(_("Issued"), overview.issued_by_year),
                Series(_("Retired"), overview.retired_by_year),
            ],
            title=_("Credits issued and retired by year"),
            chart_id="overview-chart-svg",
            width=560,
            height=220,
        )
    by_credits = query.map_by == "credits"
    values = by_atlas_key(
        (name, code, issued if by_credits else projects)
        for name, code, projects, issued in country_figures(query)
    )
    unit = (
        (_("credit issued"), _("credits issued")) if by_credits else (_("project"), _("projects"))
    )
    return {
        "overview": overview,
        "overview_chart": chart,
        "world_map": world_map(
            values,
            title=_("Map of %(unit)s by country", unit=unit[1]),
            unit=unit,
            geometry_url=url_for("icons.map_geometry"),
            link=_country_link(query),
            selected=query.country,
        ),
        "map_legend": map_legend(values, short_number if by_credits else format_number),
        "map_unmapped": unmapped(values),
    }


def with_past_end_warning(warnings: list[str], page: int, result) -> list[str]:
    """The page's warnings, with one in the reader's language when the page asked for is
    past the end (the search's cached result says so in English)."""
    if not result.message:
        return warnings
    past_end = _(
        "Page %(page)s is past the end: showing page %(pages)s of %(pages)s.",
        page=page,
        pages=result.pages,
    )
    return [*warnings, past_end]


def _render_results(query, warnings: list[str]) -> tuple[str, int]:
    result = search_projects(query)
    warnings = with_past_end_warning(warnings, query.page, result)
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
    key = cache_key(
        "results-html", f"{current_language()}:{query.cache_token()}:{query.map_by}:{notice}"
    )
    cached = cache.get(key)
    if cached is None:
        cached = _render_results(query, warnings)
        cache.set(key, cached)
    html, page = cached
    return Markup(html), page  # noqa: S704  rendered by Jinja, already escaped


def overview_region(query, in_search: bool) -> Markup:
    """The overview's chart by year and map (``in_search``: swapped into the search page,
    else a page of its own), cached by data version like the results region."""
    key = cache_key(
        "overview-html",
        f"{current_language()}:{query.cache_token(page=False)}:{query.map_by}:{in_search}",
    )
    html = cache.get(key)
    if html is None:
        html = render_template(
            "catalog/_overview_pictures.html",
            query=query,
            in_search=in_search,
            **_overview_context(query),
        )
        cache.set(key, html)
    return Markup(html)  # noqa: S704  rendered by Jinja, already escaped


@bp.get("/projects/overview")
def overview():
    """The search's chart by year and map: the fragment its results region loads after the
    results (HTMX), or, followed as a plain link, a page of its own."""
    query, _warnings = parse_project_query(request.args)
    in_search = _htmx_target() == OVERVIEW_REGION
    pictures_html = overview_region(query, in_search)
    if in_search:
        return _vary(make_response(pictures_html))
    html = render_template(
        "catalog/overview.html",
        query=query,
        overview=search_overview(query),
        pictures_html=pictures_html,
    )
    return _vary(make_response(html))


@bp.get("/projects")
def search():
    query, warnings = parse_project_query(request.args)
    target = _htmx_target()
    if target is None and not warnings and not is_canonical(request.args, query.to_args()):
        # A plain GET form sends every field, empty ones too: answer at the search's own URL.
        return redirect(url_for("catalog.search", **query.to_args()))
    if target not in (RESULTS_REGION, SEARCH_REGION):
        return _vary(make_response(search_page(query, warnings)))
    results_html, page = results_region(query, warnings)
    if target == RESULTS_REGION:
        response = make_response(results_html)
    else:
        response = make_response(
            render_template("catalog/_search.html", query=query, results_html=results_html)
        )
    # The address bar shows the search's canonical URL, not the raw form fields; the
    # same search again (Enter, or leaving the search box) adds no history entry.
    url = url_for("catalog.search", **query.with_page(page).to_args())
    response.headers["HX-Push-Url"] = "false" if _is_current_url(url) else url
    response.vary.add("HX-Current-URL")
    return _vary(response)


# Where the per-request CSRF token goes in a page cached for every anonymous visitor.
CSRF_HOLE = "\x00csrf-token\x00"
# As long as /projects may show a registry's freshness late (app/freshness.py).
SEARCH_PAGE_SECONDS = 30


def search_page(query, warnings: list[str]) -> str:
    """The whole search page. For anonymous visitors it differs only by its address and
    language (and the CSRF token, filled in per request), so it is rendered once and cached
    like its results: a warm search then renders nothing."""
    if current_user.is_authenticated or session.get("_flashes"):
        return _render_search_page(query, warnings)
    address = hashlib.sha1(request.full_path.encode(), usedforsecurity=False).hexdigest()
    key = cache_key("search-page", f"{current_language()}:{address}")
    page = cache.get(key)
    if page is None:
        page = _render_search_page(query, warnings, csrf_token=lambda: CSRF_HOLE)
        cache.set(key, page, timeout=SEARCH_PAGE_SECONDS)
    return page.replace(CSRF_HOLE, generate_csrf())


def _render_search_page(query, warnings: list[str], **context) -> str:
    results_html, _page = results_region(query, warnings)
    return render_template("catalog/search.html", query=query, results_html=results_html, **context)


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
    ignored = [warning for warning in warnings if not isinstance(warning, SwapNotice)]
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
        abort(404, description=_("There is no project %(id)s in the catalogue.", id=project_id))
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


@bp.get("/compare")
def compare():
    ids, notices = parse_compare_ids(request.args)
    compared, missing = load_compared(ids)
    if missing:
        notices.append(
            _("Ignored %(ids)s: no such project in the catalogue.", ids=", ".join(missing))
        )
    kept = [item.project.project_id for item in compared]
    years = shared_years(compared)
    top = max((max([*item.yearly.issued, *item.yearly.retired, 0]) for item in compared), default=0)
    charts = []
    for item in compared:
        issued, retired = on_years(item.yearly, years)
        charts.append(
            bar_chart(
                [str(year) for year in years],
                [Series(_("Issued"), issued), Series(_("Retired"), retired)],
                title=_("Credits issued and retired by year: %(id)s", id=item.project.project_id),
                chart_id=f"compare-chart-{item.project.project_id}",
                width=480,
                height=240,
                scale_to=top,
            )
            if years
            else None
        )
    response = make_response(
        render_template(
            "catalog/compare.html",
            compared=compared,
            charts=charts,
            fields=COMPARED_FIELDS,
            notices=notices,
            kept=kept,
            max_compared=MAX_COMPARED,
        )
    )
    if notices and request.htmx:
        response.headers["HX-Push-Url"] = url_for("catalog.compare", ids=compare_ids_arg(kept))
    return response
