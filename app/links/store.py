"""Keep project_link in step with the catalogue: the matcher's finds and the known pairs.

Runs after each sync (on the projects it changed) and as ``flask --app wsgi match-projects``
(on everything). What an admin decided is never undone: a confirmed link stays, and a
rejected pair is kept as rejected, so the matcher never suggests it again.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import pandas as pd
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, select, update

from app.etl import identity
from app.extensions import db
from app.models import COMMUNITY, Project, ProjectLink, bump_data_version, utcnow

log = logging.getLogger(__name__)

KNOWN_PAIRS = Path(__file__).with_name("known_pairs.csv")
# How each kind enters the table: ids and public statements count at once, guesses wait.
FIRST_STATE = {
    "stated": "confirmed",
    "shared_arb_id": "confirmed",
    "shared_poa_id": "suggested",
    "suggested": "suggested",
}


@dataclass
class RefreshCounts:
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept_reviewed: int = 0


def projects_frame() -> pd.DataFrame:
    """Every registry project, with the columns the matcher reads."""
    columns = [getattr(Project, name) for name in identity.COLUMNS]
    rows = db.session.execute(select(*columns).where(Project.registry != COMMUNITY)).all()
    return pd.DataFrame(rows, columns=list(identity.COLUMNS))


def known_pairs(projects: pd.DataFrame, path: Path = KNOWN_PAIRS) -> pd.DataFrame:
    """The documented pairs that public sources state, as links (unknown ids are skipped)."""
    key_of = dict(zip(projects[identity.PROJECT_ID], projects[identity.ID], strict=True))
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for pair in csv.DictReader(handle):
            a, b = key_of.get(pair["project_a"]), key_of.get(pair["project_b"])
            if a is not None and b is not None and a != b:
                low, high = sorted((a, b))
                evidence = {"stated_by": pair["source"]}
                rows.append(
                    {
                        "project_a": low,
                        "project_b": high,
                        "kind": "stated",
                        "score": 1.0,
                        "evidence": evidence,
                    }
                )
    return pd.DataFrame(rows, columns=list(identity.PAIR_COLUMNS))


def refresh_links(
    changed_since: datetime | None = None,
    threshold: float | None = None,
    only_ids: set[int] | None = None,
):
    """Match the catalogue and store what is new; returns RefreshCounts. Commits.

    ``changed_since``: only pairs with a project added or updated since then are looked at
    (a sync's start); ``only_ids``: only pairs with one of these projects; without either
    every pair is. Waiting suggestions among the pairs looked at that are no longer found
    are dropped.
    """
    threshold = threshold if threshold is not None else current_app.config["LINK_THRESHOLD"]
    projects = projects_frame()
    if changed_since is not None:
        changed = db.session.scalars(
            select(Project.id).where(Project.updated_at >= changed_since)
        ).all()
        only_ids = set(changed)
    found = pd.concat(
        [known_pairs(projects), identity.find_links(projects, threshold, only_ids)]
    ).drop_duplicates(["project_a", "project_b"], keep="first")
    counts = _store(found, only_ids)
    if counts.added or counts.updated or counts.removed:  # pages show links: make them fresh
        bump_data_version()
    db.session.commit()
    return counts


def _store(found: pd.DataFrame, only_ids: set | None) -> RefreshCounts:
    """Add new pairs, refresh waiting suggestions, leave reviewed links alone; drop the
    waiting suggestions no longer found (among the pairs looked at: all, or ``only_ids``').

    Rows, not ORM objects: a catalogue has tens of thousands of links, most of them
    confirmed and left alone (building an object each took a sync a second)."""
    counts = RefreshCounts()
    table = ProjectLink.__table__
    existing = {
        (row.project_a_id, row.project_b_id): row
        for row in db.session.execute(
            select(
                table.c.id, table.c.project_a_id, table.c.project_b_id, table.c.kind
            ).add_columns(table.c.review_state, table.c.score, table.c.evidence)
        )
    }
    now = utcnow()
    added, refreshed = [], []
    for pair in found.to_dict("records"):
        key = (int(pair["project_a"]), int(pair["project_b"]))
        link = existing.get(key)
        fresh = {
            "kind": pair["kind"],
            "review_state": FIRST_STATE[pair["kind"]],
            "score": float(pair["score"]),
            "evidence": pair["evidence"],
        }
        if link is None:
            added.append(
                {"project_a_id": key[0], "project_b_id": key[1], **fresh}
                | {"created_at": now, "updated_at": now}
            )
        elif link.review_state == "suggested":
            if (link.kind, link.review_state, link.score, link.evidence) != tuple(fresh.values()):
                refreshed.append({"id": link.id, **fresh, "updated_at": now})
        else:
            counts.kept_reviewed += 1
    if added:
        db.session.execute(insert(ProjectLink), added)
    if refreshed:
        db.session.execute(update(ProjectLink), refreshed)
    counts.added, counts.updated = len(added), len(refreshed)
    found_keys = {
        (int(a), int(b)) for a, b in zip(found["project_a"], found["project_b"], strict=True)
    }
    stale = [
        link.id
        for key, link in existing.items()
        if link.review_state == "suggested"
        and key not in found_keys
        and (only_ids is None or key[0] in only_ids or key[1] in only_ids)
    ]
    if stale:
        db.session.execute(delete(ProjectLink).where(ProjectLink.id.in_(stale)))
    counts.removed = len(stale)
    return counts


@click.command("match-projects")
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Score a suggestion needs (default LINK_THRESHOLD).",
)
@with_appcontext
def match_projects_command(threshold: float | None) -> None:
    """Find records that are one project in several registries; store them for review."""
    started = utcnow()
    counts = refresh_links(threshold=threshold)
    seconds = (utcnow() - started).total_seconds()
    click.echo(
        f"links: {counts.added} added, {counts.updated} updated, "
        f"{counts.removed} stale suggestions "
        f"removed, {counts.kept_reviewed} reviewed kept ({seconds:.1f} s)"
    )


def refresh_after_sync(run, relinkable: set[int] | None = None) -> None:
    """The sync's last step: link what it changed (``relinkable``: the projects added or
    with a matched field changed, when the load followed them; else every project it
    updated). A failure here is logged, never undoes the sync (its data is committed);
    the next sync or `match-projects` tries again."""
    started = time.perf_counter()
    try:
        if relinkable is None:
            counts = refresh_links(changed_since=run.started_at)
        elif relinkable:
            counts = refresh_links(only_ids=relinkable)
        else:  # nothing the matcher reads changed (a daily delta's new events)
            counts = RefreshCounts()
    except Exception:  # the sync's data is committed: a matcher fault must not fail it
        db.session.rollback()
        log.exception("sync run %s: linking projects failed", run.id)
        return
    run.step_timings = {
        **(run.step_timings or {}),
        "links": round(time.perf_counter() - started, 3),
    }
    db.session.commit()
    log.info("sync run %s: links %s", run.id, counts)
