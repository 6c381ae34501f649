"""Registry data: crediting period renewals, buffer releases

Revision ID: 0004_regdata
Revises: 0004_i18n
Create Date: 2026-11-30 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_regdata"
down_revision = "0004_i18n"
branch_labels = None
depends_on = None

KINDS = "'issuance', 'retirement', 'cancellation', 'buffer'"


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crediting_period_renewals", sa.Integer(), nullable=True))
    # Buffer credits released: a credit record kind of its own (CAR's buffer pool report).
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_credit_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS}, 'buffer_release')")


def downgrade():
    op.execute("DELETE FROM credit WHERE kind = 'buffer_release'")
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_credit_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS})")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("crediting_period_renewals")
