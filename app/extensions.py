"""Flask extensions, created unbound; create_app binds them."""

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so migrations can alter them on every database alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
cache = Cache()
csrf = CSRFProtect()
htmx = Htmx()


class AppLimiter(Limiter):
    """Flask-Limiter, re-read for each app it binds.

    Flask-Limiter keeps the first app's key prefix for good, while tests (and the CLI) build
    many apps in one process, each with its own prefix (RATELIMIT_KEY_PREFIX).
    """

    def init_app(self, app) -> None:
        self._key_prefix = ""
        super().init_app(app)


# Client addresses as ProxyFix corrected them (TRUSTED_PROXY_COUNT); storage from MEMCACHED_SERVERS.
limiter = AppLimiter(get_remote_address)
mail = Mail()
