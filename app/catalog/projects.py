"""One project's page: the project, where each field came from, its credits by year and records."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.catalog.multi_values import state_label
from app.catalog.search import cache_key
from app.etl.vocabulary.country import display_name
from app.extensions import cache, db
from app.models import Credit, Project
from app.text_search import canonical_project_id
from app.vocabulary_display import vocabulary_label

CREDITS_PER_PAGE = 25
SOURCE_LABELS = {
    "offsetsdb": "OffsetsDB",
    "vrod": "VROD",
    "both": "OffsetsDB + VROD",
    "community": _l("Community"),
    "registry": _l("The registry itself"),
}
# The project page's groups: (key, title, ((field, label, kind), ...)), in page order.
# Kinds say how a value shows: text, number, date, list (certifications), paragraphs (notes).
FIELD_GROUPS = (
    (
        "identity",
        _l("Identity"),
        (
            ("project_id", _l("Project ID"), "text"),
            ("name", _l("Name"), "text"),
            ("registry", _l("Registry"), "text"),
            ("status", _l("Status"), "text"),
            ("registry_project_type", _l("Project type at the registry"), "text"),
            ("scope", _l("Scope"), "text"),
            ("project_type", _l("Project type"), "text"),
            ("category", _l("Category"), "text"),
            ("poa_id", _l("PoA / aggregate id"), "text"),
            ("poa_status", _l("PoA / VPA status"), "text"),
            ("is_compliance", _l("Compliance (ARB / WA)"), "text"),
            ("arb_project", _l("ARB / WA project"), "text"),
            ("arb_id", _l("ARB / WA id"), "text"),
            ("arb_status", _l("ARB / WA status"), "text"),
            ("stage", _l("Stage"), "text"),
            ("registered_project_id", _l("Registry id"), "text"),
            ("expected_annual_credits", _l("Expected credits a year"), "number"),
            ("expected_first_vintage", _l("Expected first vintage"), "text"),
        ),
    ),
    (
        "location",
        _l("Location"),
        (
            ("country", _l("Country"), "text"),
            ("region", _l("Region"), "text"),
            ("state", _l("State / province"), "text"),
            ("site_location", _l("Site location"), "text"),
        ),
    ),
    (
        "methodology",
        _l("Methodology"),
        (
            ("methodology", _l("Methodology"), "text"),
            ("methodology_code", _l("Methodology code"), "text"),
            ("methodology_version", _l("Methodology version"), "text"),
            ("reduction_removal", _l("Reduction / removal"), "text"),
            ("estimated_annual_reductions", _l("Estimated annual emission reductions"), "number"),
        ),
    ),
    (
        "parties",
        _l("Parties"),
        (
            ("developer", _l("Developer"), "text"),
            ("project_owner", _l("Project owner"), "text"),
            ("operator", _l("Offset project operator"), "text"),
            ("designee", _l("Authorized project designee"), "text"),
            ("verifier", _l("Verifier"), "text"),
        ),
    ),
    (
        "dates",
        _l("Dates"),
        (
            ("listed_at", _l("Listed"), "date"),
            ("registered_at", _l("Registered"), "date"),
            ("crediting_period_start", _l("Crediting period from"), "date"),
            ("crediting_period_end", _l("Crediting period to"), "date"),
            ("crediting_period_renewals", _l("Crediting period renewals"), "number"),
            ("first_vintage", _l("First vintage"), "text"),
            ("last_vintage", _l("Last vintage"), "text"),
            ("date_added", _l("Added to the Berkeley database"), "date"),
        ),
    ),
    (
        "buffer",
        _l("Buffer and reversals"),
        (
            ("buffer_deposits", _l("Buffer pool deposits"), "number"),
            ("reversals_covered", _l("Reversals covered by the buffer pool"), "number"),
            ("reversals_not_covered", _l("Reversals not covered by the buffer"), "number"),
            ("buffer_released", _l("Buffer credits released to the project"), "number"),
        ),
    ),
    ("certifications", _l("Certifications"), (("certifications", _l("Certifications"), "list"),)),
    (
        "notes",
        _l("Notes"),
        (
            ("registry_notes", _l("From the registry"), "paragraphs"),
            ("berkeley_notes", _l("From the Berkeley Carbon Trading Project"), "paragraphs"),
        ),
    ),
)
_LINE_BREAKS = re.compile(r"\s*\n\s*")


@dataclass(frozen=True)
class DetailField:
    name: str
    label: str
    value: object
    source: str | None
    kind: str = "text"
    # Beside the value: the canonical status where the registry's label differs.
    note: str | None = None


@dataclass(frozen=True)
class FieldGroup:
    key: str
    title: str
    fields: list[DetailField]


@dataclass(frozen=True)
class YearlyCredits:
    years: list[int]
    issued: list[int]
    retired: list[int]


@dataclass(frozen=True)
class CreditPage:
    items: list[Credit]
    total: int
    page: int
    pages: int


def get_project(project_id: str) -> Project | None:
    """The project an id stands for: the canonical id ('GLD561') or any alias a user types
    ('GS561', 'gs-561', 'gld 561'). Callers compare ``project_id`` with the canonical one
    to redirect an alias."""
    if "\x00" in project_id or len(project_id) > 200:  # PostgreSQL refuses NUL in a query
        return None
    candidates = [project_id, canonical_project_id(project_id), project_id.upper()]
    for candidate in dict.fromkeys(c for c in candidates if c):
        found = db.session.execute(select(Project).where(Project.project_id == candidate)).scalar()
        if found is not None:
            return found
    return None


def source_label(source: str | None) -> str | None:
    return SOURCE_LABELS.get(source, source) if source else None


def paragraphs(text: str | None) -> list[str]:
    """A text's paragraphs: split on line breaks (blank lines or single ones), blanks dropped."""
    return [part for part in _LINE_BREAKS.split((text or "").strip()) if part]


