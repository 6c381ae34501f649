"""The header's language switch: remember the choice and go back to the same page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from app.accounts.next_url import safe_next
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, LANGUAGES

bp = Blueprint("language", __name__)


@bp.post("/language")
def choose():
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(
            400, description=f"Unknown language {language!r}: choose one of {', '.join(LANGUAGES)}."
        )
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    back = safe_next(request.form.get("next")) or url_for("insights.home")
    response = redirect(back, code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
