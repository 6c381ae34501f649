"""Failed sign-ins, limited with Flask-Limiter per client address and per account and address.

Counts live in the limiter's storage (Memcached in production, shared by every web
instance; memory:// embedded). Only a failed sign-in (401) counts. The account alone is
never a key: failures from one client never lock another client out of an account
whose password it knows. The address is the client's as far as TRUSTED_PROXY_COUNT
trusts the proxies' X-Forwarded-For (app/__init__.py), never a shared proxy's.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app, make_response, render_template, request
from flask_babel import ngettext
from flask_limiter import RequestLimit


def client_address() -> str:
    return request.remote_addr or "unknown"


def account_and_address() -> str:
    # Hashed: a limiter key must be short and free of spaces, and need not say who.
    email = (request.form.get("email") or "").strip().lower()
    return f"{client_address()}/{hashlib.sha256(email.encode()).hexdigest()[:32]}"


def per_account_and_address() -> str:
    config = current_app.config
    return f"{config['LOGIN_MAX_FAILURES']} per {config['LOGIN_WINDOW_SECONDS']} seconds"


def per_address() -> str:
    config = current_app.config
    return (
        f"{config['LOGIN_MAX_FAILURES_PER_ADDRESS']} per {config['LOGIN_WINDOW_SECONDS']} seconds"
    )


def failed(response) -> bool:
    return response.status_code == 401


def lockout_message(seconds: int) -> str:
    """Minutes rounded up, so "try again in N minutes" is never too early."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-ins. Try again in %(num)d minute.",
        "Too many failed sign-ins. Try again in %(num)d minutes.",
        minutes,
    )


def locked_out_page(limit: RequestLimit):
    """The sign-in page, saying how long to wait (Flask-Limiter adds Retry-After)."""
    from app.accounts.forms import LoginForm
    from app.accounts.next_url import safe_next

    # Counted as Flask-Limiter counts its Retry-After, so the page and the header agree.
    message = lockout_message(int(limit.reset_at - time.time()))
    html = render_template(
        "accounts/login.html",
        form=LoginForm(),
        error=message,
        next=safe_next(request.args.get("next")),
    )
    return make_response(html, 429)
