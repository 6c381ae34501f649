"""A filter page's canonical URL: only the filters that apply, no empty form fields.

A plain GET form (no JavaScript) sends every field, empty ones too (`?q=&sort=&order=`); the
page then redirects to its canonical URL, so what is bookmarked and shared is clean.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict


def is_canonical(args: MultiDict, canonical_args: dict) -> bool:
    """Whether ``args`` say exactly what ``canonical_args`` (url_for arguments) say."""
    canonical = MultiDict()
    for key, value in canonical_args.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            canonical.add(key, str(item))
    return sorted(args.items(multi=True)) == sorted(canonical.items(multi=True))
