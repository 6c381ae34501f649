"""The database: one catalogue of projects and their credits, and what users add to it.

Table and column names are a contract (DESIGN.md): tests, the API and the
operations scripts rely on them.
"""

from __future__ import annotations

import secrets
import sqlite3
import warnings
from datetime import UTC, date, datetime

from flask import has_app_context, has_request_context, request
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    event,
    func,
    literal_column,
    select,
    text,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.pool import Pool

from app.extensions import cache, db

REGISTRIES = ("VCS", "GLD", "ACR", "CAR", "ART")
COMMUNITY = "COMMUNITY"
STATUS_GROUPS = ("listed", "registered", "completed", "withdrawn", "unknown")
COMMUNITY_STAGES = ("proposed", "registered", "withdrawn")
CREDIT_KINDS = ("issuance", "retirement", "cancellation", "buffer", "buffer_release")
PROJECT_SOURCES = ("offsetsdb", "vrod", "both", "community", "registry")
SYNC_STATUSES = ("queued", "running", "succeeded", "failed")
SYNC_TRIGGERS = ("schedule", "admin", "cli")
ROLES = ("user", "admin")

# `project.registry` is a fixed column name. SQLAlchemy keeps its own class
# registry on the mapper as well, so the attribute works; only the warning goes.
warnings.filterwarnings(
    "ignore", message="Attribute name 'registry' should be left reserved", module="flask_sqlalchemy"
)

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments a plain INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_token() -> str:
    return secrets.token_hex(32)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), onupdate=utcnow
    )


