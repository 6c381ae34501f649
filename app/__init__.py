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

    app.config.from_mapping(load_settings(instance_path))
    if config:
        app.config.from_mapping(config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(levelname)s %(name)s %(message)s")
    # Alembic announces its plugins at every start; its migration lines still show.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    _trust_proxies(app)
    _init_extensions(app)
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
    from app import models
    from app.extensions import cache, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    cache.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(models.UserAccount, int(user_id))


def _register_blueprints(app: Flask) -> None:
    from app.blueprints import accounts, admin, api, catalog, health, icons, insights, proposals

    for module in (health, icons, insights, catalog, accounts, proposals, admin, api):
        app.register_blueprint(module.bp)
