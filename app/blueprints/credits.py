"""Who retired what: every credit record (/credits), beneficiaries, and the admins' merges."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.blueprints.admin import admin_required
from app.blueprints.catalog import (
    _htmx_target,
    _is_current_url,
    _vary,
    with_past_end_warning,
)
from app.catalog.query import MAX_QUERY_LENGTH, _clean_text
from app.catalog.search import cache_key
from app.charts import Series, bar_chart
from app.credits import aliases
from app.credits.beneficiaries import MAX_PAGE, beneficiary_profile, largest_retirers
from app.credits.export import csv_lines
from app.credits.facets import active_chips, build_facet, build_facets
from app.credits.query import (
    KIND_LABELS,
    ORDERS,
    REASON_DISPLAY,
    SORT_LABELS,
    SORTS,
    parse_credit_query,
)
from app.credits.query import MAX_PAGE as MAX_CREDIT_PAGE
from app.credits.search import facet_counts, label_counts, quantity_by_year, search_credits
from app.extensions import cache
from app.i18n import current_language

bp = Blueprint("credits", __name__)

RESULTS_REGION = "credit-results"
LABEL_FACET_REGION = "credit-facet-label"
SEARCH_REGION = "credit-search"
BENEFICIARIES_REGION = "beneficiary-results"
MERGES_REGION = "beneficiary-merges"


@bp.app_context_processor
def credit_labels() -> dict:
    return {
        "reason_labels": REASON_DISPLAY,
        "credit_kind_labels": KIND_LABELS,
        "credit_max_page": MAX_CREDIT_PAGE,
        "beneficiary_max_page": MAX_PAGE,
    }


def _translated(labels: dict) -> dict[str, str]:
    """Lazy labels translated once: a results region shows one per record (50 lookups)."""
    return {key: str(label) for key, label in labels.items()}


def _year_chart(years: list[tuple[int, int]], title: str, chart_id: str):
    if not years:
        return None
    first, last = years[0][0], years[-1][0]
    by_year = dict(years)
    labels = list(range(first, last + 1))
    values = [by_year.get(year, 0) for year in labels]
    return bar_chart(
        [str(year) for year in labels],
        [Series(_("Credits"), values)],
        title=title,
        chart_id=chart_id,
    )


def _render_results(query, warnings: list[str], labels_later: bool) -> tuple[str, int]:
    """The region's HTML and page. ``labels_later``: the label facet comes uncounted and asks
    for its counts in a second request (a keystroke's region: its results need not wait)."""
    result = search_credits(query)
    warnings = with_past_end_warning(warnings, query.page, result)
    years = quantity_by_year(query)
    counts = facet_counts(query)
    if not labels_later:
        counts = {**counts, "label": label_counts(query)}
    html = render_template(
        "credits/_results.html",
        query=query,
        result=result,
        years=years,
        chart=_year_chart(years, _("Credits of the filtered records by year"), "credits-by-year"),
        facets=build_facets(query, counts),
        label_counts_url=url_for("credits.search", **query.to_args()) if labels_later else None,
        chips=active_chips(query),
        warnings=warnings,
        reason_labels=_translated(REASON_DISPLAY),
        credit_kind_labels=_translated(KIND_LABELS),
    )
    return html, result.page


def results_region(query, warnings: list[str], labels_later: bool) -> tuple[Markup, int]:
    """The results-and-facets region and the page it shows, cached by data version (it holds
    nothing per visitor)."""
    notice = hashlib.sha1("\n".join(warnings).encode(), usedforsecurity=False).hexdigest()[:12]
    token = f"{current_language()}:{query.cache_token()}:{notice}:{int(labels_later)}"
    key = cache_key("credits-html", token)
    cached = cache.get(key)
    if cached is None:
        cached = _render_results(query, warnings, labels_later)
        cache.set(key, cached)
    html, page = cached
    return Markup(html), page  # noqa: S704  rendered by Jinja, already escaped


def _push_url(response: Response, url: str) -> None:
    """The address bar shows the canonical URL; the same search again adds no history entry."""
    response.headers["HX-Push-Url"] = "false" if _is_current_url(url) else url
    response.vary.add("HX-Current-URL")


@bp.get("/credits")
def search():
    query, warnings = parse_credit_query(request.args)
    target = _htmx_target()
    if target == LABEL_FACET_REGION:
        facet_fieldset = get_template_attribute("credits/_facet.html", "facet_fieldset")
        facet = build_facet(query, "label", label_counts(query))
        return _vary(make_response(facet_fieldset(facet)))
    results_html, page = results_region(query, warnings, labels_later=target == RESULTS_REGION)
    if target == RESULTS_REGION:
        response = make_response(results_html)
    else:
        template = "credits/_search.html" if target == SEARCH_REGION else "credits/index.html"
        response = make_response(
            render_template(
                template,
                query=query,
                results_html=results_html,
                sorts=[(key, SORT_LABELS[key]) for key in SORTS],
                orders=ORDERS,
            )
        )
    if target in (RESULTS_REGION, SEARCH_REGION):
        _push_url(response, url_for("credits.search", **query.with_page(page).to_args()))
    return _vary(response)


@bp.get("/credits/export.csv")
def export_csv():
    args = request.args.copy()
    args.poplist("page")  # the export is every page
    with force_locale("en"):  # the warnings are matched as text below
        query, warnings = parse_credit_query(args)
    ignored = [warning for warning in warnings if not warning.startswith("Swapped ")]
    if ignored:
        return Response(" ".join(ignored) + "\n", status=400, mimetype="text/plain")
    response = Response(
        stream_with_context(csv_lines(query)),
        content_type="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="carbonscope-credits.csv"'
    return response


def _page_arg(limit: int) -> tuple[int, str | None]:
    raw = (request.args.get("page") or "").strip()
    if not raw:
        return 1, None
    if raw.isdigit() and 1 <= int(raw) <= limit:
        return int(raw), None
    return 1, _("Ignored page=“%(page)s”: pages run from 1 to %(last)s.", page=raw[:20], last=limit)


@bp.get("/beneficiaries")
def beneficiaries():
    q = _clean_text(request.args.get("q"))[:MAX_QUERY_LENGTH]
    page, warning = _page_arg(MAX_PAGE)
    result = largest_retirers(q, page)
    context = {"q": q, "result": result, "warning": warning}
    if _htmx_target() == BENEFICIARIES_REGION:
        response = make_response(render_template("beneficiaries/_results.html", **context))
    else:
        response = make_response(render_template("beneficiaries/index.html", **context))
    if _htmx_target() == BENEFICIARIES_REGION:
        args = {"q": q} if q else {}
        if result.page > 1:
            args["page"] = result.page
        _push_url(response, url_for("credits.beneficiaries", **args))
    return _vary(response)


@bp.get("/beneficiaries/<slug>")
def beneficiary(slug: str):
    profile = beneficiary_profile(slug[:300]) if "\x00" not in slug else None
    if profile is None:
        abort(
            404,
            description=_(
                "No credits were retired for a beneficiary named “%(name)s”.", name=slug[:100]
            ),
        )
    chart = _year_chart(
        profile.by_year, _("Credits retired by year: %(name)s", name=profile.name), "retired"
    )
    return render_template("beneficiaries/detail.html", profile=profile, chart=chart)


# --- admin: suggested merges ------------------------------------------------------------


def _merges_page(status: int = 200, error: str | None = None, notice: str | None = None):
    context = {
        "suggestions": aliases.suggested_merges(),
        "decisions": aliases.decided_merges(),
        "error": error,
        "notice": notice,
    }
    template = (
        "admin/_beneficiary_merges.html"
        if _htmx_target() == MERGES_REGION
        else "admin/beneficiaries.html"
    )
    return _vary(make_response(render_template(template, **context), status))


@bp.get("/admin/beneficiaries")
@admin_required
def merges():
    return _merges_page()


@bp.post("/admin/beneficiaries")
@admin_required
def decide():
    decision = request.form.get("decision", "")
    alias_key = (request.form.get("alias_key") or "").strip()
    canonical_key = (request.form.get("canonical_key") or "").strip()
    if decision not in ("confirm", "reject"):
        return _merges_page(422, error=_("Choose to confirm or to reject the merge."))
    try:
        moved = aliases.decide_merge(
            alias_key, canonical_key, confirm=decision == "confirm", user_id=current_user.id
        )
    except aliases.MergeError as error:
        return _merges_page(error.status, error=str(error))
    if decision == "confirm":
        notice = _(
            "Merged “%(alias)s” into “%(canonical)s” (%(records)s credit records).",
            alias=alias_key,
            canonical=canonical_key,
            records=format_number(moved),
        )
    else:
        notice = _(
            "Rejected merging “%(alias)s” into “%(canonical)s”.",
            alias=alias_key,
            canonical=canonical_key,
        )
    if not request.htmx:
        flash(notice, "success")
        return redirect(url_for("credits.merges"), code=303)
    return _merges_page(notice=notice)
