"""Proposals: the list of community projects in stage proposed, their support and discussion.

Support and comments change in place with HTMX (the new fragment, plus out-of-band
updates of every count on the page); without JavaScript the same forms post and
redirect back to the project page.
"""

from __future__ import annotations

import json

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
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.bad_parameters import read_leniently
from app.canonical_url import is_canonical
from app.extensions import db
from app.models import Comment, Project
from app.project_sections import project_section
from app.proposals import queries, services
from app.proposals.formatting import comment_html

bp = Blueprint("proposals", __name__)

DISCUSSION_ID = "proposal-discussion"
RESULTS_ID = "proposal-results"

bp.app_template_global("proposal_activity_for")(queries.proposal_activity_for)
bp.app_template_filter("comment_html")(comment_html)


@bp.app_template_filter("member_name")
def member_name(user) -> str:
    """How a member is shown in public: by number, never by any part of their email."""
    return _("Member #%(id)s", id=user.id) if user is not None else _("former member")


@bp.app_template_global()
def project_page_url(project: Project, anchor: str | None = None, **args) -> str:
    """The catalogue's page of a project, with the given query arguments and anchor."""
    given = {name: value for name, value in args.items() if value not in (None, "")}
    return url_for("catalog.detail", project_id=project.project_id, _anchor=anchor, **given)


def _wants_fragment() -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


# --- /proposals -------------------------------------------------------------------------


@bp.get("/proposals")
def index():
    # One rule for bad parameters: what cannot be read is ignored and named (200).
    query, notices = read_leniently(request.args, queries.ProposalQuery.from_args, queries.BadQuery)
    if not request.htmx and not notices and not is_canonical(request.args, query.args()):
        return redirect(url_for("proposals.index", **query.args()))
    results = queries.list_proposals(query)
    context = {"query": query, "results": results, "sorts": queries.SORTS, "notices": notices}
    if request.htmx.target == RESULTS_ID:
        response = make_response(render_template("proposals/_results.html", **context))
    else:
        context["facets"] = queries.proposal_facets()
        response = make_response(render_template("proposals/index.html", **context))
    if notices and request.htmx:
        response.headers["HX-Push-Url"] = url_for("proposals.index", **query.args())
    return _vary(response)


# --- support ---------------------------------------------------------------------------


def _community_project(project_id: str) -> Project:
    project = db.session.scalar(select(Project).where(Project.project_id == project_id))
    if project is None or not project.is_community:
        abort(404, description=_("There is no community project with that id."))
    return project


def _sign_in_first(project: Project, anchor: str, intent: str | None = None):
    """Anonymous users go to sign in, then come back to the project page.

    ``intent`` (what they clicked) comes back in the URL: the page then asks them to confirm
    it with the same CSRF-protected form, so signing in never acts on its own.
    """
    back = project_page_url(project, anchor=anchor, intent=intent)
    login = url_for("accounts.login", next=back)
    if request.htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login
        return response
    flash(_("Please sign in to continue."), "info")
    return redirect(login)


def _refuse(error: services.ProposalError):
    abort(error.status, description=error.message)


def _support_context(project: Project) -> dict:
    return {
        "project": project,
        "supporters": queries.support_count(project),
        "supporting": queries.is_supporting(project, current_user),
        "is_open": services.is_open(project),
        "closed_message": services.closed_message(project),
    }


@bp.post("/projects/<project_id>/support")
def support(project_id: str):
    """Support, or withdraw support. The form says which, so a double click stays one vote."""
    project = _community_project(project_id)
    if not current_user.is_authenticated:
        return _sign_in_first(project, "proposal-support", intent="support")
    action = request.form.get("action") or (
        "withdraw" if queries.is_supporting(project, current_user) else "support"
    )
    if action not in ("support", "withdraw"):
        abort(400, description=_("'action' must be 'support' or 'withdraw'."))
    try:
        if action == "support":
            services.support(project, current_user)
        else:
            services.withdraw_support(project, current_user)
    except services.Closed as error:
        if not _wants_fragment():
            _refuse(error)
        # The page was older than the project's stage: show the region as it is now.
        html = render_template("proposals/_support.html", **_support_context(project))
        return make_response(html, error.status)
    except services.ProposalError as error:
        _refuse(error)
    if not _wants_fragment():
        flash(
            _("Thank you for your support.")
            if action == "support"
            else _("Your support is withdrawn."),
            "success",
        )
        return redirect(project_page_url(project, anchor="proposal-support"))
    context = _support_context(project)
    html = render_template("proposals/_support.html", **context) + render_template(
        "proposals/_counts_oob.html", project=project, supporters=context["supporters"]
    )
    response = make_response(html)
    response.headers["HX-Trigger"] = json.dumps(
        {"support-changed": {"project": project.project_id, "supporters": context["supporters"]}}
    )
    return response


# --- discussion -------------------------------------------------------------------------


def _discussion_context(project: Project, order: str, page: int, **extra) -> dict:
    context = {
        "project": project,
        "comments": queries.comments_page(project, order, page),
        "order": order,
        "orders": queries.COMMENT_ORDERS,
        "supporters": queries.support_count(project),
        "is_open": services.is_open(project),
        "closed_message": services.closed_message(project),
        "can_change": services.can_change,
        "was_edited": services.was_edited,
        "max_length": services.MAX_COMMENT_LENGTH,
        "body": "",
        "error": None,
    }
    context.update(extra)
    return context


def _render_discussion(project: Project, order: str, page: int, **extra) -> str:
    return render_template(
        "proposals/_discussion.html", **_discussion_context(project, order, page, **extra)
    )


