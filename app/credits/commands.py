"""`flask --app wsgi credits-backfill`: harmonised beneficiaries and reason categories now."""

from __future__ import annotations

import click

from app.etl.credit_fields import fill_credit_fields
from app.extensions import db
from app.models import bump_data_version, rebuild_credit_summary


@click.command("credits-backfill")
@click.option("--refill", is_flag=True, help="Recompute every row, not only those still empty.")
def credits_backfill_command(refill: bool) -> None:
    """Fill credit.beneficiary_key and credit.reason_category (every sync does it too)."""
    with db.engine.begin() as connection:
        counts = fill_credit_fields(connection, refill=refill)
        rebuild_credit_summary(connection)  # its split by reason follows the categories
        bump_data_version(connection)
    click.echo(
        f"Mapped {counts['beneficiary_names']:,} beneficiary names and "
        f"{counts['reasons']:,} distinct reasons."
    )
