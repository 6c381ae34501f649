"""Settings, read from the environment in this one place.

With no environment set, the app runs on its embedded default: SQLite under
``instance/``, an in-process cache and the bundled demo data.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MEMCACHED_CACHE_TYPE = "app.cache_backend.PyMemcacheCache"
DEFAULT_OFFSETSDB_URL = (
    "https://carbonplan-offsets-db.s3.us-west-2.amazonaws.com/production/latest/offsets-db.csv.zip"
)
DEFAULT_VROD_URL = (
    "https://gspp.berkeley.edu/assets/uploads/page/"
    "Voluntary-Registry-Offsets-Database--v2025-12-year-end.xlsx"
)
# The registries' own machine endpoints (../shared/REGISTRIES.md), each a setting so that
# tests and mirrors can point elsewhere.
REGISTRY_URLS = {
    "VERRA_API_URL": "https://prod-us.api.platts.com/ci-raas-prod/raas-report-api/es/public",
    "VERRA_APP_CONFIG_URL": "https://registry.verra.org/config/environment.config.json",
    "GOLD_STANDARD_API_URL": "https://public-api.goldstandard.org",
    "GREENTRACE_API_URL": "https://greentrace.ice.com/api/greentraceservice/v1",
    "CAR_REPORTS_URL": "https://thereserve2.apx.com",
    "ART_REPORTS_URL": "https://art.apx.com",
}
# When each registry is fetched (UTC, crontab): daily, a few minutes apart.
REGISTRY_CRONS = {
    "VERRA_CRON": "10 2 * * *",
    "GOLD_STANDARD_CRON": "20 2 * * *",
    "ACR_CRON": "30 2 * * *",
    "CAR_CRON": "40 2 * * *",
    "ART_CRON": "50 2 * * *",
}
DEFAULT_NEWS_FEEDS = ",".join(
    [
        "https://carbonherald.com/feed/",
        "https://www.carbonbrief.org/feed/",
        "https://carboncredits.com/feed/",
        "https://icvcm.org/feed/",
    ]
)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def _read_or_create_secret_key(instance_path: Path) -> str:
    """A random key generated once and kept in instance/, so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _with_psycopg2_driver(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg2 (SQLAlchemy 2.1 would pick psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url.removeprefix(prefix)
    return url


def _float_or_none(value: str | None) -> float | None:
    return float(value) if value is not None else None


def _memcached_servers(value: str | None) -> list[str]:
    return [server.strip() for server in (value or "").split(",") if server.strip()]


def rate_limit_storage_uri(config: dict) -> str:
    """Flask-Limiter's counts live where the cache lives: on every Memcached node, or in memory."""
    if config.get("CACHE_TYPE") == MEMCACHED_CACHE_TYPE and config.get("CACHE_MEMCACHED_SERVERS"):
        return "memcached://" + ",".join(config["CACHE_MEMCACHED_SERVERS"])
    return "memory://"


def load_settings(instance_path: Path) -> dict:
    """Every setting the app, the CLI and the worker read, as Flask config keys."""
    database_url = _env("DATABASE_URL", f"sqlite:///{instance_path / 'carbonscope.db'}")
    database_url = _with_psycopg2_driver(database_url)
    memcached = _memcached_servers(_env("MEMCACHED_SERVERS"))
    app_version = _env("APP_VERSION", "dev")
    settings = {
        "SECRET_KEY": _env("SECRET_KEY") or _read_or_create_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CACHE_TYPE": MEMCACHED_CACHE_TYPE if memcached else "SimpleCache",
        "CACHE_MEMCACHED_SERVERS": memcached,
        "CACHE_DEFAULT_TIMEOUT": int(_env("CACHE_DEFAULT_TIMEOUT", "3600")),
        # The release is part of every key: a new release never reads an old one's values.
        "CACHE_KEY_PREFIX": f"{_env('CACHE_KEY_PREFIX', 'carbonscope:')}{app_version}:",
        "APP_VERSION": app_version,
        "OFFSETSDB_URL": _env("OFFSETSDB_URL", DEFAULT_OFFSETSDB_URL),
        "VROD_URL": _env("VROD_URL", DEFAULT_VROD_URL),
        "SYNC_SOURCE_DIR": _env("SYNC_SOURCE_DIR"),
        "SYNC_CRON": _env("SYNC_CRON", "0 3 * * *"),
        "NEWS_CRON": _env("NEWS_CRON", "15 * * * *"),
        "NEWS_FEEDS": [url.strip() for url in _env("NEWS_FEEDS", DEFAULT_NEWS_FEEDS).split(",")],
        "RAW_BUCKET": _env("RAW_BUCKET"),
        "RAW_ARCHIVE_DIR": _env("RAW_ARCHIVE_DIR", str(instance_path / "raw")),
        "AWS_REGION": _env("AWS_REGION", "eu-west-1"),
        "AWS_ENDPOINT_URL": _env("AWS_ENDPOINT_URL"),
        "DEMO_DATA_DIR": _env("DEMO_DATA_DIR", str(Path(__file__).parent / "demo_data")),
        "DOWNLOAD_TIMEOUT_SECONDS": int(_env("DOWNLOAD_TIMEOUT_SECONDS", "60")),
        "DOWNLOAD_MAX_BYTES": int(_env("DOWNLOAD_MAX_BYTES", str(512 * 1024 * 1024))),
        "MAX_CONTENT_LENGTH": int(_env("MAX_UPLOAD_BYTES", str(64 * 1024 * 1024))),
        "UPLOAD_MAX_UNPACKED_BYTES": int(
            _env("UPLOAD_MAX_UNPACKED_BYTES", str(2 * 1024 * 1024 * 1024))
        ),
        # Real exports compress about 10 to 1; a zip bomb compresses a thousand to one.
        "UPLOAD_MAX_COMPRESSION_RATIO": float(_env("UPLOAD_MAX_COMPRESSION_RATIO", "100")),
        "SESSION_COOKIE_SECURE": _env("SESSION_COOKIE_SECURE", "false") == "true",
        "PREFERRED_URL_SCHEME": _env("PREFERRED_URL_SCHEME", "http"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "TRUSTED_PROXY_COUNT": int(_env("TRUSTED_PROXY_COUNT", "0")),
        "LOGIN_MAX_FAILURES": int(_env("LOGIN_MAX_FAILURES", "10")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(_env("LOGIN_MAX_FAILURES_PER_ADDRESS", "50")),
        "CHECK_EMAIL_RATE_LIMIT": _env("CHECK_EMAIL_RATE_LIMIT", "30 per minute"),
        "API_RATE_LIMIT": _env("API_RATE_LIMIT", "120 per minute"),
        "RATELIMIT_ENABLED": _env("RATELIMIT_ENABLED", "true") == "true",
        # Memcached refusing a count never refuses a request.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_HEADER_LIMIT": "RateLimit-Limit",
        "RATELIMIT_HEADER_REMAINING": "RateLimit-Remaining",
        "RATELIMIT_HEADER_RESET": "RateLimit-Reset",
        "LOGIN_WINDOW_SECONDS": int(_env("LOGIN_WINDOW_SECONDS", str(15 * 60))),
        "NEWS_TIMEOUT_SECONDS": float(_env("NEWS_TIMEOUT_SECONDS", "10")),
        "NEWS_MAX_BYTES": int(_env("NEWS_MAX_BYTES", str(5 * 1024 * 1024))),
        "SYNC_POLL_SECONDS": float(_env("SYNC_POLL_SECONDS", "2")),
        "SYNC_HEARTBEAT_SECONDS": float(_env("SYNC_HEARTBEAT_SECONDS", "15")),
        "SYNC_HEARTBEAT_TIMEOUT": int(_env("SYNC_HEARTBEAT_TIMEOUT", "120")),
        "CLOUDWATCH_ENABLED": _env("CLOUDWATCH_ENABLED", "false") == "true",
        # The score a matcher suggestion needs to reach the review queue (see docs/DATA.md).
        "LINK_THRESHOLD": float(_env("LINK_THRESHOLD", "0.72")),
        **{name: _env(name, default) for name, default in REGISTRY_URLS.items()},
        **{name: _env(name, default) for name, default in REGISTRY_CRONS.items()},
        # Weekly: every registry fetched whole and checked against its own totals.
        "REGISTRY_RECONCILE_CRON": _env("REGISTRY_RECONCILE_CRON", "0 1 * * 0"),
        # Gold Standard's terms allow downloads only through its own pages (docs/DATA.md).
        "GOLD_STANDARD_API": _env("GOLD_STANDARD_API", "off") == "on",
        "REGISTRY_CONTACT_URL": _env("REGISTRY_CONTACT_URL"),
        "REGISTRY_STALE_HOURS": int(_env("REGISTRY_STALE_HOURS", "48")),
        "REGISTRY_DATA_DIR": _env("REGISTRY_DATA_DIR", str(instance_path / "registries")),
        "REGISTRY_CONNECT_TIMEOUT_SECONDS": float(_env("REGISTRY_CONNECT_TIMEOUT_SECONDS", "10")),
        "REGISTRY_READ_TIMEOUT_SECONDS": float(_env("REGISTRY_READ_TIMEOUT_SECONDS", "60")),
        "REGISTRY_MAX_BYTES": int(_env("REGISTRY_MAX_BYTES", str(512 * 1024 * 1024))),
        "REGISTRY_RETRIES": int(_env("REGISTRY_RETRIES", "5")),
        "REGISTRY_BACKOFF_SECONDS": float(_env("REGISTRY_BACKOFF_SECONDS", "2")),
        "REGISTRY_MAX_WAIT_SECONDS": float(_env("REGISTRY_MAX_WAIT_SECONDS", "300")),
        # None: each registry's own pace (Verra 1 s, GreenTrace 6 s: ~100 calls / 10 min).
        "REGISTRY_PACE_SECONDS": _float_or_none(_env("REGISTRY_PACE_SECONDS")),
        # Email digests (Flask-Mailman over SMTP) and the absolute links in them.
        "SITE_URL": _env("SITE_URL", "http://localhost:5000").rstrip("/"),
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": _env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(_env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "false") == "true",
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "CarbonScope <digest@localhost>"),
        "MAIL_TIMEOUT": int(_env("MAIL_TIMEOUT", "30")),
    }
    return settings
