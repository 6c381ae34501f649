"""Index on label.credit_id: deleting a credit row looks its labels up (ON DELETE CASCADE)

Without it every deleted credit row scanned the whole label table: a registry reconcile
that replaces a million credit rows spent most of its load there.

Revision ID: 0004_regperf
Revises: 0004_changes
Create Date: 2026-11-30 10:50:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_regperf"
down_revision = "0004_changes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.create_index("ix_label_credit_id", ["credit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_index("ix_label_credit_id")
