"""Covering indexes for a credit search: the harmonised key's, the raw beneficiary's and the
project facets'

A search for a big name matches thousands of records scattered over as many table pages;
these indexes carry what the search reads of them (and filters on), so they come from the
index alone. The key's index becomes partial (records without a key are never looked up by
it) and covering; it replaces the retired-beneficiary index (a beneficiary's page reads it
alone, the records' kind included). The raw beneficiary gets a covering index on its text,
its md5 index keeping only the rare values too long for a btree entry. The project facets
(registry, country, type) of the matching records' few thousand projects are read by id
from an index carrying them. SQLite (no INCLUDE, no digest indexes) gets plain indexes on
the raw beneficiary and on the project id, and keeps its plain key index.

Revision ID: 0007_credit_search_cover
Revises: 0006_label_credit
Create Date: 2026-11-30 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_credit_search_cover"
down_revision = "0006_label_credit"
branch_labels = None
depends_on = None

# As of this revision (app.models.SEARCH_COVERED_COLUMNS, INDEXED_BENEFICIARY_BYTES).
COVERED = [
    "id",
    "project_id",
    "kind",
    "vintage",
    "year",
    "transaction_date",
    "quantity",
    "reason_category",
]
SHORT_BENEFICIARY = "octet_length(beneficiary) <= 1000"
RETIRED_WITH_BENEFICIARY = "kind IN ('retirement', 'cancellation') AND beneficiary_key IS NOT NULL"
LONG_BENEFICIARY = "octet_length(beneficiary) > 1000"


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    # The key's covering index carries all it did: a beneficiary's page reads it instead.
    op.drop_index(
        "ix_credit_retired_beneficiary",
        table_name="credit",
        postgresql_where=sa.text(RETIRED_WITH_BENEFICIARY),
        sqlite_where=sa.text(RETIRED_WITH_BENEFICIARY),
    )
    op.create_index(
        "ix_project_id_facets",
        "project",
        ["id"],
        postgresql_include=["registry", "country", "project_type"],
    )
    # SQLite: a plain index on the text (no INCLUDE, no limit on an entry's size).
    op.create_index(
        "ix_credit_beneficiary",
        "credit",
        ["beneficiary"],
        postgresql_include=[*COVERED, "beneficiary_key"],
        postgresql_where=sa.text(SHORT_BENEFICIARY),
    )
    if not _postgresql():
        return
    op.drop_index("ix_credit_beneficiary_key", table_name="credit")
    op.create_index(
        "ix_credit_beneficiary_key",
        "credit",
        ["beneficiary_key"],
        postgresql_include=COVERED,
        postgresql_where=sa.text("beneficiary_key IS NOT NULL"),
    )
    op.drop_index("ix_credit_beneficiary_md5", table_name="credit")
    op.create_index(
        "ix_credit_beneficiary_md5",
        "credit",
        [sa.text("md5(beneficiary)")],
        postgresql_where=sa.text(LONG_BENEFICIARY),
    )


def downgrade():
    op.create_index(
        "ix_credit_retired_beneficiary",
        "credit",
        ["beneficiary_key"],
        postgresql_include=["project_id", "year", "reason_category", "quantity"],
        postgresql_where=sa.text(RETIRED_WITH_BENEFICIARY),
        sqlite_where=sa.text(RETIRED_WITH_BENEFICIARY),
    )
    op.drop_index("ix_project_id_facets", table_name="project")
    op.drop_index("ix_credit_beneficiary", table_name="credit")
    if not _postgresql():
        return
    op.drop_index("ix_credit_beneficiary_md5", table_name="credit")
    op.create_index("ix_credit_beneficiary_md5", "credit", [sa.text("md5(beneficiary)")])
    op.drop_index("ix_credit_beneficiary_key", table_name="credit")
    op.create_index("ix_credit_beneficiary_key", "credit", ["beneficiary_key"])
