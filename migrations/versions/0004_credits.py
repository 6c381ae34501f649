"""Beneficiary summary (one row per harmonised beneficiary) and the retired-beneficiary index

Revision ID: 0004_credits
Revises: 0004_regdata
Create Date: 2026-11-30 10:40:00

"""

import sqlalchemy as sa
from alembic import op

from app.models import JSONType

# revision identifiers, used by Alembic.
revision = "0004_credits"
down_revision = "0004_regdata"
branch_labels = None
depends_on = None

RETIRED_WITH_BENEFICIARY = "kind IN ('retirement', 'cancellation') AND beneficiary_key IS NOT NULL"


def upgrade():
    op.create_table(
        "beneficiary_summary",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("spellings", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_beneficiary_summary")),
    )
    with op.batch_alter_table("beneficiary_summary", schema=None) as batch_op:
        batch_op.create_index(
            "ix_beneficiary_summary_quantity_key", ["quantity", "key"], unique=False
        )
        batch_op.create_index(
            "ix_beneficiary_summary_key_trgm",
            ["key"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"key": "gin_trgm_ops"},
        )
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_retired_beneficiary",
            ["beneficiary_key"],
            unique=False,
            postgresql_include=["project_id", "year", "reason_category", "quantity"],
            postgresql_where=sa.text(RETIRED_WITH_BENEFICIARY),
            sqlite_where=sa.text(RETIRED_WITH_BENEFICIARY),
        )
    # Existing credit rows get their summary now, not at the next sync.
    from app.etl.beneficiary_summary import rebuild_beneficiary_summary

    rebuild_beneficiary_summary(op.get_bind())


def downgrade():
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_credit_retired_beneficiary",
            postgresql_where=sa.text(RETIRED_WITH_BENEFICIARY),
            sqlite_where=sa.text(RETIRED_WITH_BENEFICIARY),
        )
    op.drop_table("beneficiary_summary")
