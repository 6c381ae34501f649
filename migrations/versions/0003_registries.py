"""Projects known only from a registry's own data: project.source 'registry'

Revision ID: 0003_registries
Revises: 0003_hardening
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_registries"
down_revision = "0003_hardening"
branch_labels = None
depends_on = None


SORT_NAME_INDEX = "ix_project_sort_name_id"


def _set_sources(sources: str) -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_project_source"), type_="check")
        batch_op.create_check_constraint("source", f"source IN ({sources})")
    # SQLite rebuilds the table for a changed constraint and loses the expression index.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {SORT_NAME_INDEX}")
        op.create_index(SORT_NAME_INDEX, "project", [sa.text("lower(ltrim(name, ' \"''*'))"), "id"])


def upgrade():
    _set_sources("'offsetsdb', 'vrod', 'both', 'community', 'registry'")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registries", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("reconcile", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_column("reconcile")
        batch_op.drop_column("registries")
    op.execute("UPDATE project SET source = 'offsetsdb' WHERE source = 'registry'")
    _set_sources("'offsetsdb', 'vrod', 'both', 'community'")
