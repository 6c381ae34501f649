"""The pure part: plain text, safe links, project ids."""

from __future__ import annotations

import pytest

from app.news.parse import plain_text, project_ids_in, safe_link, shorten


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Verra suspends VCS 1234", ("VCS1234",)),
        ("VCS1234 and VCS-191 and VCS #7", ("VCS1234", "VCS191", "VCS7")),
        ("GS1234 is GLD 1234", ("GLD1234",)),
        ("ACR123, CAR1234, ART101.", ("ACR123", "CAR1234", "ART101")),
        ("VCS 0191 with a leading zero", ("VCS191",)),
        ("DVCS1234, vcs 12, CARBON 2024, SCAR12", ()),
    ],
)
def test_project_ids_in_text(text, ids):
    assert project_ids_in(text) == ids


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("a &amp; b &lt; c", "a & b < c"),
        ("<script>alert(1)</script>kept", "kept"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;kept", "kept"),
        ("&amp;lt;img src=x onerror=alert(1)&amp;gt;kept", "kept"),
        ("  spread\n\tout  ", "spread out"),
        (None, ""),
    ],
)
def test_plain_text_strips_all_markup(markup, text):
    assert plain_text(markup) == text


@pytest.mark.parametrize(
    ("link", "safe"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,hi", False),
        ("//example.org/a", False),
        ("https://example.org/a b", False),
        ("https://example.org/" + "a" * 2000, False),
        ("", False),
    ],
)
def test_only_absolute_http_links_are_kept(link, safe):
    assert (safe_link(link) is not None) is safe


def test_shorten_cuts_at_a_word():
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("short", 12) == "short"
