"""Accounts, proposals, credits, beneficiaries, changes and admin pages in Korean.

With a Korean browser every page says <html lang="ko">, shows its Korean headings, and none
of the English it used to say; the data's own text (project and company names) stays as is.
"""

from __future__ import annotations

import re

import pytest

from tests.changes.conftest import make_change
from tests.credits.market import seed_retirements
from tests.factories import make_project, make_user
from tests.proposals.helpers import sign_in

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"}


def korean_page(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.open(url, headers={**KOREAN, **kwargs.pop("headers", {})}, **kwargs)
    assert response.status_code == status, response.text[:500]
    html = response.get_data(as_text=True)
    assert re.search(r'<html lang="ko">', html)
    return html


def says(html: str, korean: list[str], english: list[str]) -> None:
    missing = [text for text in korean if text not in html]
    assert not missing, f"Korean text missing: {missing}"
    left = [text for text in english if text in html]
    assert not left, f"English text left: {left}"


@pytest.fixture
def member(client):
    user = make_user("member@example.org")
    sign_in(client, user)
    return user


def test_account_pages(client, member):
    says(
        korean_page(client, "/account"),
        [
            "<h1>내 계정</h1>",
            "비밀번호 변경",
            "모든 기기에서 로그아웃",
            "이메일 요약",
            "팔로우 중",
            "언어",
        ],
        ["Your account</h1>", "Change your password", "Sign out everywhere", "Email digest"],
    )
    says(
        korean_page(client, "/account/projects"),
        ["<h1>내 프로젝트</h1>", "프로젝트 추가", "아직 추가한 프로젝트가 없습니다."],
        [
            "<h1>My projects</h1>",
            "Add a project",
            "You haven\N{RIGHT SINGLE QUOTATION MARK}t added a project yet.",
        ],
    )
    project = make_project(owner=member, name="Solar mini-grids in Malawi", country="Malawi")
    projects = korean_page(client, "/account/projects")
    says(
        projects, ["제안됨", "수정", "삭제", "Solar mini-grids in Malawi"], [">Proposed<", ">Edit<"]
    )
    says(
        korean_page(client, f"/account/projects/{project.project_id}/edit"),
        ["프로젝트 이름", "변경 사항 저장", "제안됨: 지지를 구하는 중", "국가 선택"],
        ["Project name", "Save changes", "Proposed: looking for support"],
    )


def test_sign_in_and_register_pages_with_a_validation_error(client):
    says(
        korean_page(client, "/auth/login"),
        ["<h1>로그인</h1>", "이메일", "비밀번호", "이 기기에서 로그인 상태 유지", "회원가입"],
        ["<h1>Sign in</h1>", "Keep me signed in", "Create an account"],
    )
    says(
        korean_page(client, "/auth/register"),
        ["<h1>회원가입</h1>", "계정 만들기", "10자 이상"],
        ["<h1>Create an account</h1>", "At least 10 characters"],
    )
    refused = korean_page(
        client,
        "/auth/register",
        status=422,
        method="POST",
        data={"email": "new@example.org", "password": "short"},
    )
    says(refused, ["10자 이상 입력하세요(현재 5자)."], ["Use at least 10 characters"])
    failed = korean_page(
        client,
        "/auth/login",
        status=422,
        method="POST",
        data={"email": "", "password": ""},
    )
    says(failed, ["이메일을 입력하세요.", "비밀번호를 입력하세요."], ["Enter your email."])


def test_proposals_and_a_proposal(client, member):
    owner = make_user("owner@example.org")
    project = make_project(owner=owner, name="Solar mini-grids in Malawi", country="Malawi")
    says(
        korean_page(client, "/proposals"),
        [
            "<h1>제안</h1>",
            "제안 1건",
            "지지 많은 순",
            "지지자:",
            "모든 국가",
            "Solar mini-grids in Malawi",
        ],
        ["<h1>Proposals</h1>", "1 proposal", "Most supported", "Supporters:", "All countries"],
    )
    says(
        korean_page(client, f"/projects/{project.project_id}"),
        ["이 제안 지지하기", "토론", "댓글 쓰기", "댓글 게시", "아직 댓글이 없습니다."],
        ["Support this proposal", "Add a comment", "Post comment", "No comments yet."],
    )
    supported = client.post(
        f"/projects/{project.project_id}/support",
        data={"action": "support"},
        headers={**KOREAN, "HX-Request": "true", "HX-Target": "proposal-support"},
    ).text
    says(supported, ["지지함 — 지지 철회", "지지자"], ["withdraw my support", "supporter<"])


def test_credits_search_and_beneficiaries(client):
    seed_retirements()
    says(
        korean_page(client, "/credits?q=shopify"),
        [
            "<h1>크레딧</h1>",
            "기록 3건",
            "크레딧 <span",
            "정렬",
            "CSV 다운로드",
            "소각",
            "수혜자",
            "자발적 상쇄",
        ],
        ["<h1>Credits</h1>", "3 records", "Download CSV", "Sort by", "Voluntary offsetting"],
    )
    says(
        korean_page(client, "/beneficiaries"),
        ["<h1>수혜자</h1>", "소각된 크레딧", "회사 또는 기관 이름", "Shopify"],
        ["<h1>Beneficiaries</h1>", "Credits retired", "Company or organisation name"],
    )
    says(
        korean_page(client, "/beneficiaries/shopify"),
        ["연도별 소각 크레딧", "사유별 소각", "어느 프로젝트에서", "자발적 상쇄"],
        ["Credits retired by year", "Retired by reason", "From which projects"],
    )


def test_what_changed(client):
    project = make_project("VCS100", name="Kenya Stoves", country="Kenya")
    make_change(project, "issuance", quantity=2500, vintage=2024)
    says(
        korean_page(client, "/changes"),
        [
            "<h1>변경 사항</h1>",
            "변경 사항 1건",
            "신규 발행",
            "크레딧 2,500개 발행 (빈티지 2024)",
            "필터",
        ],
        ["1 change<", "New issuance", "Issued 2,500 credits", "Atom feed"],
    )
    feed = client.get("/changes.atom", headers=KOREAN).get_data(as_text=True)
    assert "크레딧 2,500개 발행 (빈티지 2024)" in feed
    assert "Issued 2,500 credits" not in feed


def test_admin_sync_page(client):
    sign_in(client, make_user("admin@example.org", role="admin"))
    says(
        korean_page(client, "/admin/sync"),
        [
            "<h1>데이터 동기화</h1>",
            "지금 재동기화",
            "파일로 재동기화",
            "레지스트리",
            "이력",
            "아직 실행된 동기화가 없습니다.",
        ],
        ["<h1>Data sync</h1>", "Resync now", "Resync from files", "No sync has run yet."],
    )
