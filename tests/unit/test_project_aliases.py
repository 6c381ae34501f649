"""Every id a user might type reads as one canonical id, in one function."""

from __future__ import annotations

import pytest

from app.text_search import canonical_project_id, query_terms


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("GS561", "GLD561"),
        ("GS 561", "GLD561"),
        ("gs-561", "GLD561"),
        ("gld561", "GLD561"),
        ("Gold 561", "GLD561"),
        ("VCS 191", "VCS191"),
        ("VCS-191", "VCS191"),
        ("vcs_0191", "VCS191"),
        ("verra 191", "VCS191"),
        ("ACR259", "ACR259"),
        ("car 1480", "CAR1480"),
        ("ART101", "ART101"),
        ("community-7", "COMMUNITY-7"),
    ],
)
def test_typed_ids_resolve_to_the_canonical_id(typed, canonical):
    assert canonical_project_id(typed) == canonical


@pytest.mark.parametrize("typed", ["forest", "561", "VCSOPR2", "XYZ 12", "", None, "GS 561 forest"])
def test_text_that_is_no_registry_id_has_no_canonical_id(typed):
    assert canonical_project_id(typed) is None


def test_search_terms_use_the_canonical_id():
    assert query_terms("GS 561") == ["gld561"]
    assert query_terms("gs-561") == ["gld561"]
    assert query_terms("kariba gs561") == ["kariba", "gld561"]
    assert query_terms("vcsopr 2") == ["vcsopr2"]
    assert query_terms("solar-power plant") == ["solar-power", "plant"]
