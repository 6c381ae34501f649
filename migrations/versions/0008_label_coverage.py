"""label_coverage: which label kinds cover a project's credits of each vintage

The credit search's label facet reads it (app/credits/labels.py): the label rows of a
project and vintage (every value and source) fold into one bitmask row, and a project's own
labels into one row of vintage 0. Filled here from the label rows already stored; every
load that writes labels refreshes it (refresh_label_coverage).

Revision ID: 0008_label_coverage
Revises: 0007_credit_search_cover
Create Date: 2026-11-30 19:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_label_coverage"
down_revision = "0007_credit_search_cover"
branch_labels = None
depends_on = None

# As of this revision (app.models.LABEL_KINDS, LABEL_KIND_BITS, EVERY_VINTAGE).
LABEL_KINDS = ("ccp", "corsia", "article6", "corresponding_adjustment", "ccb", "sdg", "other")


def upgrade():
    op.create_table(
        "label_coverage",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_label_coverage_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "vintage", name=op.f("pk_label_coverage")),
    )
    label = sa.table("label", sa.column("project_id"), sa.column("vintage"), sa.column("kind"))
    coverage = sa.table(
        "label_coverage", sa.column("project_id"), sa.column("vintage"), sa.column("kinds")
    )
    vintage = sa.func.coalesce(label.c.vintage, 0)
    bits = sa.case(
        *((label.c.kind == kind, 1 << index) for index, kind in enumerate(LABEL_KINDS)), else_=0
    )
    rows = sa.select(label.c.project_id, vintage, sa.func.sum(bits.distinct())).group_by(
        label.c.project_id, vintage
    )
    op.execute(coverage.insert().from_select(["project_id", "vintage", "kinds"], rows))


def downgrade():
    op.drop_table("label_coverage")
