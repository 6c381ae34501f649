"""Change log: facet indexes that carry the facet columns, days to ids in one index step;
each follower's last digest

Revision ID: 0004_changes
Revises: 0004_credits
Create Date: 2026-11-30 11:05:00

The /changes facet counts read a search's newest matching changes: with the other facet
columns in the index (PostgreSQL INCLUDE), an index-only scan instead of a thousand
scattered table rows (docs/PERFORMANCE.md, issue 17). On SQLite the INCLUDE is left out.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_changes"
down_revision = "0004_credits"
branch_labels = None
depends_on = None

FACET_COLUMNS = ("registry", "country", "project_type", "kind")
# (keys, existed before this revision)
FACET_INDEXES = (
    (("kind",), True),
    (("registry",), True),
    (("country",), True),
    (("project_type",), False),
    (("country", "kind"), True),
    (("registry", "kind"), True),
    (("registry", "country"), False),
    (("beneficiary_key",), True),
)


def _name(keys) -> str:
    return f"ix_project_change_{'_'.join(keys)}_id"


def upgrade():
    with op.batch_alter_table("project_change", schema=None) as batch_op:
        batch_op.drop_index("ix_project_change_project_type")
        batch_op.drop_index("ix_project_change_created_at")
        batch_op.create_index("ix_project_change_created_at_id", ["created_at", "id"], unique=False)
        for keys, existed in FACET_INDEXES:
            if existed:
                batch_op.drop_index(_name(keys))
            batch_op.create_index(
                _name(keys),
                [*keys, "id"],
                unique=False,
                postgresql_include=[name for name in FACET_COLUMNS if name not in keys],
            )
    with op.batch_alter_table("digest_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_digest_outbox_user_account_id_created_at",
            ["user_account_id", "created_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("digest_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_outbox_user_account_id_created_at")
    with op.batch_alter_table("project_change", schema=None) as batch_op:
        for keys, existed in FACET_INDEXES:
            batch_op.drop_index(_name(keys))
            if existed:
                batch_op.create_index(_name(keys), [*keys, "id"], unique=False)
        batch_op.create_index("ix_project_change_project_type", ["project_type"], unique=False)
        batch_op.drop_index("ix_project_change_created_at_id")
        batch_op.create_index("ix_project_change_created_at", ["created_at"], unique=False)