class UserAccount(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    # Part of every session and remember cookie; a new one ends them all (app/accounts/sessions.py).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # The interface language the account chose ('en', 'ko'); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(8))

    projects: Mapped[list[Project]] = relationship(back_populates="owner")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        """Flask-Login's alternative id: the account and its current session token."""
        return f"{self.id}:{self.session_token}"


class Project(TimestampMixin, db.Model):
    """A registry project (VCS, GLD, ACR, CAR, ART) or a community project."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint(_one_of("source", PROJECT_SOURCES), name="source"),
        CheckConstraint(f"stage IS NULL OR {_one_of('stage', COMMUNITY_STAGES)}", name="stage"),
        CheckConstraint(
            f"(registry = '{COMMUNITY}') = (owner_id IS NOT NULL)", name="community_has_owner"
        ),
        Index(
            "ix_project_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index("ix_project_issued_id", "issued", "id"),
        Index("ix_project_retired_id", "retired", "id"),
        Index("ix_project_last_vintage_id", "last_vintage", "id"),
        # A credit search's project facets: its matching records' few thousand projects
        # looked up by id, from the index alone (on PostgreSQL; plain on SQLite).
        Index(
            "ix_project_id_facets",
            "id",
            postgresql_include=["registry", "country", "project_type"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    registry: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str | None] = mapped_column(String(100))
    status_group: Mapped[str] = mapped_column(
        String(16), index=True, default="unknown", server_default="unknown"
    )
    country: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(String(100), index=True)
    project_type: Mapped[str | None] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    methodology: Mapped[str | None] = mapped_column(String(500), index=True)
    developer: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    registry_url: Mapped[str | None] = mapped_column(Text)
    documents_url: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    listed_at: Mapped[date | None] = mapped_column(Date)
    is_compliance: Mapped[bool | None] = mapped_column(Boolean)
    issued: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    retired: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    first_vintage: Mapped[int | None] = mapped_column(Integer, index=True)
    last_vintage: Mapped[int | None] = mapped_column(Integer)
    # Every further field the sources give (VROD's PROJECTS columns, the registries' own).
    country_code: Mapped[str | None] = mapped_column(String(3), index=True)
    status_canonical: Mapped[str | None] = mapped_column(String(64), index=True)
    methodology_code: Mapped[str | None] = mapped_column(String(200))
    methodology_version: Mapped[str | None] = mapped_column(String(200))
    reduction_removal: Mapped[str | None] = mapped_column(String(32), index=True)
    registry_project_type: Mapped[str | None] = mapped_column(Text)
    site_location: Mapped[str | None] = mapped_column(Text)
    project_owner: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[str | None] = mapped_column(Text)
    designee: Mapped[str | None] = mapped_column(Text)
    verifier: Mapped[str | None] = mapped_column(String(300), index=True)
    estimated_annual_reductions: Mapped[int | None] = mapped_column(BigInteger)
    buffer_deposits: Mapped[int | None] = mapped_column(BigInteger)
    reversals_covered: Mapped[int | None] = mapped_column(BigInteger)
    reversals_not_covered: Mapped[int | None] = mapped_column(BigInteger)
    buffer_released: Mapped[int | None] = mapped_column(BigInteger)
    arb_project: Mapped[str | None] = mapped_column(String(100))
    arb_id: Mapped[str | None] = mapped_column(String(100), index=True)
    arb_status: Mapped[str | None] = mapped_column(String(100))
    poa_id: Mapped[str | None] = mapped_column(String(100), index=True)
    poa_status: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[date | None] = mapped_column(Date)
    crediting_period_start: Mapped[date | None] = mapped_column(Date)
    crediting_period_end: Mapped[date | None] = mapped_column(Date)
    crediting_period_renewals: Mapped[int | None] = mapped_column(Integer)
    certifications: Mapped[str | None] = mapped_column(Text)
    registry_notes: Mapped[str | None] = mapped_column(Text)
    berkeley_notes: Mapped[str | None] = mapped_column(Text)
    date_added: Mapped[date | None] = mapped_column(Date)
    # Data-quality flags a page shows (retired above issued as the source says, text repaired, ...).
    flags: Mapped[dict] = mapped_column(JSONType, default=dict)
    source: Mapped[str] = mapped_column(String(16))
    provenance: Mapped[dict] = mapped_column(JSONType, default=dict)
    # Lower-cased, accent-folded name, id variants, developer and methodology:
    # what text search matches against (see app/text_search.py).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Community projects only.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str | None] = mapped_column(String(16), index=True)
    registered_project_id: Mapped[str | None] = mapped_column(String(64))
    expected_annual_credits: Mapped[int | None] = mapped_column(BigInteger)
    expected_first_vintage: Mapped[int | None] = mapped_column(Integer)

    owner: Mapped[UserAccount | None] = relationship(back_populates="projects")
    credits: Mapped[list[Credit]] = relationship(
        back_populates="project", passive_deletes=True, order_by="Credit.id"
    )

    @property
    def remaining(self) -> int:
        return (self.issued or 0) - (self.retired or 0)

    @property
    def is_community(self) -> bool:
        return self.registry == COMMUNITY

    def __repr__(self) -> str:
        return f"<Project {self.project_id}>"


# What a credit search matches: the harmonised beneficiary and the record's five text fields.
# Each column's distinct values are listed in credit_search_value (see app/credits/search.py).
SEARCHED_CREDIT_COLUMNS = (
    "beneficiary_key",
    "beneficiary",
    "reason",
    "note",
    "account",
    "cancellation_reason",
)
# Free-text columns are found by the md5 of their value: a btree on the text itself would
# refuse a note longer than a page. The harmonised key and the raw beneficiary (but for
# the rare long one) have covering indexes of their own (below).
DIGESTED_CREDIT_COLUMNS = SEARCHED_CREDIT_COLUMNS[1:]
# What a name search reads of each matching record (its figures, facets and first page's
# order) and filters on, and what a beneficiary's page sums (by year, project and reason):
# carried by the key and beneficiary indexes, so a big name's thousands of records,
# scattered over as many table pages, come from the index alone.
SEARCH_COVERED_COLUMNS = (
    "id",
    "project_id",
    "kind",
    "vintage",
    "year",
    "transaction_date",
    "quantity",
    "reason_category",
)
# A beneficiary up to this many bytes is indexed as text with the covered columns and its
# key (a btree entry must fit in a third of a page: ~2,700 bytes); a longer one by digest.
INDEXED_BENEFICIARY_BYTES = 1000
SHORT_BENEFICIARY = f"octet_length(beneficiary) <= {INDEXED_BENEFICIARY_BYTES}"
LONG_BENEFICIARY = f"octet_length(beneficiary) > {INDEXED_BENEFICIARY_BYTES}"


# What counts as "retired for a beneficiary" everywhere (pages, summary).
RETIRED_KINDS = ("retirement", "cancellation")


def _digest_indexes() -> tuple:
    return tuple(
        Index(
            f"ix_credit_{name}_md5",
            literal_column(f"md5({name})"),
            postgresql_where=text(LONG_BENEFICIARY) if name == "beneficiary" else None,
        ).ddl_if(dialect="postgresql")
        for name in DIGESTED_CREDIT_COLUMNS
    )


def _search_covering_indexes() -> tuple:
    """The harmonised key's index and the raw beneficiary's, carrying what a search reads
    (on PostgreSQL; SQLite has no INCLUDE, and no limit on an entry's size)."""
    return (
        Index(
            "ix_credit_beneficiary_key",
            "beneficiary_key",
            postgresql_include=list(SEARCH_COVERED_COLUMNS),
            postgresql_where=text("beneficiary_key IS NOT NULL"),
        ),
        Index(
            "ix_credit_beneficiary",
            "beneficiary",
            postgresql_include=[*SEARCH_COVERED_COLUMNS, "beneficiary_key"],
            postgresql_where=text(SHORT_BENEFICIARY),
        ),
    )


class Credit(db.Model):
    """One credit record: an OffsetsDB transaction, or a yearly figure from VROD."""

    __tablename__ = "credit"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CREDIT_KINDS), name="kind"),
        Index("ix_credit_project_year", "project_id", "year"),
        Index("ix_credit_year_kind", "year", "kind"),
        Index("ix_credit_vintage_kind", "vintage", "kind"),
        Index("ix_credit_transaction_date_id", "transaction_date", "id"),
        Index("ix_credit_quantity_id", "quantity", "id"),
        *_digest_indexes(),
        *_search_covering_indexes(),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    vintage: Mapped[int | None] = mapped_column(Integer)
    transaction_date: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))
    serial_range: Mapped[str | None] = mapped_column(Text)
    beneficiary: Mapped[str | None] = mapped_column(Text)
    # The harmonised beneficiary name (case, punctuation, legal suffixes folded).
    beneficiary_key: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)
    reason_category: Mapped[str | None] = mapped_column(String(32), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(Text)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="credits")


