"""One rule for query parameters a request cannot use.

HTML pages ignore what they cannot read, say so in a notice and answer 200, with the
canonical URL (without the ignored values) pushed to the address bar on HTMX requests.
The JSON API refuses: 400 problem+json naming each parameter it cannot read.

Parsers differ (some collect warnings, some raise at the first bad value), so the
parameter at fault is found the same way for all: by reading each parameter on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

T = TypeVar("T")


def read_leniently(
    args: MultiDict, parse: Callable[[MultiDict], T], error: type[Exception]
) -> tuple[T, list[str]]:
    """``parse(args)`` with every parameter it raises ``error`` on left out, and the messages.

    For parsers that raise at the first value they cannot use (a page's rule: ignore it).
    """
    try:
        return parse(args), []
    except error:
        pass

    def refused(alone: MultiDict) -> str | None:
        try:
            parse(alone)
        except error as problem:
            return str(problem)
        return None

    notices, kept = [], MultiDict(args)
    for name in list(args):
        message = refused(MultiDict({name: args.getlist(name)}))
        if message is not None:
            kept.poplist(name)
            notices.append(_("Ignored %(name)s: %(reason)s", name=name, reason=message))
    try:
        return parse(kept), notices
    except error as problem:  # values that only fail together: drop them all
        return parse(MultiDict()), [*notices, _("Ignored the filters: %(reason)s", reason=problem)]


def invalid_params(args: MultiDict, warnings_of: Callable[[MultiDict], list[str]]) -> list[dict]:
    """RFC 9457 "invalid-params" entries: each parameter at fault and why (for the API)."""
    entries = []
    for name in args:
        reasons = warnings_of(MultiDict({name: args.getlist(name)}))
        if reasons:
            entries.append({"name": name, "reason": " ".join(_api_wording(r) for r in reasons)})
    return entries


def _api_wording(message: str) -> str:
    """A page says "Ignored x"; an API answer that refuses says "x". Every "Ignored ..."
    message's translation starts with the translation of "Ignored " (the Korean catalogue:
    "무시함: "), so the same cut works in every language."""
    return message.removeprefix("Ignored ").removeprefix(_("Ignored "))
