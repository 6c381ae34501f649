"""The pure diff of a sync, on small frames written out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.etl import changes
from app.etl import columns as c

TODAY = date(2026, 11, 30)


def project(pid: str, **fields) -> dict:
    row = {
        c.PROJECT_ID: pid,
        c.NAME: f"Project {pid}",
        c.REGISTRY: pid[:3],
        c.STATUS: "Registered",
        c.COUNTRY: "Kenya",
        c.PROJECT_TYPE: "Cookstoves",
        c.SOURCE: "offsetsdb",
        c.PROVENANCE: {},
    }
    return row | fields


def credits(*rows) -> pd.DataFrame:
    names = list(c.CREDIT_COLUMNS)
    filled = [dict.fromkeys(names) | {c.SOURCE: "offsetsdb"} | row for row in rows]
    return pd.DataFrame(filled, columns=names)


def kinds(found: list[dict]) -> list[tuple]:
    return sorted((row["project_id"] or "", row["kind"], row["field"] or "") for row in found)


def test_first_load_records_one_summary_per_registry_and_no_added_rows():
    new = {pid: project(pid) for pid in ("VCS1", "VCS2", "GLD3")}
    found = changes.diff_catalogue({}, new, credits(), credits(), TODAY)
    assert [(row["registry"], row["kind"], row["quantity"]) for row in found] == [
        ("GLD", "first_load", 1),
        ("VCS", "first_load", 2),
    ]


def test_a_registry_seen_for_the_first_time_is_a_summary_while_others_record_added():
    old = {"VCS1": project("VCS1")}
    new = {pid: project(pid) for pid in ("VCS1", "VCS2", "CAR7", "CAR8")}
    found = changes.diff_catalogue(old, new, credits(), credits(), TODAY)
    assert kinds(found) == [("", "first_load", ""), ("VCS2", "added", "")]


def test_status_field_and_removed_changes_keep_old_and_new_values():
    old = {"VCS1": project("VCS1"), "VCS2": project("VCS2")}
    new = {"VCS1": project("VCS1", **{c.STATUS: "Withdrawn", c.COUNTRY: "Uganda"})}
    found = changes.diff_catalogue(old, new, credits(), credits(), TODAY)
    assert kinds(found) == [
        ("VCS1", "field", "country"),
        ("VCS1", "status", "status"),
        ("VCS2", "removed", ""),
    ]
    status = next(row for row in found if row["kind"] == "status")
    assert (status["old_value"], status["new_value"]) == ("Registered", "Withdrawn")


def test_new_credit_rows_become_events_summed_per_vintage_and_beneficiary():
    stored = credits(
        {c.PROJECT_ID: "VCS1", c.KIND: "issuance", c.VINTAGE: 2019, c.QUANTITY: 100},
        {c.PROJECT_ID: "VCS1", c.KIND: "retirement", c.VINTAGE: 2019, c.QUANTITY: 10,
         c.BENEFICIARY: "Acme Inc", c.TRANSACTION_DATE: "2026-01-02"},
    )  # fmt: skip
    fresh = credits(
        {c.PROJECT_ID: "VCS1", c.KIND: "issuance", c.VINTAGE: 2019.0, c.QUANTITY: 100.0},
        {c.PROJECT_ID: "VCS1", c.KIND: "issuance", c.VINTAGE: 2020, c.QUANTITY: 500},
        {c.PROJECT_ID: "VCS1", c.KIND: "retirement", c.VINTAGE: 2019, c.QUANTITY: 10,
         c.BENEFICIARY: "Acme Inc", c.TRANSACTION_DATE: pd.Timestamp("2026-01-02")},
        {c.PROJECT_ID: "VCS1", c.KIND: "retirement", c.VINTAGE: 2019, c.QUANTITY: 7,
         c.BENEFICIARY: "Acme Inc", c.TRANSACTION_DATE: pd.Timestamp("2026-11-20")},
        {c.PROJECT_ID: "VCS1", c.KIND: "retirement", c.VINTAGE: 2019, c.QUANTITY: 3,
         c.BENEFICIARY: "Acme Inc", c.TRANSACTION_DATE: pd.Timestamp("2026-11-21")},
    )  # fmt: skip
    rows = {"VCS1": project("VCS1")}
    found = changes.diff_catalogue(rows, rows, stored, fresh, TODAY)
    events = sorted((r["kind"], r["vintage"], r["quantity"], r["beneficiary_key"]) for r in found)
    assert events == [("issuance", 2020, 500, None), ("retirement", 2019, 10, "acme inc")]
    assert {row["as_of"] for row in found} == {date(2026, 11, 21)}


def test_a_repeated_identical_row_counts_once_more():
    row = {c.PROJECT_ID: "VCS1", c.KIND: "retirement", c.VINTAGE: 2019, c.QUANTITY: 5}
    rows = {"VCS1": project("VCS1")}
    found = changes.diff_catalogue(rows, rows, credits(row), credits(row, row), TODAY)
    assert [(r["kind"], r["quantity"]) for r in found] == [("retirement", 5)]


def test_credits_told_by_another_source_are_not_new_events():
    stored = credits({c.PROJECT_ID: "VCS1", c.KIND: "issuance", c.VINTAGE: 2019,
                      c.QUANTITY: 100, c.SOURCE: "vrod"})  # fmt: skip
    fresh = credits({c.PROJECT_ID: "VCS1", c.KIND: "issuance", c.VINTAGE: 2019,
                     c.QUANTITY: 100, c.SOURCE: "offsetsdb"})  # fmt: skip
    rows = {"VCS1": project("VCS1")}
    assert changes.diff_catalogue(rows, rows, stored, fresh, TODAY) == []


def test_labels_gained_and_lost():
    rows = {"VCS1": project("VCS1")}
    old = pd.DataFrame({c.PROJECT_ID: ["VCS1"], "label": ["CCB"]})
    new = pd.DataFrame({c.PROJECT_ID: ["VCS1"], "label": ["CORSIA"]})
    found = changes.diff_catalogue(rows, rows, credits(), credits(), TODAY, labels=(old, new))
    assert sorted((r["kind"], r["old_value"], r["new_value"]) for r in found) == [
        ("label_gained", None, "CORSIA"),
        ("label_lost", "CCB", None),
    ]


def test_a_source_seen_for_the_first_time_is_a_summary_not_a_change_per_field():
    old = {"VCS1": project("VCS1", **{c.PROVENANCE: {c.NAME: "offsetsdb", c.COUNTRY: "vrod"}})}
    new = {
        "VCS1": project(
            "VCS1",
            **{
                c.NAME: "Renamed by the registry",
                c.COUNTRY: "Uganda",
                c.PROVENANCE: {c.NAME: "verra", c.COUNTRY: "vrod"},
            },
        )
    }
    found = changes.diff_catalogue(old, new, credits(), credits(), TODAY)
    assert sorted((r["kind"], r["field"], r["new_value"], r["quantity"]) for r in found) == [
        ("field", "country", "Uganda", None),
        ("first_load", "source", "verra", 1),
    ]