class CreditSearchValue(db.Model):
    """One distinct value of a searched credit column, folded for matching.

    A trigram index over a few hundred thousand distinct values finds what a typed word
    matches; the credit rows holding those values are then found by index. Indexing the
    million credit rows' text itself would cost every load a minute or more. Kept equal to
    the credit table's values by every load (app/etl/credit_fields.py).
    """

    __tablename__ = "credit_search_value"
    __table_args__ = (
        Index(
            "ix_credit_search_value_folded_trgm",
            "folded",
            postgresql_using="gin",
            postgresql_ops={"folded": "gin_trgm_ops"},
        ),
        Index("ix_credit_search_value_column", "column"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    column: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(Text)


BENEFICIARY_DECISIONS = ("confirmed", "rejected")


class BeneficiaryAlias(db.Model):
    """An admin's decision on a suggested merge of two harmonised beneficiary names.

    Confirmed: credits whose name harmonises to ``alias_key`` count under ``canonical_key``
    (the raw text stays as the registry wrote it). Rejected: never suggested again.
    """

    __tablename__ = "beneficiary_alias"
    __table_args__ = (
        CheckConstraint(_one_of("status", BENEFICIARY_DECISIONS), name="status"),
        UniqueConstraint("alias_key", "canonical_key", name="uq_beneficiary_alias_pair"),
        # A name merges into one other name at most.
        Index(
            "uq_beneficiary_alias_confirmed",
            "alias_key",
            unique=True,
            postgresql_where=text("status = 'confirmed'"),
            sqlite_where=text("status = 'confirmed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alias_key: Mapped[str] = mapped_column(String(300))
    canonical_key: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class BeneficiarySummary(db.Model):
    """One row per harmonised beneficiary: what /beneficiaries lists and each page heads with.

    Derived from the credit rows (retirements and cancellations with a beneficiary key),
    rebuilt with the other derived credit fields in every load's transaction and for the two
    names of an admin's merge (app/etl/beneficiary_summary.py): always the sum of the rows
    users see.
    """

    __tablename__ = "beneficiary_summary"
    __table_args__ = (
        Index("ix_beneficiary_summary_quantity_key", "quantity", "key"),
        Index(
            "ix_beneficiary_summary_key_trgm",
            "key",
            postgresql_using="gin",
            postgresql_ops={"key": "gin_trgm_ops"},
        ),
    )

    # The harmonised key, also the page's slug.
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    # The spelling most of its records carry (app/etl/beneficiaries.py display_rank).
    name: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[int] = mapped_column(Integer)
    projects: Mapped[int] = mapped_column(Integer)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    # The most used raw spellings, [[text, records], ...], most used first.
    spellings: Mapped[list] = mapped_column(JSONType)


YEARLY_BLOCKS = ("issued_by_vintage", "issued_by_year", "retired_by_year", "remaining_by_vintage")


class ProjectYearlyFigure(db.Model):
    """One cell of a source's yearly blocks (VROD's four): what the charts' views read.

    `year` is a vintage or a calendar year as the block says; null is VROD's "Year Unknown".
    """

    __tablename__ = "project_yearly_figure"
    __table_args__ = (
        CheckConstraint(_one_of("block", YEARLY_BLOCKS), name="block"),
        Index("ix_project_yearly_figure_project_block", "project_id", "block", "year"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    block: Mapped[str] = mapped_column(String(32))
    year: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))


LABEL_KINDS = ("ccp", "corsia", "article6", "corresponding_adjustment", "ccb", "sdg", "other")


class Label(db.Model):
    """A quality label a source gives a project, or some of its credits (a vintage, a batch).

    ``value`` is the normalised label (app/etl/labels.py maps a source's words to it);
    ``raw_text`` keeps the source's own words. A project-level label has no ``vintage``; a
    credit-level one names the vintage and how many credits carry it (not one credit row:
    a sync replaces those, with new ids).
    """

    __tablename__ = "label"
    __table_args__ = (
        CheckConstraint(_one_of("kind", LABEL_KINDS), name="kind"),
        Index("ix_label_kind_value_project", "kind", "value", "project_id"),
        Index("ix_label_project", "project_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(32))
    raw_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date | None] = mapped_column(Date)
    vintage: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int | None] = mapped_column(BigInteger)


# A label kind's bit in label_coverage.kinds.
LABEL_KIND_BITS = {kind: 1 << index for index, kind in enumerate(LABEL_KINDS)}
# label_coverage's vintage for a project's own labels, which cover every vintage.
EVERY_VINTAGE = 0


class LabelCoverage(db.Model):
    """Which label kinds cover a project's credits of one vintage: a bitmask of
    LABEL_KIND_BITS, one row per project and labelled vintage, and one (EVERY_VINTAGE) for
    its project-level labels.

    What the credit search reads to tell which records carry a label: the label rows of a
    (project, vintage) fold into one row, so a search's few thousand records meet a few
    thousand rows, not every value and source of every label. Refreshed wherever labels
    are written (refresh_label_coverage).
    """

    __tablename__ = "label_coverage"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    vintage: Mapped[int] = mapped_column(Integer, primary_key=True)
    kinds: Mapped[int] = mapped_column(Integer)


def refresh_label_coverage(connection, project_keys: list[int] | None = None) -> None:
    """Recompute label_coverage from label for these projects (by key; every project when
    None), inside the caller's transaction."""
    table = LabelCoverage.__table__
    vintage = func.coalesce(Label.vintage, EVERY_VINTAGE)
    # The distinct kinds' bits summed: their OR (each kind one bit), in SQLite too.
    bits = case(*((Label.kind == kind, bit) for kind, bit in LABEL_KIND_BITS.items()), else_=0)
    rows = select(Label.project_id, vintage, func.sum(bits.distinct())).group_by(
        Label.project_id, vintage
    )
    if project_keys is None:
        connection.execute(table.delete())
        connection.execute(table.insert().from_select(["project_id", "vintage", "kinds"], rows))
        return
    for start in range(0, len(project_keys), 500):  # SQLite's limit on bound parameters
        chunk = project_keys[start : start + 500]
        connection.execute(table.delete().where(table.c.project_id.in_(chunk)))
        connection.execute(
            table.insert().from_select(
                ["project_id", "vintage", "kinds"], rows.where(Label.project_id.in_(chunk))
            )
        )


LINK_KINDS = ("stated", "shared_arb_id", "shared_poa_id", "confirmed", "suggested")
LINK_REVIEW_STATES = ("suggested", "confirmed", "rejected")


class ProjectLink(TimestampMixin, db.Model):
    """Two project records that are one project in several registries (or programmes).

    The pair is stored once, lower primary key first. ``kind`` says how the link is known;
    ``review_state`` whether it counts: only confirmed links de-duplicate totals, and a
    rejected pair is kept so the matcher never suggests it again.
    """

    __tablename__ = "project_link"
    __table_args__ = (
        CheckConstraint("project_a_id < project_b_id", name="ordered_pair"),
        CheckConstraint(_one_of("kind", LINK_KINDS), name="kind"),
        CheckConstraint(_one_of("review_state", LINK_REVIEW_STATES), name="review_state"),
        UniqueConstraint("project_a_id", "project_b_id", name="uq_project_link_pair"),
        Index("ix_project_link_project_b", "project_b_id"),
        Index("ix_project_link_review_score", "review_state", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_a_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    project_b_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    review_state: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    # Which fields matched and how well, the ids shared, the registry's words.
    evidence: Mapped[dict] = mapped_column(JSONType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    project_a: Mapped[Project] = relationship(foreign_keys=[project_a_id])
    project_b: Mapped[Project] = relationship(foreign_keys=[project_b_id])
    reviewer: Mapped[UserAccount | None] = relationship()

    def other(self, project_pk: int) -> Project:
        return self.project_b if self.project_a_id == project_pk else self.project_a


class SourceState(db.Model):
    """Per source (a registry's adapter, OffsetsDB, VROD): its last good data and last failure."""

    __tablename__ = "source_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), unique=True)
    as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id", ondelete="SET NULL"))
    counts: Mapped[dict | None] = mapped_column(JSONType)
    # Where an incremental fetch resumes (an endpoint's last event date or id).
    cursor: Mapped[dict | None] = mapped_column(JSONType)


class CreditSummary(db.Model):
    """Credit totals per registry, country, scope, year, vintage, kind and reason category.

    What the statistics read: a million credit rows fold into a few tens of thousands.
    Every sync rebuilds it in its load transaction (rebuild_credit_summary), so it is
    always exactly the sum of the credit rows users see.
    """

    __tablename__ = "credit_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    vintage: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    # Retirements and cancellations only: the statistics' split by reason.
    reason_category: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(BigInteger)
    credit_rows: Mapped[int] = mapped_column(Integer)


class ProjectYearTotal(db.Model):
    """Credits issued and retired per project and transaction year.

    What the catalogue's overview chart sums for any filtered set of projects: a project's
    many credit rows fold into one row a year, so the chart joins a few rows per project
    instead of every credit record. Rebuilt with credit_summary (rebuild_credit_summary).
    """

    __tablename__ = "project_year_total"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued: Mapped[int] = mapped_column(BigInteger)
    retired: Mapped[int] = mapped_column(BigInteger)


def _rebuild_project_year_totals(connection) -> None:
    retired_kinds = ("retirement", "cancellation")
    issued = func.sum(case((Credit.kind == "issuance", Credit.quantity), else_=0))
    retired = func.sum(case((Credit.kind.in_(retired_kinds), Credit.quantity), else_=0))
    totals = (
        select(Credit.project_id, Credit.year, issued, retired)
        .where(Credit.year.is_not(None), Credit.kind.in_(("issuance", *retired_kinds)))
        .group_by(Credit.project_id, Credit.year)
    )
    table = ProjectYearTotal.__table__
    connection.execute(table.delete())
    connection.execute(
        table.insert().from_select(["project_id", "year", "issued", "retired"], totals)
    )


def rebuild_credit_summary(connection) -> None:
    """Recompute credit_summary and project_year_total from credit and project, inside the
    caller's transaction."""
    _rebuild_project_year_totals(connection)
    summary = CreditSummary.__table__
    groups = (
        Project.registry,
        Project.country,
        Project.scope,
        Credit.year,
        Credit.vintage,
        Credit.kind,
        Credit.reason_category,
    )
    totals = (
        select(*groups, func.sum(Credit.quantity), func.count())
        .join(Project, Project.id == Credit.project_id)
        .where(Project.registry != COMMUNITY)
        .group_by(*groups)
    )
    connection.execute(summary.delete())
    connection.execute(
        summary.insert().from_select(
            [
                "registry",
                "country",
                "scope",
                "year",
                "vintage",
                "kind",
                "reason_category",
                "quantity",
                "credit_rows",
            ],
            totals,
        )
    )


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_account_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    project: Mapped[Project] = relationship()
    author: Mapped[UserAccount] = relationship()


class Support(db.Model):
    """One user's support for one community project: the database keeps it to one."""

    __tablename__ = "support"
    __table_args__ = (
        UniqueConstraint("project_id", "user_account_id", name="uq_support_project_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_account_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


news_mention = Table(
    "news_mention",
    db.metadata,
    Column("news_item_id", ForeignKey("news_item.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_news_mention_project_id", "project_id"),
)


class NewsFeed(db.Model):
    """A feed we read, with what its last fetch said (errors, conditional-request tags)."""

    __tablename__ = "news_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class NewsItem(db.Model):
    __tablename__ = "news_item"
    __table_args__ = (Index("ix_news_item_published", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link: Mapped[str] = mapped_column(String(2000), unique=True)
    guid: Mapped[str | None] = mapped_column(String(2000), unique=True)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("news_feed.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    projects: Mapped[list[Project]] = relationship(secondary=news_mention)


class SyncRun(db.Model):
    """One run of the download-and-merge; a row can be queued by plain SQL."""

    __tablename__ = "sync_run"
    __table_args__ = (
        CheckConstraint(_one_of("status", SYNC_STATUSES), name="status"),
        Index("ix_sync_run_status_finished", "status", "finished_at"),
        # Two admins pressing "resync" together queue one run, not two.
        Index(
            "uq_sync_run_one_queued",
            "status",
            unique=True,
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), server_default="queued")
    step: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[dict | None] = mapped_column(JSONType)
    trigger: Mapped[str] = mapped_column(String(16), server_default="cli")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    source_dir: Mapped[str | None] = mapped_column(Text)
    # Only these registries' adapters ('verra,car'), laid over the stored merge; None: all.
    registries: Mapped[str | None] = mapped_column(String(200))
    # Fetch every registry whole and check it against its own totals (no daily delta).
    reconcile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(200))
    projects_added: Mapped[int | None] = mapped_column(Integer)
    projects_updated: Mapped[int | None] = mapped_column(Integer)
    projects_unchanged: Mapped[int | None] = mapped_column(Integer)
    projects_removed: Mapped[int | None] = mapped_column(Integer)
    credit_rows: Mapped[int | None] = mapped_column(Integer)
    step_timings: Mapped[dict | None] = mapped_column(JSONType)
    checksums: Mapped[dict | None] = mapped_column(JSONType)
    report: Mapped[dict | None] = mapped_column(JSONType)
    message: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[UserAccount | None] = relationship()


CHANGE_KINDS = (
    "added",
    "removed",
    "status",
    "field",
    "issuance",
    "retirement",
    "cancellation",
    "label_gained",
    "label_lost",
    "first_load",
)
FOLLOW_KINDS = ("project", "search", "beneficiary")
DIGEST_FREQUENCIES = ("off", "daily", "weekly")
DIGEST_STATES = ("pending", "sending", "sent", "unconfirmed")


CHANGE_FACET_COLUMNS = ("registry", "country", "project_type", "kind")


def _change_facet_index(*keys: str) -> Index:
    """An index on ``keys`` then ``id`` (newest first) that carries the other facet columns
    too (PostgreSQL's INCLUDE): a search's facet counts, over its newest matching changes,
    read the index alone, never the scattered table rows."""
    return Index(
        f"ix_project_change_{'_'.join(keys)}_id",
        *keys,
        "id",
        postgresql_include=[name for name in CHANGE_FACET_COLUMNS if name not in keys],
    )


class ProjectChange(db.Model):
    """One thing a sync found changed about one project (or, for ``first_load``, a source).

    The project is kept by its canonical id, with its registry, country and type as they
    were, so the change log outlives a removed project and filters without a join.
    Newest first is ``id`` descending: ids grow with every sync.
    """

    __tablename__ = "project_change"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CHANGE_KINDS), name="kind"),
        Index("ix_project_change_project_id_id", "project_id", "id"),
        _change_facet_index("kind"),
        _change_facet_index("registry"),
        _change_facet_index("country"),
        _change_facet_index("project_type"),
        # The searches people combine most: a kind of change in a country or a registry.
        _change_facet_index("country", "kind"),
        _change_facet_index("registry", "kind"),
        _change_facet_index("registry", "country"),
        _change_facet_index("beneficiary_key"),
        # A date range becomes an id range: the first (or last) change of a day, in one step.
        Index("ix_project_change_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sync_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("sync_run.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[str | None] = mapped_column(String(64))
    project_name: Mapped[str | None] = mapped_column(Text)
    registry: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(100))
    project_type: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    vintage: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    beneficiary: Mapped[str | None] = mapped_column(Text)
    beneficiary_key: Mapped[str | None] = mapped_column(String(300))
    as_of: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class Follow(db.Model):
    """A user follows a project (by id), a search (its canonical URL) or a beneficiary (key)."""

    __tablename__ = "follow"
    __table_args__ = (
        CheckConstraint(_one_of("target_kind", FOLLOW_KINDS), name="target_kind"),
        UniqueConstraint("user_account_id", "target_kind", "target", name="uq_follow_target"),
        Index("ix_follow_kind_target", "target_kind", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class FollowerSetting(db.Model):
    """A follower's digest choice and how far they have seen the change log.

    ``seen_change_id``: the newest change shown on their account page at their last visit;
    ``digest_change_id``: the newest change a digest (sent or claimed) has covered.
    """

    __tablename__ = "follower_setting"
    __table_args__ = (
        CheckConstraint(_one_of("digest_frequency", DIGEST_FREQUENCIES), name="digest_frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_account_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    digest_frequency: Mapped[str] = mapped_column(
        String(8), default="weekly", server_default="weekly"
    )
    seen_change_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    digest_change_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DigestOutbox(db.Model):
    """One digest email: claimed (with its Message-ID and change range) before it is sent.

    ``pending`` is claimed but not yet handed to SMTP (safe to send again); ``sending``
    is committed just before the SMTP transaction; ``sent`` after it. A ``sending`` row
    left by a dead worker is never sent again (``unconfirmed``): the message may have left.
    """

    __tablename__ = "digest_outbox"
    __table_args__ = (
        CheckConstraint(_one_of("state", DIGEST_STATES), name="state"),
        UniqueConstraint("user_account_id", "last_change_id", name="uq_digest_outbox_range"),
        Index("ix_digest_outbox_state", "state"),
        # Each follower's last digest, for the run that finds who is due.
        Index("ix_digest_outbox_user_account_id_created_at", "user_account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(8))
    first_change_id: Mapped[int] = mapped_column(BigInteger)
    last_change_id: Mapped[int] = mapped_column(BigInteger)
    change_count: Mapped[int] = mapped_column(Integer)
    # The changes it tells, fixed at the claim: a resend after a crash says the same.
    change_ids: Mapped[list] = mapped_column(JSONType, default=list)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataVersion(db.Model):
    """One row whose number changes whenever what users see of the catalogue changes.

    A sync bumps it inside its own transaction, community edits bump it too, and
    cache keys include it, so every web worker sees fresh data at once.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), onupdate=utcnow
    )
    # The version project_facet_group was rebuilt for: the search reads it only when equal.
    facet_groups_version: Mapped[int | None] = mapped_column(Integer)


class ProjectFacetGroup(db.Model):
    """The projects grouped by every column a catalogue facet counts or filters on.

    A search without text, ranges or label filters counts its facets and totals here:
    the bench's 12,060 projects fold into ~2,700 groups. Rebuilt with every bump of the
    data version (rebuild_project_facet_groups), so it always matches the project rows.
    """

    __tablename__ = "project_facet_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry: Mapped[str] = mapped_column(String(16))
    status_group: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(String(100))
    project_type: Mapped[str | None] = mapped_column(String(200))
    reduction_removal: Mapped[str | None] = mapped_column(String(32))
    methodology: Mapped[str | None] = mapped_column(String(500))
    verifier: Mapped[str | None] = mapped_column(String(300))
    crediting_period_end: Mapped[date | None] = mapped_column(Date)
    # Whether the projects have a confirmed link to a record in another registry.
    listed: Mapped[bool] = mapped_column(Boolean)
    projects: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(BigInteger)
    retired: Mapped[int] = mapped_column(BigInteger)


FACET_GROUP_COLUMNS = (
    "registry",
    "status_group",
    "country",
    "state",
    "scope",
    "project_type",
    "reduction_removal",
    "methodology",
    "verifier",
    "crediting_period_end",
)


def rebuild_project_facet_groups(target) -> None:
    """Recompute project_facet_group from project and project_link, inside the caller's
    transaction (a connection or the session); the caller stamps the data version."""
    confirmed = ProjectLink.review_state == "confirmed"
    linked = union(
        select(ProjectLink.project_a_id).where(confirmed),
        select(ProjectLink.project_b_id).where(confirmed),
    )
    listed = case((Project.id.in_(linked), True), else_=False)
    grouped = [getattr(Project, name) for name in FACET_GROUP_COLUMNS]
    groups = select(
        *grouped,
        listed,
        func.count(),
        func.coalesce(func.sum(Project.issued), 0),
        func.coalesce(func.sum(Project.retired), 0),
    ).group_by(*grouped, listed)
    table = ProjectFacetGroup.__table__
    target.execute(table.delete())
    target.execute(
        table.insert().from_select(
            [*FACET_GROUP_COLUMNS, "listed", "projects", "issued", "retired"], groups
        )
    )


def refresh_project_facet_groups(target) -> None:
    """Rebuild project_facet_group for the data version as it stands (no bump), inside the
    caller's transaction (a connection or the session)."""
    rebuild_project_facet_groups(target)
    target.execute(
        DataVersion.__table__.update()
        .where(DataVersion.id == 1)
        .values(facet_groups_version=DataVersion.version)
    )


# How names sort: without the quotes and asterisks registries put in front of some,
# and without regard to case. The index below serves exactly this expression.
SORT_NAME = func.lower(func.ltrim(Project.name, literal_column("' \"''*'")))
Index("ix_project_sort_name_id", SORT_NAME, Project.id)


_VERSION_IN_REQUEST = "carbonscope.data_version"
# A request that bumped the version reads it from its own transaction from then on.
_BUMPED_IN_REQUEST = "carbonscope.data_version_bumped"
# Requests read the version from the shared cache, so a warm page asks the database nothing.
# A bump forgets the cached number once its transaction has ended (_forget_bumped_version);
# the short lifetime bounds the one race left (a reader that read the database just before
# the commit and stores that number just after the bump forgot it).
VERSION_CACHE_KEY = "catalog:data-version"
VERSION_CACHE_SECONDS = 2
_BUMPED_ON_CONNECTION = "carbonscope.bumped_data_version"


def _read_data_version() -> int:
    version = db.session.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar()
    return version or 0


def current_data_version() -> int:
    """The catalogue's version number: part of every cache key for catalogue data.

    Read once per request (a page asks for it for each cached piece), through the shared
    cache; afresh from the database outside a request and after a bump in this request.
    """
    if not has_request_context():
        return _read_data_version()
    if _VERSION_IN_REQUEST in request.environ:
        return request.environ[_VERSION_IN_REQUEST]
    if request.environ.get(_BUMPED_IN_REQUEST):
        version = _read_data_version()
    else:
        version = _shared_data_version()
    request.environ[_VERSION_IN_REQUEST] = version
    return version


def _shared_data_version() -> int:
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        version = _read_data_version()
        # add, not set: the first reader's number stands; a bump deletes it, never writes one.
        cache.add(VERSION_CACHE_KEY, version, timeout=VERSION_CACHE_SECONDS)
    return version


def bump_data_version(connection=None) -> None:
    """Mark the catalogue changed, inside the caller's transaction (session or connection)."""
    target = connection if connection is not None else db.session
    if connection is None:
        db.session.flush()  # the changes this bump announces, for the facet groups to see
    updated = target.execute(
        DataVersion.__table__.update()
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=utcnow())
    )
    if updated.rowcount == 0:
        target.execute(DataVersion.__table__.insert().values(id=1, version=1, changed_at=utcnow()))
    # After the update, whose row lock holds a concurrent bump back until this transaction
    # ends: two rebuilds at once would each keep the rows the other inserted.
    refresh_project_facet_groups(target)
    # The pool record's info: read back when the connection is checked in (a session's too).
    bound = target if isinstance(target, Connection) else target.connection()
    bound.info[_BUMPED_ON_CONNECTION] = True
    if has_request_context():  # what this request renders next is of the new version
        request.environ.pop(_VERSION_IN_REQUEST, None)
        request.environ[_BUMPED_IN_REQUEST] = True


@event.listens_for(Pool, "checkin")
def _forget_bumped_version(dbapi_connection, connection_record) -> None:
    """A connection that bumped the version is back in the pool: its transaction has ended
    (committed or rolled back), so the next reader takes the number from the database."""
    if connection_record is None or not connection_record.info.pop(_BUMPED_ON_CONNECTION, False):
        return
    if not has_app_context():
        return  # no cache to reach: the cached number lives VERSION_CACHE_SECONDS at most
    cache.delete(VERSION_CACHE_KEY)


@event.listens_for(db.metadata, "before_create")
def _enable_trigram_search(target, connection, **kw) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets readers and a sync overlap."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
