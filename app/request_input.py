"""One validation path for what a request brings: no control characters, ASCII numbers.

Every query parameter, form field, path segment and header passes ``refuse_control_characters``
before any view runs (a 400 that says which input was refused). Every number a view reads
goes through ``ascii_int``: ``"²".isdigit()`` is true, yet ``int("²")`` raises, and ``"٣"``
reads as 3; only the digits 0-9 are numbers here.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

# C0 controls and DEL, and the C1 controls. A form field keeps tab and line breaks (a comment
# has paragraphs); a query string, path or header has no use for any of them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ASCII_DIGITS = re.compile(r"[0-9]+")
# A filter takes at most this many values: cache keys and cached pages stay bounded.
MAX_FILTER_VALUES = 50
# PostgreSQL's integer, the type of every id column a URL names.
MAX_DATABASE_ID = 2**31 - 1
# Longer than any id or count the site has: a number past this is no number the site knows.
MAX_DIGITS = 18


def ascii_int(raw: str | None) -> int | None:
    """The whole number ``raw`` spells in ASCII digits (surrounding spaces allowed), else None."""
    text = (raw or "").strip()
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def control_character_problem() -> str | None:
    """Which part of the request holds a control character, in words, or None."""
    if _CONTROL.search(request.path):
        return _("The address contains a control character.")
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            return _(
                "The query parameter “%(name)s” contains a control character.",
                name=_printable(name),
            )
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, value in request.form.items(multi=True):
            if _CONTROL.search(name) or _CONTROL_IN_TEXT.search(value):
                return _(
                    "The form field “%(name)s” contains a control character.",
                    name=_printable(name),
                )
    for name, value in request.headers.items():
        if _CONTROL_IN_TEXT.search(value):
            return _("The header “%(name)s” contains a control character.", name=_printable(name))
    return None


def _printable(name: str) -> str:
    return _CONTROL.sub("?", name)[:60]


def refuse_control_characters() -> None:
    problem = control_character_problem()
    if problem:
        abort(400, description=problem)


class IdConverter(IntegerConverter):
    """``<int:...>`` in a route: ASCII digits only, and no larger than a database key holds,
    so /comments/99999999999999999999 is a 404, not an overflow in the database driver."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_request_input(app: Flask) -> None:
    """Before any route is added (routes bind their converters as they are added)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)
