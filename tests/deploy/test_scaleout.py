"""Three gunicorn instances behind nginx, on PostgreSQL and two Memcached nodes.

What one instance does, every other one sees at once: a session, a CSRF token, a support,
a comment, a sign-out, and a sync run by the worker; of two workers only one syncs.
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import SyncRun
from bench.cluster import cluster
from tests.conftest import _truncate_all, base_config
from tests.factories import make_project, make_user
from tests.worker.test_worker_sync import V1

pytestmark = pytest.mark.slow
PASSWORD = "heron copper meadow"
NEVER = "0 0 29 2 *"


@pytest.fixture
def pg_app(postgres_database, memcached, tmp_path):
    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": postgres_database})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _truncate_all(postgres_database)


@pytest.fixture
def three_instances(pg_app, postgres_database, memcached, tmp_path):
    settings = {
        "DATABASE_URL": postgres_database.replace("postgresql+psycopg2://", "postgresql://"),
        "SECRET_KEY": "scale-out-secret",
        "CACHE_KEY_PREFIX": f"scaleout-{uuid.uuid4().hex[:8]}:",
        "SYNC_SOURCE_DIR": str(V1),
        "SYNC_CRON": NEVER,
        "NEWS_CRON": NEVER,
        "SYNC_POLL_SECONDS": "0.5",
    }
    with cluster(tmp_path / "cluster", settings, shared_memcached=memcached[0]) as running:
        yield running


def csrf_token(response: httpx.Response) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.text)
    assert match, f"no CSRF token on {response.url}"
    return match.group(1)


def sign_in(client: httpx.Client, base: str, email: str) -> None:
    token = csrf_token(client.get(f"{base}/auth/login"))
    response = client.post(
        f"{base}/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.text[:500]


def wait_for(condition, timeout: float = 30, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def run_statuses() -> list[tuple[int, str]]:
    db.session.expire_all()
    statuses = [(run.id, run.status) for run in db.session.scalars(sa.select(SyncRun))]
    db.session.commit()
    return statuses


def test_three_instances_behave_as_one_site(pg_app, three_instances):
    a, b, c = three_instances.instance_urls
    admin = make_user("admin@example.org", role="admin", password=PASSWORD)
    make_user("member@example.org", password=PASSWORD)
    proposal = make_project(owner=admin, name="Delta mangroves")
    page = f"/projects/{proposal.project_id}"
    first_workers = [
        three_instances.start_worker(f"worker-{n}", LOG_LEVEL="INFO") for n in range(2)
    ]

    member = httpx.Client(timeout=30)
    # Every instance has looked at the (empty) registry catalogue: its caches are warm.
    for base in (a, b, c):
        assert "ACR1042" not in member.get(f"{base}/projects", params={"registry": "ACR"}).text
    assert "gunicorn" not in member.get(f"{a}/healthz").headers.get("Server", "")

    # A session made on one instance is a session on the others.
    sign_in(member, a, "member@example.org")
    for base in (b, c):
        mine = member.get(f"{base}/account/projects")
        assert mine.status_code == 200
        assert "member@example.org" in mine.text

    # A CSRF token from one instance's page is good on another; support and comments are shared.
    supported = member.post(
        f"{c}{page}/support",
        data={"action": "support", "csrf_token": csrf_token(member.get(f"{b}{page}"))},
    )
    assert supported.status_code == 302
    assert re.search(r'support-count-\d+">1<', member.get(f"{a}{page}").text)
    commented = member.post(
        f"{a}{page}/comments",
        data={
            "body": "Seen from three machines",
            "csrf_token": csrf_token(member.get(f"{c}{page}")),
        },
    )
    assert commented.status_code in (302, 303)
    assert "Seen from three machines" in member.get(f"{b}{page}").text

    # An admin queues a sync through nginx; one worker runs it; every instance sees it at once.
    operator = httpx.Client(timeout=30)
    sign_in(operator, three_instances.nginx_url, "admin@example.org")
    token = csrf_token(operator.get(f"{three_instances.nginx_url}/admin/sync"))
    queued = operator.post(f"{three_instances.nginx_url}/admin/sync", data={"csrf_token": token})
    assert queued.status_code == 303
    wait_for(
        lambda: [status for _, status in run_statuses()] == ["succeeded"], what="the sync to end"
    )
    for base in (a, b, c):
        assert "ACR1042" in member.get(f"{base}/projects", params={"registry": "ACR"}).text
        assert member.get(f"{base}/api/v1/projects/ACR1042").status_code == 200
    worker_logs = three_instances.logs("worker-")
    assert len(re.findall(r"sync run \d+ started by", worker_logs)) == 1, worker_logs
    assert all(worker.poll() is None for worker in first_workers)  # the other one idled

    # nginx spreads requests over all three; with TRUSTED_PROXY_COUNT=1 a forged X-Forwarded-For
    # entry before nginx's own is not believed: the API's rate limit counts this very client.
    upstreams = {operator.get(f"{three_instances.nginx_url}/healthz").headers["X-Upstream"]}
    upstreams |= {
        operator.get(f"{three_instances.nginx_url}/healthz").headers["X-Upstream"] for _ in range(5)
    }
    assert len(upstreams) == 3
    forged = {"X-Forwarded-For": "198.51.100.7"}
    api = f"{three_instances.nginx_url}/api/v1/news"
    remaining = [
        int(operator.get(api, headers=headers).headers["RateLimit-Remaining"])
        for headers in (forged, {})
    ]
    assert remaining[1] == remaining[0] - 1

    # Signing out on one instance ends the session on all of them, copied cookies included.
    stolen = dict(member.cookies)
    member.post(f"{b}/auth/logout", data={"csrf_token": csrf_token(member.get(f"{b}/account"))})
    replay = httpx.Client(timeout=30, cookies=stolen)
    for base in (a, b, c):
        assert replay.get(f"{base}/account/projects").status_code == 302
