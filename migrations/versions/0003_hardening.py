"""A session token per account: signing out ends every session and remember cookie

Revision ID: 0003_hardening
Revises: 0003_links

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003_hardening"
down_revision = "0003_links"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("session_token", sa.String(length=64), nullable=True))
    accounts = sa.table("user_account", sa.column("id", sa.Integer), sa.column("session_token"))
    connection = op.get_bind()
    for (account_id,) in connection.execute(sa.select(accounts.c.id)).all():
        connection.execute(
            accounts.update()
            .where(accounts.c.id == account_id)
            .values(session_token=secrets.token_hex(32))
        )
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("session_token")
