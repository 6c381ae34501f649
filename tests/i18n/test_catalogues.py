"""Every string the interface says is in the Korean catalogue, translated, and compiled.

The check `make translations` prepares: extract the messages from the code and templates,
compare them with app/translations/ko, and compare the compiled .mo with its .po.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "app" / "translations"
METHODS = [
    ("app/**.py", "python"),
    ("app/templates/**.html", "jinja2"),
    ("app/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extracted_messages() -> dict[str, str]:
    """Each message id the interface uses, with where it was first found."""
    messages = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO), METHODS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if not filename.startswith("app/"):
            continue
        ids = message if isinstance(message, tuple) else (message,)
        messages.setdefault(ids[0], f"{filename}:{lineno}")
    return messages


def korean_catalogue():
    with open(TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale="ko")


def test_every_interface_string_has_a_korean_translation():
    catalogue = korean_catalogue()
    missing = [
        f"{where}: {message_id!r}"
        for message_id, where in sorted(extracted_messages().items(), key=lambda item: item[1])
        if not _translated(catalogue.get(message_id))
    ]
    assert not missing, (
        f"{len(missing)} strings have no Korean translation (run `make translations`, then "
        "translate them in app/translations/ko/LC_MESSAGES/messages.po):\n" + "\n".join(missing)
    )


def _translated(entry) -> bool:
    if entry is None or entry.fuzzy:
        return False
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(strings)


def test_the_catalogue_keeps_every_placeholder():
    problems = [
        f"{message.id!r}: {', '.join(str(error) for error in errors)}"
        for message, errors in korean_catalogue().check()
    ]
    assert not problems, "\n".join(problems)


def _plain(text):
    """A plural message's forms as a tuple: the .mo reader gives lists, the .po reader tuples."""
    return tuple(text) if isinstance(text, list | tuple) else text


def test_the_compiled_catalogue_matches_its_source():
    catalogue = korean_catalogue()
    with open(TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    source = {_plain(m.id): _plain(m.string) for m in catalogue if m.id and not m.fuzzy}
    built = {_plain(m.id): _plain(m.string) for m in compiled if m.id}
    assert built == source, "messages.mo is older than messages.po: run `make setup`"


def _plain(value):
    """A plural message's ids and strings as a tuple (read_mo gives lists, read_po tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value
