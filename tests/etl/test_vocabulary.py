"""The vocabulary tables: one name per facet value, the source's words kept beside it."""

import pandas as pd

from app.etl.standardize import add_status_group
from app.etl.text_repair import clean_text, repair_text
from app.etl.vocabulary import country, methodology, project_type, status


def test_verification_approval_requested_is_not_registered():
    assert status.canonical_status("Registration and verification approval requested") == (
        "Registration requested"
    )
    assert status.status_group("Registration requested") == "listed"
    assert status.status_group(status.canonical_status("Verification approval requested")) == (
        "registered"
    )


def test_status_case_variants_fold_and_the_registry_words_stay():
    frame = add_status_group(pd.DataFrame({"status": ["Listed", "listed", "Completed", "odd"]}))
    assert frame["status"].tolist() == ["Listed", "listed", "Completed", "odd"]
    assert frame["status_canonical"].tolist()[:3] == ["Listed", "Listed", "Completed"]
    assert pd.isna(frame["status_canonical"].iloc[3])
    assert frame["status_group"].tolist() == ["listed", "listed", "completed", "unknown"]


def test_countries_resolve_to_iso_codes_and_one_name():
    assert (country.country_code("Viet Nam"), country.country_name("Viet Nam")) == (
        "VN",
        "Vietnam",
    )
    assert country.country_code("DRC") == country.country_code("DR Congo") == "CD"
    assert country.country_name("DRC") == "Democratic Republic of the Congo"
    assert country.country_code("Kenya ") == "KE"
    assert country.country_name("not found") is None
    assert (country.country_code("International"), country.country_name("International")) == (
        None,
        "International",
    )


def test_offsetsdb_codes_and_vrod_names_give_one_methodology_name():
    from_code = methodology.display_name(methodology.codes_from_protocol("arb-ozone"), None)
    vrod_text = (
        "ARB Compliance Offset Protocol: Destruction of U.S. Ozone Depleting Substances Banks"
    )
    from_text = methodology.display_name(methodology.codes_from_text(vrod_text), vrod_text)
    assert from_code == from_text == vrod_text
    assert methodology.codes_from_text("AMS-II.G. Energy efficiency measures in thermal") == (
        "ams-ii-g",
    )
    both = "ACM0002 Grid-connected electricity; AMS-I.D. Grid connected renewable electricity"
    assert methodology.codes_from_text(both) == ("acm0002", "ams-i-d")
    assert methodology.display_name((), "Other") == "Other"


def test_types_fold_case_and_categories_read_as_words():
    assert project_type.type_label("Solar - centralized") == project_type.type_label(
        "Solar - Centralized"
    )
    assert project_type.type_label("Afforestation + Reforestation") == (
        "Afforestation/Reforestation"
    )
    assert project_type.category_label("renewable-energy") == "Renewable energy"
    assert project_type.category_label(project_type.category_slug("REDD+")) == "Forest"


def test_mojibake_repaired_original_kept_and_paragraphs_kept():
    frame = pd.DataFrame(
        {
            "developer": ["LODOS ELEKTRIK ÃœRETIM A.S.", "Açaí  Co"],
            "description": ["First  paragraph.\r\n\r\n\r\nSecond.", "Lost \ufffd char"],
        }
    )
    result = frame.pipe(clean_text, ("developer", "description")).pipe(
        repair_text, ("developer", "description")
    )
    assert result["developer"].tolist() == ["LODOS ELEKTRIK ÜRETIM A.S.", "Açaí Co"]
    assert result["flags"][0] == {"mojibake_repaired": {"developer": "LODOS ELEKTRIK ÃœRETIM A.S."}}
    assert result["description"][0] == "First paragraph.\n\nSecond."
    assert result["flags"][1] == {"replacement_character": ["description"]}