@bp.get("/projects/<project_id>/comments")
def discussion(project_id: str):
    """The discussion region (HTMX); a plain request goes to the project page instead."""
    project = _community_project(project_id)
    try:
        order, page = queries.parse_comment_view(
            request.args.get("order"), request.args.get("page")
        )
    except queries.BadQuery as error:
        abort(400, description=str(error))
    if not _wants_fragment():
        return redirect(
            project_page_url(
                project,
                anchor=DISCUSSION_ID,
                comments_order=None if order == "newest" else order,
                comments_page=None if page == 1 else page,
            )
        )
    return _vary(make_response(_render_discussion(project, order, page)))


def _comment_order() -> str:
    order = request.form.get("order") or "newest"
    return order if order in queries.COMMENT_ORDERS else "newest"


@bp.post("/projects/<project_id>/comments")
def add_comment(project_id: str):
    project = _community_project(project_id)
    if not current_user.is_authenticated:
        return _sign_in_first(project, DISCUSSION_ID)
    body = request.form.get("body")
    order = _comment_order()
    try:
        comment = services.add_comment(project, current_user, body)
    except services.InvalidComment as error:
        if _wants_fragment():
            html = _render_discussion(project, order, 1, body=body or "", error=error.message)
            return make_response(html, 422)
        page = render_template(
            "proposals/comment_new.html",
            project=project,
            body=body or "",
            error=error.message,
            max_length=services.MAX_COMMENT_LENGTH,
        )
        return make_response(page, 422)
    except services.Closed as error:
        if not _wants_fragment():
            _refuse(error)
        return make_response(_render_discussion(project, order, 1), error.status)
    except services.ProposalError as error:
        _refuse(error)
    if not _wants_fragment():
        flash(_("Your comment is posted."), "success")
        return redirect(project_page_url(project, anchor=f"comment-{comment.id}"))
    return _discussion_with_counts(project, order)


def _discussion_with_counts(project: Project, order: str):
    html = _render_discussion(project, order, 1) + render_template(
        "proposals/_counts_oob.html", project=project, comments=queries.comment_count(project)
    )
    return make_response(html)


def _comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404, description=_("That comment does not exist (it may have been deleted)."))
    return comment


def _comment_context(comment: Comment, **extra) -> dict:
    context = {
        "comment": comment,
        "project": comment.project,
        "can_change": services.can_change,
        "was_edited": services.was_edited,
        "max_length": services.MAX_COMMENT_LENGTH,
        "error": None,
    }
    context.update(extra)
    return context


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id: int):
    """One comment (HTMX: to cancel an edit); a plain request goes to it on the project page."""
    comment = _comment(comment_id)
    if not _wants_fragment():
        return redirect(project_page_url(comment.project, anchor=f"comment-{comment.id}"))
    return render_template("proposals/_comment.html", **_comment_context(comment))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    comment = _comment(comment_id)
    if not current_user.is_authenticated:
        return _sign_in_first(comment.project, f"comment-{comment.id}")
    template = "proposals/_comment_edit.html"
    if not _wants_fragment():
        template = "proposals/comment_edit.html"
    if request.method == "GET":
        _check(comment)
        return render_template(template, **_comment_context(comment, body=comment.body))
    body = request.form.get("body")
    try:
        services.edit_comment(comment, current_user, body)
    except services.InvalidComment as error:
        context = _comment_context(comment, body=body or "", error=error.message)
        return make_response(render_template(template, **context), 422)
    except services.Closed as error:
        db.session.rollback()
        if not _wants_fragment():
            _refuse(error)
        # The text stays in the form, with the reason it can no longer be saved.
        context = _comment_context(comment, body=body or "", error=error.message)
        return make_response(render_template(template, **context), error.status)
    except services.ProposalError as error:
        db.session.rollback()
        _refuse(error)
    if not _wants_fragment():
        flash(_("Your comment is saved."), "success")
        return redirect(project_page_url(comment.project, anchor=f"comment-{comment.id}"))
    return render_template("proposals/_comment.html", **_comment_context(comment))


def _check(comment: Comment) -> None:
    try:
        services.check_can_change(comment, current_user)
    except services.ProposalError as error:
        _refuse(error)


@bp.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id: int):
    comment = _comment(comment_id)
    project = comment.project
    if not current_user.is_authenticated:
        return _sign_in_first(project, f"comment-{comment.id}")
    try:
        services.delete_comment(comment, current_user)
    except services.Closed as error:
        if not _wants_fragment():
            _refuse(error)
        html = render_template("proposals/_comment.html", **_comment_context(comment))
        return make_response(html, error.status)
    except services.ProposalError as error:
        _refuse(error)
    if not _wants_fragment():
        flash(_("The comment is deleted."), "success")
        return redirect(project_page_url(project, anchor=DISCUSSION_ID))
    return render_template(
        "proposals/_counts_oob.html", project=project, comments=queries.comment_count(project)
    )


# --- sections of the project page ----------------------------------------------------------


@project_section("proposals-styles", order=0)
def render_styles_section(project) -> str | None:
    """The stylesheet of the sections below, once, outside every region that gets swapped."""
    if not project.is_community:
        return None
    return render_template("proposals/_styles.html")


@project_section("support", order=10)
def render_support_section(project) -> str | None:
    if not project.is_community:
        return None
    return render_template("proposals/_support.html", **_support_context(project))


@project_section("discussion", order=60)
def render_discussion_section(project) -> str | None:
    if not project.is_community:
        return None
    try:
        order, page = queries.parse_comment_view(
            request.args.get("comments_order"), request.args.get("comments_page")
        )
    except queries.BadQuery:
        order, page = "newest", 1
    return _render_discussion(project, order, page)
