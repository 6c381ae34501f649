"""Comment text to HTML, without a database."""

from __future__ import annotations

import pytest

from app.proposals.formatting import comment_html


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("plain", "plain"),
        ("one\ntwo", "one<br>\ntwo"),
        ("<b>bold</b> & co", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        (
            "read https://a.org/x.",
            'read <a href="https://a.org/x" rel="nofollow noopener ugc">https://a.org/x</a>.',
        ),
        (
            "(see https://en.wikipedia.org/wiki/REDD_(program))",
            '(see <a href="https://en.wikipedia.org/wiki/REDD_(program)" '
            'rel="nofollow noopener ugc">https://en.wikipedia.org/wiki/REDD_(program)</a>)',
        ),
        (
            'http://x.org/"onmouseover="alert(1)',
            '<a href="http://x.org/" rel="nofollow noopener ugc">http://x.org/</a>'
            "&#34;onmouseover=&#34;alert(1)",
        ),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("ftp://files.example.org", "ftp://files.example.org"),
        ("just https:// alone", "just https:// alone"),
    ],
)
def test_comment_html(body, html):
    assert str(comment_html(body)) == html
