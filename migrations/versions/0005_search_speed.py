"""project_facet_group: the projects grouped by their facet columns, for the search's counts

A search without text, ranges or label filters counts its facets and totals over these
groups (rebuilt with every bump of the data version) instead of every project row.
data_version.facet_groups_version says which version they were built for: until the first
bump after this migration it is empty and the search counts over project as before.

Revision ID: 0005_search_speed
Revises: 0004_regperf
Create Date: 2026-11-30 13:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_search_speed"
down_revision = "0004_regperf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_facet_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registry", sa.String(length=16), nullable=False),
        sa.Column("status_group", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("scope", sa.String(length=100), nullable=True),
        sa.Column("project_type", sa.String(length=200), nullable=True),
        sa.Column("reduction_removal", sa.String(length=32), nullable=True),
        sa.Column("methodology", sa.String(length=500), nullable=True),
        sa.Column("verifier", sa.String(length=300), nullable=True),
        sa.Column("crediting_period_end", sa.Date(), nullable=True),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("issued", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_facet_group")),
    )
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facet_groups_version", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.drop_column("facet_groups_version")
    op.drop_table("project_facet_group")
