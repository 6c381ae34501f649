"""Friendly error pages: a full page on a plain request, a small fragment on HTMX."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

# Werkzeug's names and default explanations of the statuses the site answers, translated;
# a description a view wrote itself (abort(404, description=...)) is translated by that view.
STATUS_TITLES = {
    400: _l("Bad Request"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    413: _l("Request Entity Too Large"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
DEFAULT_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    403: _l(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    404: _l(
        "The requested URL was not found on the server. If you entered the URL manually "
        "please check your spelling and try again."
    ),
    405: _l("The method is not allowed for the requested URL."),
    429: _l("This user has exceeded an allotted request count. Try again later."),
}


def error_title(error: HTTPException) -> str:
    return str(STATUS_TITLES.get(error.code, error.name))


def error_description(error: HTTPException) -> str | None:
    """The error's explanation in the page's language: Werkzeug's default one translated."""
    if error.description == type(error).description and error.code in DEFAULT_DESCRIPTIONS:
        return str(DEFAULT_DESCRIPTIONS[error.code])
    return error.description


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: HTTPException):
    if error.response is not None:  # the page was made already (a rate limit's own page)
        return error.response
    status = error.code or 500
    if _wants_json():
        body = {"type": "about:blank", "title": error_title(error), "status": status}
        if error.description:
            body["detail"] = error_description(error)
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
    else:
        template = (
            "errors/_error.html" if request.htmx and not request.htmx.boosted else "error.html"
        )
        page = render_template(
            template,
            error=error,
            status=status,
            error_title=error_title(error),
            error_description=error_description(error),
        )
        response = make_response(page, status)
    return _with_error_headers(response, error)


def _with_error_headers(response, error: HTTPException):
    """The headers the error itself carries: Allow on a 405, Retry-After on a 429."""
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_unexpected(error: Exception):
    db.session.rollback()
    return render_error(InternalServerError())


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
