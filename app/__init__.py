"""CarbonScope: one catalogue of the voluntary carbon market's projects."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI. No side effects on import."""
    app = Flask(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)

    from app.config import load_settings
    from app.i18n import init_i18n
    from app.request_input import init_request_input

    app.config.from_mapping(load_settings(instance_path))
    if config:
        app.config.from_mapping(config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(levelname)s %(name)s %(message)s")
    # Alembic announces its plugins at every start; its migration lines still show.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    _trust_proxies(app)
    _init_extensions(app)
    init_i18n(app)
    init_request_input(app)
    _register_blueprints(app)

    from app.cli import register_commands
    from app.errors import init_errors
    from app.security import init_security
    from app.templating import init_templating

    init_errors(app)
    init_security(app)
    init_templating(app)
    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies, read the client's address and scheme from their X-Forwarded headers
    (the login limit counts failures per client address)."""
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app import models  # noqa: F401  (the models register with db before the app uses it)
    from app.config import rate_limit_storage_uri
    from app.extensions import cache, csrf, db, htmx, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    cache.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", rate_limit_storage_uri(app.config))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", f"{app.config['CACHE_KEY_PREFIX']}limit")
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    # Rendered in the request's language when flashed (a lazy string can't go in the session).
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"

    from app.accounts.sessions import load_user

    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    from app.blueprints import (
        accounts,
        admin,
        api,
        catalog,
        changes,
        credits,
        health,
        icons,
        insights,
        language,
        links,
        proposals,
    )

    blueprints = (
        health,
        icons,
        insights,
        catalog,
        credits,
        accounts,
        proposals,
        admin,
        links,
        api,
        changes,
        language,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
