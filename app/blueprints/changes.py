"""What changed: /changes, the Atom feeds, follows, the account's news and digest settings."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from app.accounts.next_url import safe_next
from app.catalog.query import parse_project_query
from app.catalog.search import cache_key
from app.changes.digests import digest_frequency_label, user_of_token
from app.changes.facets import active_chips, build_facets
from app.changes.feeds import FEED_ENTRIES, FeedLinks, build_feed, validators
from app.changes.follows import (
    PROJECTS_PATH,
    FollowError,
    Target,
    follow,
    is_following,
    resolve_target,
    search_target,
    setting_for,
    unfollow,
)
from app.changes.query import ChangeQuery, parse_change_query
from app.changes.search import COUNT_LIMIT, change_overview, project_history, search_changes
from app.extensions import cache, csrf, db
from app.i18n import current_language
from app.models import DIGEST_FREQUENCIES, FollowerSetting
from app.project_sections import project_section

bp = Blueprint("changes", __name__)
bp.add_app_template_global(digest_frequency_label)

RESULTS_REGION = "changes-results"
SEARCH_REGION = "changes-search"
FOLLOW_CLASS = "follow-control"
ATOM = "application/atom+xml; charset=utf-8"
DIGEST_SAVED = {
    "off": _l("Saved: no email digests."),
    "daily": _l("Saved: a daily email digest."),
    "weekly": _l("Saved: a weekly email digest."),
}


def _vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response


def _htmx_target() -> str | None:
    return request.htmx.target if request.htmx else None


# /changes ------------------------------------------------------------------------------


def _render_results(query: ChangeQuery, warnings: list[str]) -> str:
    overview = change_overview(query)
    return render_template(
        "changes/_results.html",
        query=query,
        page=search_changes(query),
        overview=overview,
        facets=build_facets(query, overview.counts),
        chips=active_chips(query),
        warnings=warnings,
        follow_target=search_target("/changes", MultiDict(query.first_page().to_args())),
        feed_url=url_for("changes.changes_feed", **query.first_page().to_args()),
        count_limit=COUNT_LIMIT,
    )


def results_region(query: ChangeQuery, warnings: list[str]) -> Markup:
    """The results-and-facets region's HTML, cached by data version: nothing in it depends
    on the visitor (the follow button loads apart), so one rendering serves everyone."""
    notice = hashlib.sha1("\n".join(warnings).encode(), usedforsecurity=False).hexdigest()[:12]
    key = cache_key("changes-results-html", f"{current_language()}:{query.cache_token()}:{notice}")
    html = cache.get(key)
    if html is None:
        html = _render_results(query, warnings)
        cache.set(key, html)
    return Markup(html)  # noqa: S704  rendered by Jinja, already escaped


@bp.get("/changes")
def index():
    query, warnings = parse_change_query(request.args)
    results_html = results_region(query, warnings)
    target = _htmx_target()
    if target == RESULTS_REGION:
        response = make_response(results_html)
    else:
        template = "changes/_search.html" if target == SEARCH_REGION else "changes/index.html"
        first = query.first_page()
        response = make_response(
            render_template(
                template,
                query=query,
                results_html=results_html,
                follow_target=search_target("/changes", MultiDict(first.to_args())),
                feed_url=url_for("changes.changes_feed", **first.to_args()),
            )
        )
    if target in (RESULTS_REGION, SEARCH_REGION):
        response.headers["HX-Push-Url"] = url_for("changes.index", **query.to_args())
    return _vary(response)


# Feeds ---------------------------------------------------------------------------------


def _feed(title: str, changes, page_url: str) -> Response:
    """The Atom response, or 304 when the reader's ETag or date is still current."""
    self_url = request.url
    etag, modified = validators(changes, self_url)
    response = Response(mimetype="application/atom+xml")
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response = response.make_conditional(request)
    if response.status_code != 304:
        links = FeedLinks(
            self_url,
            page_url,
            lambda pid: url_for("catalog.detail", project_id=pid, _external=True),
        )
        response.set_data(build_feed(title, changes, links))
        response.content_type = ATOM
    return response


def _parsed_for_feed(parse, args):
    """A feed's query and its warnings, in English whatever the request's language: only
    the order of a swapped range is let through (and the warnings are matched as text)."""
    with force_locale("en"):
        return parse(args)


def _refuse_ignored(warnings: list[str]) -> None:
    """A feed has no page to tell what was ignored: refuse rather than serve another feed."""
    ignored = [warning for warning in warnings if not warning.startswith("Swapped ")]
    if ignored:
        abort(400, description=" ".join(ignored))


@bp.get("/changes.atom")
def changes_feed():
    query, warnings = _parsed_for_feed(parse_change_query, request.args)
    _refuse_ignored(warnings)
    query = query.first_page()
    changes = search_changes(query, per_page=FEED_ENTRIES).items
    title = search_target("/changes", MultiDict(query.to_args())).label
    return _feed(f"CarbonScope · {title}", changes, url_for("changes.index", _external=True))


