"""The last successful sync: when it finished, and its data-quality report for the Data page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import SyncRun

SOURCE_LABELS = {
    "both": _l("Both sources"),
    "offsetsdb": _l("OffsetsDB only"),
    "vrod": _l("VROD only"),
    "registry": _l("A registry's own data only"),
}


@dataclass(frozen=True)
class SyncReport:
    """The parts of a sync run's ``report`` JSON the Data page shows, with safe defaults."""

    run_id: int
    finished_at: datetime | None
    projects_by_source: dict[str, int] = field(default_factory=dict)
    projects_by_registry: dict[str, int] = field(default_factory=dict)
    credit_rows_by_source: dict[str, int] = field(default_factory=dict)
    missing_values: dict[str, int] = field(default_factory=dict)
    distinct_values: dict[str, dict[str, int]] = field(default_factory=dict)
    rewritten_count: int = 0
    rewritten_examples: list[tuple[str, str]] = field(default_factory=list)
    invariant_violations: dict = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _from_run(run: SyncRun) -> SyncReport:
    report = _mapping(run.report)
    rewritten = _mapping(report.get("rewritten_ids"))
    examples = [
        (str(pair[0]), str(pair[1]))
        for pair in rewritten.get("examples") or []
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    distinct = {
        column: _mapping(values)
        for column, values in _mapping(report.get("distinct_values")).items()
    }
    return SyncReport(
        run_id=run.id,
        finished_at=run.finished_at,
        projects_by_source=_mapping(report.get("projects_by_source")),
        projects_by_registry=_mapping(report.get("projects_by_registry")),
        credit_rows_by_source=_mapping(report.get("credit_rows_by_source")),
        missing_values=_mapping(report.get("missing_values")),
        distinct_values=distinct,
        rewritten_count=int(rewritten.get("count") or 0),
        rewritten_examples=examples,
        invariant_violations=_mapping(report.get("invariant_violations")),
        inputs=_mapping(report.get("inputs")),
        warnings=[str(w) for w in report.get("warnings") or []],
    )


def last_successful_sync() -> SyncReport | None:
    """The most recently finished successful sync, or None when the data was never synced."""
    run = db.session.scalars(
        select(SyncRun)
        .where(SyncRun.status == "succeeded", SyncRun.finished_at.is_not(None))
        .order_by(SyncRun.finished_at.desc(), SyncRun.id.desc())
        .limit(1)
    ).first()
    return _from_run(run) if run else None


def last_synced_at() -> datetime | None:
    run = db.session.execute(
        select(SyncRun.finished_at)
        .where(SyncRun.status == "succeeded", SyncRun.finished_at.is_not(None))
        .order_by(SyncRun.finished_at.desc())
        .limit(1)
    ).scalar()
    return run
