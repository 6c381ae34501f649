"""Done when: after a sync that changes a followed project, its follower finds the change on
/account, in the project's feed and in one email, and nowhere twice."""

from __future__ import annotations

import feedparser
import pandas as pd
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProjectChange, SyncRun
from app.sync_queue import request_sync
from app.worker import run_queued_sync
from tests.accounts.helpers import sign_in_as
from tests.etl.test_sync import write_inputs
from tests.factories import make_user


def sync_through_the_worker(folder) -> SyncRun:
    request_sync("cli", source_dir=str(folder))
    return run_queued_sync()


def with_a_retirement(folder):
    """The same inputs a day later: VCS1340 retired credits for Acme and was withdrawn."""
    write_inputs(folder)
    projects = pd.read_csv(folder / "projects.csv", dtype=object)
    projects.loc[projects["project_id"] == "VCS1340", "status"] = "withdrawn"
    projects.to_csv(folder / "projects.csv", index=False)
    credits = pd.read_csv(folder / "credits.csv", dtype=object)
    retirement = {
        "project_id": "VCS1340",
        "quantity": "2500.0",
        "transaction_date": "2026-11-20 00:00:00+00:00",
        "transaction_type": "retirement",
        "vintage": "2020",
        "retirement_beneficiary": "Acme Airlines Ltd",
    }
    credits = pd.concat([credits, pd.DataFrame([retirement])], ignore_index=True)
    credits.to_csv(folder / "credits.csv", index=False)
    return folder


def test_a_followed_project_change_reaches_account_feed_and_one_email(
    app, client, mailbox, tmp_path
):
    first = sync_through_the_worker(write_inputs(tmp_path / "v1"))
    assert first.status == "succeeded", first.message
    kinds = dict(
        db.session.execute(
            select(ProjectChange.kind, func.count()).group_by(ProjectChange.kind)
        ).all()
    )
    assert set(kinds) == {"first_load"}  # a first load: one summary per registry, no flood

    reader = make_user("reader@example.org")
    sign_in_as(client, reader)
    client.post("/follows", data={"kind": "project", "target": "VCS1340"})
    client.post("/follows", data={"kind": "search", "target": "/changes?registry=VCS"})
    client.get("/account")  # the visit before the sync

    second = sync_through_the_worker(with_a_retirement(tmp_path / "v2"))
    assert second.status == "succeeded", second.message
    found = db.session.scalars(
        select(ProjectChange).where(ProjectChange.sync_run_id == second.id)
    ).all()
    summary = sorted((change.project_id, change.kind, change.quantity) for change in found)
    assert summary == [("VCS1340", "retirement", 2500), ("VCS1340", "status", None)]

    account = client.get("/account").get_data(as_text=True)
    news = account.split('id="new-changes"')[1].split("</ol>")[0]
    assert news.count("Retired 2,500 credits of vintage 2020 for Acme Airlines Ltd") == 1
    assert news.count("data-change-id=") == 2

    feed = feedparser.parse(client.get("/projects/VCS1340/changes.atom").data)
    titles = [entry.title for entry in feed.entries]
    assert titles.count("VCS1340: Retired 2,500 credits of vintage 2020 for Acme Airlines Ltd") == 1

    [email] = mailbox.messages  # sent by the worker after the sync, once
    text = email.get_body(("plain",)).get_content()
    assert text.count("Retired 2,500 credits of vintage 2020 for Acme Airlines Ltd") == 1
    # Another sync with nothing new sends nothing more.
    third = sync_through_the_worker(with_a_retirement(tmp_path / "v3"))
    assert third.status == "succeeded"
    assert len(mailbox.messages) == 1
