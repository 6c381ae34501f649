"""The beneficiary normaliser, on real registry texts (tests/fixtures/credits/SOURCE.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from app.etl.beneficiaries import beneficiary_key, fill_beneficiary_keys
from tests.conftest import FIXTURES

FIXTURES = FIXTURES / "credits"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        # Case, punctuation and legal suffixes (Verra, ACR, Gold Standard exports).
        ("Shopify Inc.", "shopify"),
        ("SHOPIFY, INC", "shopify"),
        ("United Parcel Service, Inc.", "united-parcel-service"),
        ("Hilti Corporation", "hilti"),
        ("ENGIE Energía Chile S.A", "engie-energia-chile"),
        ("Southampton Container Terminals Limited", "southampton-container-terminals"),
        ("KUVEYT TÜRK KATILIM BANKASI A.Ş.", "kuveyt-turk-katilim-bankasi"),
        ("Siemens AG", "siemens"),
        ("Plansee GmbH", "plansee"),
        ("BP p.l.c.", "bp"),
        ("Groenbalans BV", "groenbalans"),
        ("ClimeCo LLC", "climeco"),
        ("Namatours Sarl", "namatours"),
        ("Coca-Cola", "coca-cola"),
        ("Coca Cola Company", "coca-cola"),
        ("TIM S/A  (CNPJ: 02.421.421/0001-11)", "tim"),
        ("Japan Airlines Co., Ltd.;First Phase: 2024-2026", "japan-airlines"),
        # "On behalf of" sentences (ACR, CAR, ART, Gold Standard notes).
        ("Retired on behalf of AYVENS", "ayvens"),
        ("Emergent retiring on behalf of Chanel", "chanel"),
        ("Retired by Key Carbon on behalf of OR Royalties Inc.", "or-royalties"),
        (
            "Credits retired on behalf of the International Monetary Fund to manage climate "
            "impact of emissions in CY25.",
            "international-monetary-fund",
        ),
        (
            "Retired on the behalf of Rubim Produções - Referente as emissões de GEE",
            "rubim-producoes",
        ),
        (
            "Retired on behalf of Plansee Holding AG and its wholly owned subsidiaries",
            "plansee",
        ),
        ("TAV ANKARA YATIRIM A.S. - Reporting Period: 01.01.2025-31.12.2025", "tav-ankara-yatirim"),
    ],
)
def test_real_spellings_harmonise_to_one_key(raw, key):
    assert beneficiary_key(raw) == key


@pytest.mark.parametrize(
    "raw",
    [
        "Not Disclosed",
        "Anonymously",
        "N/A",
        "",
        "   ",
        None,
        "No owner - contributing towards global emissions reductions",
    ],
)
def test_texts_naming_nobody_have_no_key(raw):
    assert beneficiary_key(raw) is None


def test_a_name_that_is_only_a_suffix_keeps_it():
    assert beneficiary_key("AG") == "ag"


def test_fill_step_applies_confirmed_merges_and_leaves_the_input_alone():
    names = pd.DataFrame({"beneficiary": ["Delta Airlines", "Delta Air Lines, Inc.", "Anonymous"]})
    keyed = fill_beneficiary_keys(names, {"delta-airlines": "delta-air-lines"})
    keys = [key if isinstance(key, str) else None for key in keyed["beneficiary_key"]]
    assert keys == ["delta-air-lines", "delta-air-lines", None]
    assert list(names.columns) == ["beneficiary"]


def test_every_real_registry_text_gets_a_short_key_or_none():
    """Over every distinct text in the five registries' retirement exports."""
    texts = pd.read_csv(FIXTURES / "beneficiary_texts.csv")
    keys = texts["text"].map(beneficiary_key)
    assert keys.notna().mean() > 0.9
    named = keys.dropna()
    assert named.str.fullmatch(r"[\w-]+").all()
    assert (named.str.len() <= 120).all()
    # Fewer keys than texts: spellings of one organisation collapse.
    assert named.nunique() < len(named)
    by_text = dict(zip(texts["text"], keys, strict=True))
    assert by_text["Emergent retiring on behalf of Chanel"] == "chanel"
    assert by_text["Eni Plenitude spa Società Benefit"] == "eni-plenitude"
