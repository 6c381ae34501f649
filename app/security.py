"""Headers that every response carries."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


# A year, the usual minimum for HSTS preload lists; only ever sent over HTTPS (RFC 6797 §7.2).
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and _signed_in():
        # A signed-in page is that user's: no shared or back-button cache keeps it.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _signed_in() -> bool:
    """Whether this request carried a signed-in user (without loading one just to answer)."""
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated) or "_user_id" in session


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Every cookie is Secure on a request that came over HTTPS, even when SESSION_COOKIE_SECURE
    was left unset (behind a TLS proxy, ProxyFix tells the request's scheme).

    Saving the session is the last step of every response, after Flask-Login has set its
    "remember me" cookie, so the remember cookie is marked here too.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure

    def save_session(self, app: Flask, session, response: Response) -> None:
        super().save_session(app, session, response)
        if request.is_secure:
            cookies = response.headers.getlist("Set-Cookie")
            response.headers.setlist(
                "Set-Cookie",
                [c if "; secure" in c.lower() else f"{c}; Secure" for c in cookies],
            )


def init_security(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    # Flask's own defaults hold these keys (SameSite None), so setdefault would keep them.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    # "Remember me" follows the session cookie: Secure whenever the site is served over HTTPS.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=30))
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)
