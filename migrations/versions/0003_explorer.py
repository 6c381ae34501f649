"""Per project and year credit totals for the catalogue's overview chart

Revision ID: 0003_explorer
Revises: 0003_credits
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_explorer"
down_revision = "0003_credits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_year_total",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issued", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "year"),
    )
    # Filled from the credit rows already loaded, as every sync will.
    op.execute(
        """
        INSERT INTO project_year_total (project_id, year, issued, retired)
        SELECT project_id, year,
               SUM(CASE WHEN kind = 'issuance' THEN quantity ELSE 0 END),
               SUM(CASE WHEN kind IN ('retirement', 'cancellation') THEN quantity ELSE 0 END)
        FROM credit
        WHERE year IS NOT NULL AND kind IN ('issuance', 'retirement', 'cancellation')
        GROUP BY project_id, year
        """
    )


def downgrade():
    op.drop_table("project_year_total")
