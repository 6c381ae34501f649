"""One Korean visitor's path: switch the header to 한국어, register (seeing Korean form errors),
sign out and in again, and support a proposal in one click, the page staying Korean."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import make_project, make_user

EMAIL = "minji@example.org"
PASSWORD = "moss granite lantern"


def test_register_sign_in_and_support_in_korean(page, live_server):
    with live_server.app.app_context():
        owner = make_user(email="owner@example.org")
        project = make_project(owner=owner, name="Solar mini-grids in Malawi", country="Malawi")
        project_path, project_pk = f"/projects/{project.project_id}", project.id
    url = live_server.url

    # The header's switch: the same page again, in Korean.
    page.goto(url + "/auth/register")
    page.get_by_role("button", name="한국어").click()
    page.wait_for_url(url + "/auth/register")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("회원가입")

    # The fields are checked as one types, in Korean; so is the submitted form.
    page.get_by_label("이메일").fill(EMAIL)
    expect(page.locator("#email-message")).to_have_text("사용할 수 있는 이메일입니다.")
    page.get_by_label("비밀번호").fill("short")
    expect(page.locator("#password-message")).to_contain_text("10자 이상 입력하세요")
    page.get_by_role("button", name="계정 만들기").click()
    expect(page.locator("#password-message")).to_have_text("10자 이상 입력하세요(현재 5자).")
    expect(page.locator("main")).not_to_contain_text("Use at least")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="계정 만들기").click()
    page.wait_for_url(url + "/account/projects")
    expect(page.get_by_text("계정이 준비되었습니다")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("내 프로젝트")

    # Sign out, and in again: a wrong password is told in Korean.
    page.locator('form[action="/auth/logout"] button').click()
    page.goto(url + "/auth/login")
    page.get_by_label("이메일").fill(EMAIL)
    page.get_by_label("비밀번호").fill("not my password")
    page.locator("main").get_by_role("button", name="로그인").click()
    expect(page.locator("#login-error")).to_have_text("이메일과 비밀번호가 일치하지 않습니다.")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="로그인").click()
    page.wait_for_url(url + "/account/projects")

    # One click supports the proposal; the counts follow and the fragment stays Korean.
    page.goto(url + project_path)
    page.evaluate("window.__notReloaded = true")
    support_counts = page.locator(f".support-count-{project_pk}")
    expect(support_counts.first).to_have_text("0")
    page.get_by_role("button", name="이 제안 지지하기").click()
    expect(page.get_by_role("button", name="지지함 — 지지 철회")).to_be_visible()
    expect(support_counts).to_have_text(["1", "1"])
    support = page.locator("#proposal-support")
    expect(support).to_contain_text("지지자")
    expect(support).not_to_contain_text(re.compile("Support|supporter"))
    assert page.evaluate("window.__notReloaded") is True
