"""The layout loads HTMX from our own static files and the nav leads where it says."""

from __future__ import annotations


def test_home_loads_htmx_and_nav_reaches_each_section(page, live_server):
    page.goto(live_server.url + "/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.version").startswith("2.")

    for label, path in [
        ("Projects", "/projects"),
        ("Proposals", "/proposals"),
        ("Statistics", "/stats"),
        ("News", "/news"),
        ("Sign in", "/auth/login?next=/news"),  # and back to the page it was clicked on
    ]:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
        page.wait_for_url(live_server.url + path)
        assert page.locator("h1").first.is_visible()


def test_strict_csp_reports_no_violation_on_home(page, live_server):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + "/")
    page.wait_for_function("typeof window.htmx === 'object'")
    assert violations == []
