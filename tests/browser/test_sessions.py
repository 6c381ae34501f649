"""One user on two devices: a password change signs the other out; "sign out everywhere" both."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, make_user

EMAIL = "ada@example.org"
NEW_PASSWORD = "heron copper meadow"


def sign_in(page, url: str, password: str) -> None:
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/account/projects")


def test_password_change_and_sign_out_everywhere_end_the_other_device(browser, live_server):
    with live_server.app.app_context():
        make_user(EMAIL, password=DEFAULT_PASSWORD)
    url = live_server.url
    laptop = browser.new_context().new_page()
    phone = browser.new_context().new_page()
    sign_in(laptop, url, DEFAULT_PASSWORD)
    sign_in(phone, url, DEFAULT_PASSWORD)

    # The laptop changes the password: it stays signed in, the phone is signed out.
    laptop.get_by_role("link", name="Account").click()
    laptop.get_by_label("Current password").fill(DEFAULT_PASSWORD)
    laptop.get_by_label("New password").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_text("Every other device is signed out.")).to_be_visible()
    phone.goto(url + "/account/projects")
    expect(phone).to_have_url(url + "/auth/login?next=%2Faccount%2Fprojects")

    # Signed in again on the phone, "Sign out everywhere" on it ends the laptop's session too.
    sign_in(phone, url, NEW_PASSWORD)
    phone.get_by_role("link", name="Account").click()
    phone.get_by_role("button", name="Sign out everywhere").click()
    expect(phone.get_by_text("You are signed out on every device.")).to_be_visible()
    laptop.goto(url + "/account")
    expect(laptop.get_by_role("link", name="Sign in")).to_be_visible()
    expect(laptop.get_by_role("heading", name="Sign in")).to_be_visible()
    laptop.context.close()
    phone.context.close()
