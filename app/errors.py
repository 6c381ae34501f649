"""Friendly error pages: a full page on a plain request, a small fragment on HTMX."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: HTTPException):
    if error.response is not None:  # the page was made already (a rate limit's own page)
        return error.response
    status = error.code or 500
    if _wants_json():
        body = {"type": "about:blank", "title": error.name, "status": status}
        if error.description:
            body["detail"] = error.description
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
    else:
        template = (
            "errors/_error.html" if request.htmx and not request.htmx.boosted else "error.html"
        )
        response = make_response(render_template(template, error=error, status=status), status)
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