def certification_names(raw: str | None) -> list[str]:
    """The named certifications in a source's text ('CCB-Gold; ICVCM CCP-Approved')."""
    return [part.strip() for part in re.split(r"[;\n]", raw or "") if part.strip()]


def country_name(code: str | None) -> str | None:
    """A stored ISO code's name, as the ETL's vocabulary writes it."""
    return display_name(code) if code else None


def status_note(project: Project) -> str | None:
    """The canonical status, where it says something the registry's own label does not."""
    canonical = project.status_canonical
    if canonical and (project.status or "").strip().casefold() != canonical.casefold():
        return vocabulary_label(canonical.replace("_", " ").capitalize())
    return None


def _display_value(project: Project, name: str, kind: str):
    value = getattr(project, name, None)
    if name == "stage" and str(value or "").lower() == str(project.status or "").lower():
        return None  # a community project's status says its stage already
    if name == "country" and not value:
        value = country_name(project.country_code)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name == "state":  # 'ARKANSAS; MISSISSIPPI' -> 'Arkansas; Mississippi'
        parts = (part.strip() for part in value.split(";"))
        return "; ".join(state_label(part) for part in parts if part) or None
    if name in ("category", "project_type", "status_canonical"):
        return vocabulary_label(value)
    if kind == "list":
        return certification_names(value) or None
    if kind == "paragraphs":
        return paragraphs(value) or None
    if kind == "date":
        return value.isoformat() if hasattr(value, "isoformat") else value
    return value


def field_groups(project: Project) -> list[FieldGroup]:
    """The page's groups of filled fields, each field with its source; empty groups left out."""
    provenance = project.provenance or {}
    groups = []
    for key, title, specs in FIELD_GROUPS:
        shown = []
        for name, label, kind in specs:
            value = _display_value(project, name, kind)
            if value is None:
                continue
            source = source_label(provenance.get(name) or project.source)
            note = status_note(project) if name == "status" else None
            shown.append(DetailField(name, label, value, source, kind, note))
        if shown:
            groups.append(FieldGroup(key, title, shown))
    return groups


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host; None for anything else (javascript:, data:...)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def query_yearly_credits(project_pk: int) -> YearlyCredits:
    rows = db.session.execute(
        select(Credit.year, Credit.kind, func.sum(Credit.quantity))
        .where(
            Credit.project_id == project_pk,
            Credit.year.is_not(None),
            Credit.kind.in_(("issuance", "retirement")),
        )
        .group_by(Credit.year, Credit.kind)
    ).all()
    if not rows:
        return YearlyCredits([], [], [])
    years = list(range(min(r[0] for r in rows), max(r[0] for r in rows) + 1))
    issued = dict.fromkeys(years, 0)
    retired = dict.fromkeys(years, 0)
    for year, kind, total in rows:
        (issued if kind == "issuance" else retired)[year] = int(total or 0)
    return YearlyCredits(years, [issued[y] for y in years], [retired[y] for y in years])


def yearly_credits(project: Project) -> YearlyCredits:
    """Credits issued and retired per year (every year from the first to the last), cached."""
    key = cache_key("yearly", str(project.id))
    value = cache.get(key)
    if value is None:
        value = query_yearly_credits(project.id)
        cache.set(key, value)
    return value


def credit_page(project: Project, page: int, per_page: int = CREDITS_PER_PAGE) -> CreditPage:
    """One page of the project's credit records, newest year first; a page past the end clamps."""
    total = db.session.execute(
        select(func.count()).select_from(Credit).where(Credit.project_id == project.id)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = (
        db.session.execute(
            select(Credit)
            .where(Credit.project_id == project.id)
            .order_by(
                Credit.year.desc().nulls_last(),
                Credit.transaction_date.desc().nulls_last(),
                Credit.id.desc(),
            )
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return CreditPage(items, total, page, pages)
