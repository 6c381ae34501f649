"""The Dockerfile, compose.yaml and .env.example agree with the app and with each other."""

from __future__ import annotations

import json
import re

import pytest

from tests.deploy.conftest import REPO, app_setting_names

APP_SERVICES = ("migrate", "web", "worker")
HEALTH_URL = "http://127.0.0.1:8000/healthz"


def resolve_default(value: str) -> str:
    """compose's ${NAME:-default} as it reads with NAME unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def image_is_pinned(image: str) -> bool:
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag != "latest" and bool(tag)


def env_example_entries() -> dict[str, list[str]]:
    """Each variable in .env.example (set or commented out) with the comment lines above it."""
    entries: dict[str, list[str]] = {}
    comments: list[str] = []
    for line in (REPO / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            entries[match.group(1)] = list(comments)
            comments = []
        elif line.startswith("#"):
            comments.append(line)
        else:
            comments = []
    return entries


def test_config_parser_finds_the_settings_the_app_reads():
    names = app_setting_names()
    assert {"DATABASE_URL", "MEMCACHED_SERVERS", "SECRET_KEY", "LOG_LEVEL"} <= set(names)
    assert len(names) >= 20


def test_env_example_documents_every_setting_with_a_comment():
    entries = env_example_entries()
    missing = [name for name in app_setting_names() if name not in entries]
    assert missing == [], f".env.example lacks {missing}"
    uncommented = [name for name, comments in entries.items() if not comments]
    assert uncommented == [], f"no comment above {uncommented} in .env.example"


def test_env_example_holds_no_real_secret():
    text = (REPO / ".env.example").read_text()
    assert re.search(r"^SECRET_KEY=change-me$", text, re.MULTILINE)
    assert "AKIA" not in text


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_read_the_env_file(compose, service):
    env_files = compose["services"][service]["env_file"]
    paths = [entry["path"] if isinstance(entry, dict) else entry for entry in env_files]
    assert ".env" in paths
    assert "environment" not in compose["services"][service], "settings belong in .env"


def test_every_image_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        image = resolve_default(service["image"])
        assert image_is_pinned(image), f"{name}: {image} is not pinned"
        if "build" not in service:
            assert re.search(r":\d+\.\d+", image), f"{name}: {image} names no version"


def test_dockerfile_base_images_are_pinned(dockerfile_lines):
    bases = [line.split()[1] for line in dockerfile_lines if line.upper().startswith("FROM ")]
    assert [base.split(":")[0] for base in bases] == ["node", "python"]
    for base in bases:
        assert re.search(r":\d+\.\d+\.\d+", base), f"{base} is not pinned to a release"


def test_schema_is_migrated_once_before_web_and_worker(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    migrating = [name for name, svc in services.items() if "upgrade" in str(svc.get("command"))]
    assert migrating == ["migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_web_runs_the_image_command_and_worker_runs_the_scheduler(compose, dockerfile_lines):
    cmd = next(line for line in dockerfile_lines if line.startswith("CMD "))
    assert compose["services"]["web"]["command"] == json.loads(cmd.removeprefix("CMD "))
    assert compose["services"]["worker"]["command"] == ["python", "scheduler.py"]


def test_healthchecks_exist(compose, dockerfile_lines):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "version" in " ".join(services["memcached"]["healthcheck"]["test"])
    assert HEALTH_URL in " ".join(services["web"]["healthcheck"]["test"])
    healthcheck = [line for line in dockerfile_lines if line.startswith("HEALTHCHECK ")]
    assert len(healthcheck) == 1
    assert HEALTH_URL in healthcheck[0]


def test_bundled_services_keep_their_data_and_wait_to_be_healthy(compose):
    services = compose["services"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert services["postgres"]["image"].startswith("postgres:16.")
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["memcached"]["condition"] == "service_healthy"


def test_image_runs_as_a_non_root_user(dockerfile_lines):
    last_from = max(i for i, line in enumerate(dockerfile_lines) if line.startswith("FROM "))
    users = [line.split()[1] for line in dockerfile_lines[last_from:] if line.startswith("USER ")]
    assert users, "the runtime stage sets no USER"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_image_bakes_in_no_settings_or_secrets(dockerfile_lines):
    env_lines = " ".join(line for line in dockerfile_lines if line.startswith(("ENV ", "ARG ")))
    for name in app_setting_names():
        assert name not in env_lines, f"{name} is baked into the image"
    assert not any(".env" in line for line in dockerfile_lines if line.startswith("COPY "))
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored
    assert "instance" in ignored


def test_image_builds_the_htmx_asset_in_the_node_stage(dockerfile_lines):
    text = "\n".join(dockerfile_lines)
    assert "npm ci" in text
    assert "node_modules/htmx.org/dist/htmx.min.js" in text
    assert re.search(r"COPY --from=assets \S+ app/static/vendor/", text)
