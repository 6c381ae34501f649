import pandas as pd

from app.etl.standardize import (
    add_status_group,
    canonical_id,
    country_name,
    standardize_ids,
    standardize_registries,
    standardize_urls,
)


def test_gold_standard_ids_take_offsetsdb_form():
    assert canonical_id("GS1234") == "GLD1234"
    assert canonical_id(" vcs 191") == "VCS191"
    assert canonical_id("VCSOPR2") == "VCSOPR2"
    assert canonical_id("GLD77") == "GLD77"


def test_standardize_ids_keeps_the_source_form():
    frame = pd.DataFrame({"project_id": ["GS1", "VCS2"]})
    result = standardize_ids(frame)
    assert result["project_id"].tolist() == ["GLD1", "VCS2"]
    assert result["raw_project_id"].tolist() == ["GS1", "VCS2"]
    assert frame["project_id"].tolist() == ["GS1", "VCS2"]  # input untouched


def test_registry_names_map_to_codes_or_fall_back_to_the_id():
    frame = pd.DataFrame(
        {
            "project_id": ["VCS1", "GLD2", "ACR3", "CAR4", "ART5", "VCSOPR2"],
            "registry": [
                "verra",
                "GOLD",
                "american-carbon-registry",
                "Climate Action Reserve",
                "art-trees",
                None,
            ],
        }
    )
    assert standardize_registries(frame)["registry"].tolist() == [
        "VCS",
        "GLD",
        "ACR",
        "CAR",
        "ART",
        "VCS",
    ]


def test_country_spellings_unify():
    assert country_name("Viet Nam") == "Vietnam"
    assert country_name("DR Congo") == country_name("DRC")
    assert country_name("not found") is None
    assert country_name("  Kenya ") == "Kenya"


def test_status_groups():
    frame = pd.DataFrame(
        {
            "status": [
                "Registered",
                "GOLD_STANDARD_CERTIFIED_DESIGN",
                "Completed",
                "Withdrawn",
                "Rejected by Administrator",
                "Under validation",
                None,
                "listed",
            ],
        }
    )
    assert add_status_group(frame)["status_group"].tolist() == [
        "registered",
        "listed",
        "completed",
        "withdrawn",
        "withdrawn",
        "listed",
        "unknown",
        "listed",
    ]


def test_urls_gain_a_scheme_and_prose_is_dropped():
    frame = pd.DataFrame(
        {
            "website": [
                "www.green-trees.com",
                "envcc.com/projects",
                "https://example.org/a",
                "see registry documents",
                "javascript:alert(1)",
                None,
            ]
        }
    )
    urls = standardize_urls(frame)["website"]
    assert [url if pd.notna(url) else None for url in urls] == [
        "https://www.green-trees.com",
        "https://envcc.com/projects",
        "https://example.org/a",
        None,
        None,
        None,
    ]
    assert frame["website"].iloc[0] == "www.green-trees.com"  # input untouched
