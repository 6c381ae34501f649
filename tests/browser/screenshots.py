"""Screenshots of the main pages at a phone's and a laptop's width, into docs/screenshots/.

Run by ``make screenshots``: the app as ``make run`` serves it (the bundled demo data,
loaded first if the database is empty), driven by Debian's chromium through Playwright.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from app import create_app
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"phone": (390, 844), "laptop": (1366, 768)}
PAGES = {
    "home": "/",
    "projects": "/projects",
    "projects-filtered": "/projects?registry=GLD&map=credits&sort=issued",
    "project": "/projects/VCS191",
    "compare": "/compare?ids=VCS191,VCS1566,GLD11440,ACR360",
    "stats": "/stats",
    "proposals": "/proposals",
    "api": "/api/v1/docs",
}


def capture(base_url: str, names: list[str]) -> list[Path]:
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name in names:
                page.goto(base_url + PAGES[name], wait_until="networkidle")
                path = OUT / f"{name}-{width_name}.png"
                page.screenshot(path=str(path), full_page=False)
                written.append(path)
            context.close()
        browser.close()
    return written


def main(argv: list[str]) -> None:
    names = argv or list(PAGES)
    OUT.mkdir(parents=True, exist_ok=True)
    app = create_app()
    server = LiveServer(app).start()
    try:
        for path in capture(server.url, names):
            print(path.relative_to(OUT.parents[1]))
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