@bp.get("/projects.atom")
def projects_feed():
    args = request.args.copy()
    args.poplist("page")
    projects, warnings = _parsed_for_feed(parse_project_query, args)
    _refuse_ignored(warnings)
    changes = search_changes(ChangeQuery(), projects, per_page=FEED_ENTRIES).items
    title = search_target(PROJECTS_PATH, args).label
    page_url = url_for("catalog.search", _external=True, **projects.to_args())
    return _feed("CarbonScope · " + _("changes to %(search)s", search=title), changes, page_url)


@bp.get("/projects/<project_id>/changes.atom")
def project_feed(project_id: str):
    try:
        target = resolve_target("project", project_id)
    except FollowError as error:
        abort(error.status, description=str(error))
    changes = search_changes(ChangeQuery(project=(target.target,)), per_page=FEED_ENTRIES).items
    page_url = url_for("catalog.detail", project_id=target.target, _external=True)
    return _feed(f"CarbonScope · {target.label.strip()}", changes, page_url)


@bp.get("/beneficiaries/<path:key>/changes.atom")
def beneficiary_feed(key: str):
    try:
        target = resolve_target("beneficiary", key)
    except FollowError as error:
        abort(error.status, description=str(error))
    query = ChangeQuery(beneficiary=(target.target,))
    changes = search_changes(query, per_page=FEED_ENTRIES).items
    page_url = url_for("changes.index", _external=True, **query.to_args())
    return _feed(f"CarbonScope · {target.label}", changes, page_url)


# Follows -------------------------------------------------------------------------------


def _target_from(values) -> Target:
    try:
        return resolve_target(values.get("kind", ""), values.get("target", ""))
    except FollowError as error:
        abort(error.status, description=str(error))


def _page_path() -> str:
    """The path of the page the visitor is on (for HTMX requests, the page that sent it)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if request.htmx and current.path:
        return current.path + (f"?{current.query}" if current.query else "")
    return request.full_path.rstrip("?")


def _button(target: Target, status: int = 200, message: str | None = None) -> Response:
    following = current_user.is_authenticated and is_following(current_user.id, target)
    html = render_template(
        "changes/_follow.html",
        target=target,
        following=following,
        message=message,
        page_path=_page_path(),
    )
    return make_response(html, status)


@bp.get("/follows/button")
def follow_button():
    """The follow button as this visitor sees it (pages cached for everyone load it lazily)."""
    return _vary(_button(_target_from(request.args)))


@bp.get("/follows/new")
@login_required
def confirm_follow():
    """Without JavaScript, the "Follow" link of a cached page lands here: one more click."""
    target = _target_from(request.args)
    following = is_following(current_user.id, target)
    back = safe_next(request.args.get("next"))
    return render_template(
        "changes/follow_confirm.html",
        target=target,
        following=following,
        back=back,
        page_path=_page_path(),
    )


def _after_follow_change(target: Target, done: str) -> Response:
    if request.htmx:
        return _button(target)
    flash(done, "success")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.account"))


@bp.post("/follows")
@login_required
def follow_target():
    target = _target_from(request.form)
    try:
        follow(current_user.id, target)
    except FollowError as error:
        if request.htmx:
            return _button(target, error.status, str(error))
        abort(error.status, description=str(error))
    return _after_follow_change(target, _("You follow %(target)s.", target=target.label.strip()))


@bp.post("/follows/delete")
@login_required
def unfollow_target():
    target = _target_from(request.form)
    unfollow(current_user.id, target)
    return _after_follow_change(
        target, _("You no longer follow %(target)s.", target=target.label.strip())
    )


# The account's news and digest settings ------------------------------------------------


@bp.post("/account/digest")
@login_required
def digest_setting():
    frequency = request.form.get("digest_frequency", "")
    if frequency not in DIGEST_FREQUENCIES:
        abort(422, description=_("Choose daily, weekly or off for the email digest."))
    setting_for(current_user.id).digest_frequency = frequency
    db.session.commit()
    message = str(DIGEST_SAVED[frequency])
    if request.htmx:
        return render_template(
            "changes/_digest_form.html",
            setting=setting_for(current_user.id),
            frequencies=DIGEST_FREQUENCIES,
            message=message,
        )
    flash(message, "success")
    return redirect(url_for("accounts.account"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST it with no session
def unsubscribe(token: str):
    """One-click unsubscribe (RFC 8058): POST turns digests off; GET asks to confirm."""
    user_id = user_of_token(token)
    if user_id is None:
        abort(404, description=_("This unsubscribe link is not valid."))
    if request.method == "GET":
        return render_template("changes/unsubscribe.html", token=token, done=False)
    db.session.execute(
        update(FollowerSetting)
        .where(FollowerSetting.user_account_id == user_id)
        .values(digest_frequency="off")
    )
    db.session.commit()
    return render_template("changes/unsubscribe.html", token=token, done=True)


@bp.app_template_global()
def projects_follow_target(projects) -> Target:
    """What "Follow this search" follows on a /projects search page."""
    return search_target(PROJECTS_PATH, MultiDict(projects.with_page(1).to_args()))


# The project page's History ------------------------------------------------------------


@project_section("history", order=40)
def history_section(project) -> str | None:
    if project.is_community:
        return None
    target = Target("project", project.project_id, project.project_id)
    return render_template(
        "changes/_history.html",
        project=project,
        history=project_history(project.project_id),
        target=target,
        following=current_user.is_authenticated and is_following(current_user.id, target),
        page_path=_page_path(),
    )
