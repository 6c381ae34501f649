"""Drop label.credit_id: credit-level labels are kept by vintage and quantity

No code ever set it (a registry's credit-level labels are summed by vintage: the load
replaces a project's credit rows with new ids at every sync, so a row could not keep
pointing at one). Its ON DELETE CASCADE still ran a trigger for each credit row deleted:
about 10 s of a reconcile that replaces a million of them.

Revision ID: 0006_label_credit
Revises: 0005_search_speed
Create Date: 2026-11-30 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_label_credit"
down_revision = "0005_search_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_index("ix_label_credit_id")
        batch_op.drop_constraint("fk_label_credit_id_credit", type_="foreignkey")
        batch_op.drop_column("credit_id")


def downgrade():
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_id", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            "fk_label_credit_id_credit", "credit", ["credit_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_label_credit_id", ["credit_id"], unique=False)
