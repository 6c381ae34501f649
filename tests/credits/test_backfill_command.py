"""`flask --app wsgi credits-backfill` fills what an older load left empty."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Credit
from tests.factories import make_credit, make_project


def test_backfill_fills_keys_and_categories(app):
    project = make_project("CAR1335", registry="CAR")
    make_credit(project, kind="retirement", beneficiary="Watershed Technology, Inc", reason="Other")
    result = app.test_cli_runner().invoke(args=["credits-backfill"])
    assert "Mapped 1 beneficiary names and 1 distinct reasons" in result.output
    db.session.expire_all()
    credit = db.session.scalars(select(Credit)).one()
    assert (credit.beneficiary_key, credit.reason_category) == ("watershed-technology", "other")
