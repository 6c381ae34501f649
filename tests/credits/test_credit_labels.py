"""The label facet on /credits and a beneficiary's retirements by label, on both databases.

A record carries a label when its project does (project-level), or when its project's
credits of the record's vintage do (credit-level, as a registry flags issuances).
"""

from __future__ import annotations

import pytest

from app.credits.query import CreditQuery
from app.credits.search import credit_stats, label_counts
from tests.credits.market import seed_labelled_retirements


@pytest.fixture
def labelled(app):
    return seed_labelled_retirements()


def _region(client, url):
    return client.get(url, headers={"HX-Request": "true", "HX-Target": "credit-results"}).text


def test_the_label_facet_filters_records_by_project_and_vintage(client, labelled):
    corsia = _region(client, "/credits?label=corsia")
    assert "4 records" in corsia  # the forest's vintage 2020: its issuance and 3 retirements
    assert ">502,070</span> credits" in corsia
    assert ">9<" not in corsia  # the vintage 2019 retirement carries no label
    ccb = _region(client, "/credits?label=ccb")
    assert "3 records" in ccb
    assert "Clean Cooking Kenya" in ccb
    assert "Bale Mountains" not in ccb
    either = _region(client, "/credits?label=corsia&label=ccb")
    assert "7 records" in either
    assert "Label: CORSIA eligible ✕" in either
    assert 'id="credit-label-rule"' in either


def test_label_counts_respect_the_other_filters_but_not_their_own(app, labelled):
    assert dict(label_counts(CreditQuery())) == {"corsia": 4, "ccb": 3}
    assert dict(label_counts(CreditQuery(q="shopify"))) == {"corsia": 2, "ccb": 1}
    chosen = CreditQuery(q="shopify", label=("corsia",))
    assert credit_stats(chosen).total == 2
    assert dict(label_counts(chosen)) == {"corsia": 2, "ccb": 1}
    assert dict(credit_stats(chosen).facets["registry"]) == {"VCS": 2}
    assert dict(label_counts(CreditQuery(label=("ccb",), kind=("retirement",)))) == {
        "corsia": 3,
        "ccb": 2,
    }


def test_a_keystroke_leaves_the_label_counts_to_a_second_request(client, labelled):
    region = _region(client, "/credits?q=shopify&label=corsia")
    facet = region[region.index('id="credit-facet-label"') :]
    facet = facet[: facet.index("</fieldset>")]
    assert 'hx-trigger="load"' in facet
    assert 'hx-get="/credits?q=shopify&amp;label=corsia"' in facet
    assert "facet-count" not in facet  # every label listed, uncounted, the chosen one checked
    assert facet.count('type="checkbox"') == 7
    assert 'value="corsia" checked' in facet
    counted = client.get(
        "/credits?q=shopify&label=corsia",
        headers={"HX-Request": "true", "HX-Target": "credit-facet-label"},
    ).text
    assert counted.startswith('<fieldset class="facet" id="credit-facet-label"')
    assert "hx-trigger" not in counted
    assert 'data-count="2"' in counted
    assert 'data-count="1"' in counted
    assert 'value="corsia" checked' in counted
    page = client.get("/credits?q=shopify").text  # a whole page (no JavaScript) counts at once
    assert 'data-count="2"' in page[page.index('id="credit-facet-label"') :]


def test_an_unknown_label_is_named_and_ignored(client, labelled):
    page = _region(client, "/credits?label=gold&q=shopify")
    assert "Ignored unknown label “gold”." in page
    assert "4 records" in page


def test_the_api_and_the_csv_take_the_label_filter(client, labelled):
    items = client.get("/api/v1/credits?label=ccb").json["items"]
    assert {item["project_id"] for item in items} == {"GLD11603"}
    assert len(items) == 3
    refused = client.get("/api/v1/credits?label=gold")
    assert refused.status_code == 400
    assert "label" in refused.json["detail"]
    lines = client.get("/credits/export.csv?label=corsia&kind=retirement").text.splitlines()
    assert len(lines) == 1 + 3


def test_a_beneficiary_page_splits_its_retirements_by_label(client, labelled):
    page = client.get("/beneficiaries/shopify").text
    section = page[page.index('id="by-label"') :]
    assert section.index("CORSIA eligible") < section.index("CCB")  # largest first
    assert ">2,000<" in section
    assert ">300<" in section
    assert "label=corsia" in section  # each label links to those records on /credits
    detail = client.get("/api/v1/beneficiaries/shopify").json
    assert detail["by_label"] == [
        {"label": "corsia", "retired": 2000, "records": 2},
        {"label": "ccb", "retired": 300, "records": 1},
    ]
    delta = client.get("/beneficiaries/delta-air-lines").text
    assert "CCB" in delta[delta.index('id="by-label"') :]  # from the CCB-certified stoves
    assert client.get("/api/v1/beneficiaries/delta-air-lines").json["by_label"] == [
        {"label": "ccb", "retired": 5000, "records": 1}
    ]
