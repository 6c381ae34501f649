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


def _memcached_servers(value: str | None) -> list[str]:
    return [server.strip() for server in (value or "").split(",") if server.strip()]


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
        "SESSION_COOKIE_SECURE": _env("SESSION_COOKIE_SECURE", "false") == "true",
        "PREFERRED_URL_SCHEME": _env("PREFERRED_URL_SCHEME", "http"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "TRUSTED_PROXY_COUNT": int(_env("TRUSTED_PROXY_COUNT", "0")),
        "LOGIN_MAX_FAILURES": int(_env("LOGIN_MAX_FAILURES", "10")),
        "LOGIN_WINDOW_SECONDS": int(_env("LOGIN_WINDOW_SECONDS", str(15 * 60))),
        "NEWS_TIMEOUT_SECONDS": float(_env("NEWS_TIMEOUT_SECONDS", "10")),
        "NEWS_MAX_BYTES": int(_env("NEWS_MAX_BYTES", str(5 * 1024 * 1024))),
        "SYNC_POLL_SECONDS": float(_env("SYNC_POLL_SECONDS", "2")),
        "SYNC_HEARTBEAT_SECONDS": float(_env("SYNC_HEARTBEAT_SECONDS", "15")),
        "SYNC_HEARTBEAT_TIMEOUT": int(_env("SYNC_HEARTBEAT_TIMEOUT", "120")),
        "CLOUDWATCH_ENABLED": _env("CLOUDWATCH_ENABLED", "false") == "true",
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
