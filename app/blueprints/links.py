"""Cross-registry links: the admins' review queue, and the "also listed as" region of a project."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.blueprints.admin import admin_required
from app.extensions import db
from app.links.queries import (
    KIND_LABELS,
    also_listed_as,
    count_by_state,
    evidence_items,
    listed_pairs,
    market_totals,
    review_queue,
)
from app.links.review import REVIEW_STATE_LABELS, ReviewError, parse_decision, review_link
from app.models import ProjectLink

bp = Blueprint("links", __name__)

QUEUE_REGION = "link-queue"


@bp.app_template_global("also_listed_as")
def _also_listed_as(project):
    return also_listed_as(project)


@bp.app_template_global("market_totals")
def _market_totals():
    return market_totals()


@bp.app_template_global("link_counts")
def _link_counts():
    return count_by_state()


@bp.app_template_global("link_pairs")
def _link_pairs(state: str, limit: int):
    return listed_pairs(state, limit)


@bp.app_template_global("link_kind_label")
def _link_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global("link_review_state_label")
def _review_state_label(state: str) -> str:
    return str(REVIEW_STATE_LABELS.get(state, state))


@bp.app_template_global("link_evidence")
def _link_evidence(evidence):
    return evidence_items(evidence)


def _page_arg() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@bp.get("/admin/links")
@admin_required
def queue():
    page = review_queue(_page_arg())
    region = request.htmx.target == QUEUE_REGION if request.htmx else False
    template = "links/_queue.html" if region else "links/queue.html"
    response = make_response(render_template(template, queue=page, waiting=page.total))
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response


@bp.post("/admin/links/<int:link_id>/review")
@admin_required
def review(link_id: int):
    back = url_for("links.queue", page=request.form.get("page") or None)
    try:
        link = review_link(link_id, parse_decision(request.form), current_user)
    except ReviewError as error:
        waiting = db.session.get(ProjectLink, link_id)
        if request.htmx and error.status == 422 and waiting is not None:
            # The form again, with what to fix: nothing typed is lost.
            html = render_template("links/_suggestion.html", link=waiting, message=error.message)
            return html, error.status
        if request.htmx:
            return render_template(
                "links/_review_error.html", link_id=link_id, message=error.message
            ), error.status
        flash(error.message, "error")
        return redirect(back, code=303)
    if request.htmx:
        waiting = count_by_state()["suggested"]
        return render_template("links/_decided.html", link=link, waiting=waiting)
    flash(f"{link.project_a.project_id} and {link.project_b.project_id}: {link.review_state}.")
    return redirect(back, code=303)


@bp.get("/data/project-links.csv")
def pairs_csv():
    """Every confirmed and suggested pair, with how it is known and its score."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["project_a", "project_b", "review_state", "kind", "score", "reason"])
    for state in ("confirmed", "suggested"):
        for link in listed_pairs(state):
            writer.writerow(
                [
                    link.project_a.project_id,
                    link.project_b.project_id,
                    state,
                    link.kind,
                    link.score,
                    link.reason or "",
                ]
            )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="carbonscope-project-links.csv"'
    return response
