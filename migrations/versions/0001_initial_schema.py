"""Initial schema: the catalogue, accounts, community, news and sync runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:17:19.897661

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Text search on project.search_text uses a trigram GIN index.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "credit_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registry", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("scope", sa.String(length=100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("credit_rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_summary")),
    )
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.create_table(
        "news_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feed")),
        sa.UniqueConstraint("url", name=op.f("uq_news_feed_url")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), server_default="user", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("role IN ('user', 'admin')", name=op.f("ck_user_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "news_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=False),
        sa.Column("guid", sa.String(length=2000), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "fetched_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["news_feed.id"],
            name=op.f("fk_news_item_feed_id_news_feed"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_item")),
        sa.UniqueConstraint("guid", name=op.f("uq_news_item_guid")),
        sa.UniqueConstraint("link", name=op.f("uq_news_item_link")),
    )
    with op.batch_alter_table("news_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_item_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index("ix_news_item_published", ["published_at", "id"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("registry", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("status_group", sa.String(length=16), server_default="unknown", nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("scope", sa.String(length=100), nullable=True),
        sa.Column("project_type", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("methodology", sa.String(length=500), nullable=True),
        sa.Column("developer", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("registry_url", sa.Text(), nullable=True),
        sa.Column("documents_url", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("listed_at", sa.Date(), nullable=True),
        sa.Column("is_compliance", sa.Boolean(), nullable=True),
        sa.Column("issued", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("retired", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_vintage", sa.Integer(), nullable=True),
        sa.Column("last_vintage", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column(
            "provenance",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("registered_project_id", sa.String(length=64), nullable=True),
        sa.Column("expected_annual_credits", sa.BigInteger(), nullable=True),
        sa.Column("expected_first_vintage", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(registry = 'COMMUNITY') = (owner_id IS NOT NULL)",
            name=op.f("ck_project_community_has_owner"),
        ),
        sa.CheckConstraint(
            "source IN ('offsetsdb', 'vrod', 'both', 'community')", name=op.f("ck_project_source")
        ),
        sa.CheckConstraint(
            "stage IS NULL OR stage IN ('proposed', 'registered', 'withdrawn')",
            name=op.f("ck_project_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_project_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("project_id", name=op.f("uq_project_project_id")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_country"), ["country"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_project_first_vintage"), ["first_vintage"], unique=False
        )
        batch_op.create_index("ix_project_issued_id", ["issued", "id"], unique=False)
        batch_op.create_index("ix_project_last_vintage_id", ["last_vintage", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_methodology"), ["methodology"], unique=False)
        batch_op.create_index(
            "ix_project_sort_name_id",
            [sa.text("lower(ltrim(name, ' \"''*'))"), "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_project_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_project_type"), ["project_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_registry"), ["registry"], unique=False)
        batch_op.create_index("ix_project_retired_id", ["retired", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_scope"), ["scope"], unique=False)
        batch_op.create_index(
            "ix_project_search_text_trgm",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
        batch_op.create_index(batch_op.f("ix_project_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_status_group"), ["status_group"], unique=False)

    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column(
            "progress",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("trigger", sa.String(length=16), server_default="cli", nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("source_dir", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("projects_added", sa.Integer(), nullable=True),
        sa.Column("projects_updated", sa.Integer(), nullable=True),
        sa.Column("projects_unchanged", sa.Integer(), nullable=True),
        sa.Column("projects_removed", sa.Integer(), nullable=True),
        sa.Column("credit_rows", sa.Integer(), nullable=True),
        sa.Column(
            "step_timings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "checksums",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_sync_run_status"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_sync_run_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_run_status_finished", ["status", "finished_at"], unique=False
        )
        batch_op.create_index(
            "uq_sync_run_one_queued",
            ["status"],
            unique=True,
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        )

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_comment_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_account_id"],
            ["user_account.id"],
            name=op.f("fk_comment_user_account_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_project_created", ["project_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_user_account_id"), ["user_account_id"], unique=False
        )

    op.create_table(
        "credit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("transaction_date", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("beneficiary", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('issuance', 'retirement', 'cancellation')", name=op.f("ck_credit_kind")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_credit_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit")),
    )
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.create_index("ix_credit_project_year", ["project_id", "year"], unique=False)
        batch_op.create_index("ix_credit_vintage_kind", ["vintage", "kind"], unique=False)
        batch_op.create_index("ix_credit_year_kind", ["year", "kind"], unique=False)

    op.create_table(
        "news_mention",
        sa.Column("news_item_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_item.id"],
            name=op.f("fk_news_mention_news_item_id_news_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_news_mention_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("news_item_id", "project_id", name=op.f("pk_news_mention")),
    )
    with op.batch_alter_table("news_mention", schema=None) as batch_op:
        batch_op.create_index("ix_news_mention_project_id", ["project_id"], unique=False)

    op.create_table(
        "support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_support_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_account_id"],
            ["user_account.id"],
            name=op.f("fk_support_user_account_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support")),
        sa.UniqueConstraint("project_id", "user_account_id", name="uq_support_project_user"),
    )
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_user_account_id"), ["user_account_id"], unique=False
        )


def downgrade():
    op.drop_table("credit_summary")
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_user_account_id"))

    op.drop_table("support")
    with op.batch_alter_table("news_mention", schema=None) as batch_op:
        batch_op.drop_index("ix_news_mention_project_id")

    op.drop_table("news_mention")
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_year_kind")
        batch_op.drop_index("ix_credit_vintage_kind")
        batch_op.drop_index("ix_credit_project_year")

    op.drop_table("credit")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_user_account_id"))
        batch_op.drop_index("ix_comment_project_created")

    op.drop_table("comment")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sync_run_one_queued",
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        )
        batch_op.drop_index("ix_sync_run_status_finished")

    op.drop_table("sync_run")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_status_group"))
        batch_op.drop_index(batch_op.f("ix_project_stage"))
        batch_op.drop_index(
            "ix_project_search_text_trgm",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
        batch_op.drop_index(batch_op.f("ix_project_scope"))
        batch_op.drop_index("ix_project_retired_id")
        batch_op.drop_index(batch_op.f("ix_project_registry"))
        batch_op.drop_index(batch_op.f("ix_project_project_type"))
        batch_op.drop_index(batch_op.f("ix_project_owner_id"))
        batch_op.drop_index("ix_project_sort_name_id")
        batch_op.drop_index(batch_op.f("ix_project_methodology"))
        batch_op.drop_index("ix_project_last_vintage_id")
        batch_op.drop_index("ix_project_issued_id")
        batch_op.drop_index(batch_op.f("ix_project_first_vintage"))
        batch_op.drop_index(batch_op.f("ix_project_country"))
        batch_op.drop_index(batch_op.f("ix_project_category"))

    op.drop_table("project")
    with op.batch_alter_table("news_item", schema=None) as batch_op:
        batch_op.drop_index("ix_news_item_published")
        batch_op.drop_index(batch_op.f("ix_news_item_feed_id"))

    op.drop_table("news_item")
    op.drop_table("user_account")
    op.drop_table("news_feed")
    op.drop_table("data_version")
