"""The registries' own label columns on their real export samples: which project gets which
label, from which words, and how many of its credits carry it."""

from datetime import date

import pandas as pd

from app.etl import columns as c
from app.etl.labels import loadable_labels
from app.etl.registries.registry_labels import merged_labels, stamped
from tests.etl.registries.test_exports import parsed


def project_labels(key: str, project_id: str) -> set[tuple[str, str, str]]:
    labels = parsed(key).labels
    rows = labels[(labels[c.PROJECT_ID] == project_id) & labels[c.VINTAGE].isna()]
    return set(rows[["kind", "value", "raw_text"]].itertuples(index=False, name=None))


def credit_labels(key: str, project_id: str) -> dict[tuple, int]:
    labels = loadable_labels(stamped(parsed(key).labels, key, date(2026, 4, 14)))
    rows = labels[(labels[c.PROJECT_ID] == project_id) & labels["vintage"].notna()]
    return {
        (kind, value, int(vintage)): int(quantity)
        for kind, value, vintage, quantity in rows[
            ["kind", "value", "vintage", "quantity"]
        ].itertuples(index=False, name=None)
    }


def test_verra_additional_certifications_name_article_6_and_corsia():
    # The registry writes an en dash: kept as written.
    dash = "\u2013"
    assert project_labels("verra", "VCS4150") == {
        ("article6", "authorized_imp", f"Article 6 Authorized {dash} Intl mitigation purposes"),
        ("article6", "authorized_ndc", f"Article 6 Authorized {dash} NDC Use"),
        ("article6", "authorized_other", f"Article 6 Authorized {dash} Other purposes"),
        ("corsia", "first", "CORSIA - First Phase, 2024-2026 Scope"),
    }
    assert ("ccb", "biodiversity_gold", "CCB-Biodiversity Gold") in project_labels(
        "verra", "VCS3739"
    )
    assert credit_labels("verra", "VCS1340") == {("ccb", "no_distinction", 2020): 425}


def test_gold_standard_label_column_gives_ccp_and_the_projects_sdgs():
    assert ("ccp", "approved", "ICVCM CCP") in project_labels("gold_standard", "GLD10792")
    water = project_labels("gold_standard", "GLD23574")
    assert {value for kind, value, _ in water if kind == "sdg"} == {"4", "13", "6", "5", "3", "8"}
    # "Not Applicable" under Article Six Authorization is no label.
    labels = parsed("gold_standard").labels
    assert not (labels["kind"] == "article6").any()
    assert credit_labels("gold_standard", "GLD10792") == {
        ("ccp", "approved", 2024): 68419,
        ("ccp", "approved", 2025): 28040,
    }


def test_acr_yes_columns_keep_their_header_as_the_raw_words():
    assert project_labels("acr", "ACR598") >= {
        ("corsia", "eligible", "CORSIA Eligible: Yes"),
        ("corsia", "pilot", "Eligible for CORSIA 2021-2023 Compliance Period (Pilot Phase): Yes"),
    }
    assert ("ccp", "approved", "CCP Approved: Yes") in project_labels("acr", "ACR1129")
    sdgs = {v for k, v, _ in project_labels("acr", "ACR586") if k == "sdg"}
    assert sdgs == {"3", "6", "9", "13", "15"}


def test_car_ccp_column_and_no_label_from_a_no():
    assert project_labels("car", "CAR888") == {("ccp", "approved", "CCP Approved: Yes")}
    # Every CAR sample row says "No" under Corresponding Adjustment: no label at all.
    labels = parsed("car").labels
    assert not (labels["kind"] == "corresponding_adjustment").any()
    assert credit_labels("car", "CAR1480") == {("ccp", "approved", 2025): 3916292}


def test_art_corsia_phases():
    assert {(k, v) for k, v, _ in project_labels("art", "ART102")} == {
        ("corsia", "eligible"),
        ("corsia", "pilot"),
        ("corsia", "first"),
    }
    assert credit_labels("art", "ART102")[("corsia", "eligible", 2016)] == 7867104


def test_stamped_labels_name_the_registry_and_its_fetch_day():
    labels = stamped(parsed("car").labels, "car", date(2026, 8, 5))
    assert set(labels[c.SOURCE]) == {"car"}
    assert set(labels["as_of"]) == {pd.Timestamp("2026-08-05")}


def test_a_delta_adds_only_the_issuances_not_kept_already():
    kept = stamped(parsed("car").labels, "car", date(2026, 8, 4))
    delta = stamped(parsed("car").labels, "car", date(2026, 8, 5))  # every event asked again
    merged = merged_labels(kept, delta)
    assert len(merged) == len(kept)
    assert set(merged.loc[merged[c.VINTAGE].isna(), "as_of"]) == {pd.Timestamp("2026-08-05")}
