"""The issue's "done when", on the real bundled demo data loaded by a sync."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProjectLink, SyncRun


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_demo_sync_links_car400_to_vcs1528_and_totals_remove_the_double_count(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(SyncRun)).one()
    assert "links" in run.step_timings

    states = dict(
        db.session.execute(
            select(ProjectLink.review_state, func.count()).group_by(ProjectLink.review_state)
        ).all()
    )
    assert states["confirmed"] >= 6  # the documented known pairs
    assert states["suggested"] > 100  # the matcher's finds, waiting for review

    page = client.get("/projects/CAR400").get_data(as_text=True)
    assert 'data-linked-project="VCS1528"' in page
    assert "Both records issued credits for vintage" in page

    stats = client.get("/stats").get_data(as_text=True)
    assert 'data-figure="issued-double-counted"' in stats
    assert "removes" in stats

    again = app.test_cli_runner().invoke(args=["match-projects"])
    assert again.exit_code == 0, again.output
    assert "links: 0 added" in again.output
