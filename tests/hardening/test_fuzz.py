"""Hypothesis over every route of the url_map and every form: no input gets a 5xx.

The API's operations are fuzzed against their OpenAPI document by schemathesis
(tests/api/test_openapi_schemathesis.py); here every route, the API's included, gets
hostile path segments, query strings, form fields and htmx headers.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.extensions import db
from app.models import Comment, UserAccount
from tests.accounts.helpers import sign_in_as
from tests.factories import make_credit, make_project, make_user

pytestmark = pytest.mark.slow
ROUTES = sorted(
    (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in create_app({"TESTING": True}).url_map.iter_rules()
    if rule.endpoint != "static"
)
# Every name a view or form reads, and a few it does not.
QUERY_NAMES = [
    "q", "registry", "status", "country", "scope", "type", "methodology", "issued_min",
    "issued_max", "vintage_from", "vintage_to", "sort", "order", "direction", "page",
    "per_page", "credits_page", "comments_page", "comments_order", "year_from", "year_to",
    "next", "stage", "source", "unknown",
]  # fmt: skip
FORM_NAMES = [
    "email", "password", "remember", "name", "description", "country", "scope",
    "project_type", "methodology", "developer", "website", "expected_annual_credits",
    "expected_first_vintage", "stage", "registered_project_id", "current_password",
    "new_password", "body", "action", "order", "registry", "files", "csrf_token",
]  # fmt: skip

hostile_text = st.one_of(
    st.text(max_size=40),
    # What broke pages before (issue 19): NUL and other controls, digits that are not ASCII.
    st.sampled_from(["\x00", "a\x00b", "\x1f", "\x7f", "\x85", "²", "٣", "-1", "0", "1e9"]),
    st.sampled_from(["99999999999999999999", " 2 ", "%00", "VCS191", "India", "'", "<b>"]),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=12),
    st.just("x" * 3000),
)
# Few names at a time: one bad value must reach the code that reads it, not stop at another.
values = st.lists(hostile_text, min_size=1, max_size=2)
query = st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=2)
form = st.dictionaries(st.sampled_from(FORM_NAMES), values, max_size=4)
htmx_headers = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"HX-Request": st.just("true"), "HX-Target": st.text(alphabet="abc-_", max_size=20)}
    ),
)


def _seed() -> dict[str, list[str]]:
    """A user (admin, signed in), a registry project with credits, a proposal with a comment."""
    admin = make_user("fuzz@example.org", role="admin")
    registry = make_project("VCS191", country="India")
    make_credit(registry)
    proposal = make_project(owner=admin, country="India")
    comment = Comment(project_id=proposal.id, user_account_id=admin.id, body="Hello")
    db.session.add(comment)
    db.session.commit()
    return {
        "project_id": ["VCS191", proposal.project_id],
        "comment_id": [str(comment.id)],
        "run_id": ["1"],
        "filename": ["css/app.css"],
    }


def _url(rule: str, segments: dict[str, str]) -> str:
    path = rule
    for name, value in segments.items():
        for pattern in (f"<{name}>", f"<int:{name}>", f"<path:{name}>"):
            path = path.replace(pattern, quote(value, safe=""))
    return path


@pytest.mark.parametrize(("rule", "methods"), ROUTES, ids=[rule for rule, _ in ROUTES])
def test_no_input_gets_a_server_error(app, rule, methods):
    known = _seed()
    admin_id = db.session.scalar(db.select(db.func.min(Comment.user_account_id)))
    names = [part.split(":")[-1].rstrip(">") for part in rule.split("<")[1:]]
    segment = st.one_of(st.sampled_from(known.get("project_id")), hostile_text)
    segments = st.fixed_dictionaries(
        {name: st.one_of(st.sampled_from(known.get(name, ["x"])), segment) for name in names}
    )

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        method=st.sampled_from(methods),
        path=segments,
        args=query,
        fields=form,
        headers=htmx_headers,
    )
    def check(method, path, args, fields, headers):
        client = app.test_client()
        admin = db.session.get(UserAccount, admin_id)
        db.session.refresh(admin)
        sign_in_as(client, admin)
        url = _url(rule, path)
        if args:
            url += "?" + urlencode(args, doseq=True)
        response = client.open(url, method=method, data=fields or None, headers=headers)
        assert response.status_code < 500, f"{method} {url} {fields!r} -> {response.status_code}"

    check()
