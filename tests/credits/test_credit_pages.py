"""/credits, /beneficiaries and a beneficiary's page, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.credits.query import CreditQuery
from app.credits.search import credit_stats
from app.etl.credit_fields import fill_credit_fields
from app.extensions import db
from app.models import INDEXED_BENEFICIARY_BYTES, Credit, bump_data_version
from tests.credits.market import seed_retirements
from tests.factories import make_credit


def _region(client, url):
    return client.get(url, headers={"HX-Request": "true", "HX-Target": "credit-results"})


def test_load_hook_harmonises_names_and_categorises_reasons(app):
    seed_retirements()
    rows = dict(db.session.execute(select(Credit.beneficiary, Credit.beneficiary_key)).all())
    assert rows["SHOPIFY, INC"] == rows["Shopify Inc."] == "shopify"
    assert rows["Retired on behalf of Shopify Inc. for 2024 emissions"] == "shopify"
    assert rows["Not Disclosed"] is None
    categories = dict(db.session.execute(select(Credit.quantity, Credit.reason_category)).all())
    assert categories[5000] == "corsia"
    assert categories[40] == "compliance"
    assert categories[70] == "unknown"
    assert categories[500_000] is None


def test_typing_a_company_finds_every_spelling_with_totals(client):
    seed_retirements()
    response = _region(client, "/credits?q=shopify")
    assert response.status_code == 200
    assert "3 records" in response.text
    assert ">2,300</span> credits" in response.text
    assert response.text.count('href="/beneficiaries/shopify"') == 3
    assert "Bale Mountains REDD+" in response.text  # each row links to its project
    assert response.headers["HX-Push-Url"] == "/credits?q=shopify"
    assert 'id="credits-by-year"' in response.text


def test_facets_filter_and_count_without_their_own_value(client):
    seed_retirements()
    page = client.get("/credits?reason=corsia").text
    rows = page[page.index('id="credit-results"') :]
    assert "1 record" in rows
    assert "Delta Air Lines" in rows
    assert "Shopify" not in rows
    # The reason facet still offers the other categories, counted without its own filter.
    assert 'name="reason" value="voluntary"' in page
    by_registry = client.get("/credits?registry=GLD&kind=retirement").text
    assert "2 records" in by_registry


def test_ranges_sort_and_project_filter(client):
    seed_retirements()
    page = client.get("/credits?date_from=2024-01-01&sort=quantity&order=asc").text
    assert "4 records" in page
    rows = page[page.index("<tbody") :]
    assert rows.index(">40<") < rows.index("Not Disclosed") < rows.index("Delta Air Lines")
    only_forest = client.get("/credits?project=vcs1340&vintage_from=2020&vintage_to=2020").text
    assert "Clean Cooking Kenya" not in only_forest
    assert "Project: VCS1340" in only_forest


def test_bad_filters_are_named_and_the_rest_still_applies(client):
    seed_retirements()
    page = client.get("/credits?kind=swap&date_from=yesterday&page=100000&q=delta").text
    assert "Ignored unknown kind “swap”" in page
    assert "date_from=“yesterday”" in page
    assert "pages run from 1 to 200" in page
    assert "1 record" in page


def test_paging_keeps_the_filters(client):
    seed_retirements()
    response = _region(client, "/credits?kind=retirement&page=2")
    assert "Page 2 is past the end" in response.text


def test_csv_export_streams_the_filtered_records(client):
    seed_retirements()
    response = client.get("/credits/export.csv?q=shopify")
    lines = response.get_data(as_text=True).strip().splitlines()
    assert response.mimetype == "text/csv"
    assert len(lines) == 4
    assert "beneficiary_key" in lines[0]
    assert "SHOPIFY, INC" in "\n".join(lines)
    assert client.get("/credits/export.csv?kind=nope").status_code == 400


def test_empty_catalogue_explains_itself(client):
    page = client.get("/credits").text
    assert "No credit records yet" in page
    assert "No retirement names a beneficiary yet" in client.get("/beneficiaries").text


def test_largest_retirers_ranked_and_searchable(client):
    seed_retirements()
    page = client.get("/beneficiaries").text
    rows = page[page.index("<tbody") :]
    assert rows.index("Delta Air Lines, Inc.") < rows.index("Shopify Inc.")
    assert "1 beneficiary" in client.get("/beneficiaries?q=delta air").text
    assert (
        client.get("/beneficiaries?q=del%00ta").status_code == 400
    )  # control characters are refused everywhere
    found = client.get("/beneficiaries?q=shop").text
    assert "1 beneficiary" in found
    assert "Delta Air" not in found


def test_beneficiary_page_answers_what_when_from_where(client):
    seed_retirements()
    page = client.get("/beneficiaries/shopify").text
    assert "<h1>Shopify Inc.</h1>" in page
    assert ">2,300</strong>" in page
    for raw in ("“SHOPIFY, INC”", "“Retired on behalf of Shopify Inc. for 2024 emissions”"):
        assert raw in page
    assert 'href="/projects/VCS1340"' in page
    assert 'href="/projects/GLD11603"' in page
    assert "REDD+" in page
    assert "Cookstoves" in page
    assert client.get("/beneficiaries/nobody-at-all").status_code == 404
    assert client.get("/beneficiaries/江苏 亨通").status_code == 404


def test_nav_links_to_credits(client):
    assert ">Credits</a>" in client.get("/").text


def test_stats_split_retirements_by_reason(client):
    seed_retirements()
    split = {
        row["reason_category"]: row["retired"]
        for row in client.get("/api/v1/stats").json["retired_by_reason"]
    }
    assert split == {"voluntary": 2300, "corsia": 5000, "compliance": 40, "unknown": 70}
    page = client.get("/stats").text
    assert "Credits retired by reason" in page
    assert "Compliance conversion (ARB, Washington)" in page


def test_project_page_links_to_its_records_on_credits(client):
    seed_retirements()
    page = client.get("/projects/VCS1340").text
    assert 'href="/credits?project=VCS1340"' in page
    records = client.get("/credits?project=VCS1340").text
    assert "Clean Cooking Kenya" not in records[records.index("<tbody") :]


def test_a_word_in_very_many_values_is_still_found_by_scanning(client, monkeypatch):
    seed_retirements()
    monkeypatch.setattr("app.credits.search.MAX_MATCHED_VALUES", 1)
    response = _region(client, "/credits?q=shopify")
    assert "3 records" in response.text


def test_a_name_in_several_fields_counts_once_and_a_very_long_one_is_found(client):
    """The search reads the key, the raw beneficiary and the other fields apart (each by its
    index): a record they share counts once; a beneficiary too long for the text index
    (past INDEXED_BENEFICIARY_BYTES) is found by its digest."""
    seeded = seed_retirements()
    long_name = "Retired on behalf of " + "Northwind Traders " * 60 + "Zebra Quartz Holdings"
    assert len(long_name.encode()) > INDEXED_BENEFICIARY_BYTES
    for project, beneficiary, note in [
        (seeded["forest"], long_name, None),
        (seeded["forest"], "Shopify Inc.", "Shopify's 2025 travel"),
        (seeded["stoves"], None, "Shopify fleet"),
    ]:
        make_credit(
            project,
            kind="retirement",
            year=2025,
            quantity=10,
            transaction_date=date(2025, 1, 1),
            beneficiary=beneficiary,
            note=note,
        )
    fill_credit_fields(db.session.connection())
    bump_data_version()
    db.session.commit()
    shopify = _region(client, "/credits?q=shopify").text
    assert "5 records" in shopify
    assert ">2,320</span> credits" in shopify
    assert "1 record" in _region(client, "/credits?q=zebra quartz").text
    stats = credit_stats(CreditQuery(q="shopify"))
    assert dict(stats.facets["registry"]) == {"VCS": 3, "GLD": 2}
    assert stats.total == 5
