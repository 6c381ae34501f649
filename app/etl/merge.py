"""The merge: OffsetsDB is the base, VROD fills its gaps and adds its own projects.

Pure pandas. ``merge_projects`` and ``choose_credits`` make the catalogue;
``check_invariants`` and ``build_report`` describe it.
"""

from __future__ import annotations

import pandas as pd

from app.etl import columns as c
from app.etl.standardize import status_group
from app.text_search import build_search_text

# Fields taken as one set from the source whose credit rows the project uses.
TOTALS = (c.ISSUED, c.RETIRED)
FACETS = (
    c.REGISTRY,
    c.STATUS,
    c.STATUS_GROUP,
    c.SCOPE,
    c.PROJECT_TYPE,
    c.CATEGORY,
    c.COUNTRY,
    c.METHODOLOGY,
)


def empty_projects() -> pd.DataFrame:
    return pd.DataFrame(
        {name: pd.Series(dtype=object) for name in (c.PROJECT_ID, *c.PROJECT_FIELDS)}
    )


def empty_credits() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in c.CREDIT_COLUMNS})


def duplicate_ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame.loc[frame[c.PROJECT_ID].duplicated(), c.PROJECT_ID].unique().tolist())


def drop_duplicate_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per canonical id: the first one the source lists."""
    return frame.drop_duplicates(subset=[c.PROJECT_ID], keep="first")


def add_vintage_range(projects: pd.DataFrame, credits: pd.DataFrame) -> pd.DataFrame:
    """First and last vintage of each project's issuances, where its rows say."""
    issued = credits[(credits[c.KIND] == c.ISSUANCE) & credits[c.VINTAGE].notna()]
    vintages = issued.groupby(c.PROJECT_ID)[c.VINTAGE].agg(["min", "max"])
    ids = projects[c.PROJECT_ID]
    first = ids.map(vintages["min"]).astype("Int64")
    last = ids.map(vintages["max"]).astype("Int64")
    current_first = projects.get(c.FIRST_VINTAGE, pd.Series(pd.NA, index=projects.index))
    current_last = projects.get(c.LAST_VINTAGE, pd.Series(pd.NA, index=projects.index))
    return projects.assign(
        **{
            c.FIRST_VINTAGE: pd.Series(current_first, dtype="Int64").fillna(first),
            c.LAST_VINTAGE: pd.Series(current_last, dtype="Int64").fillna(last),
        }
    )


def drop_unknown_registries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame[c.REGISTRY].isin(c.REGISTRIES)]


def fill_from_vrod(offsetsdb: pd.DataFrame, vrod: pd.DataFrame) -> pd.DataFrame:
    """One row per project of either source: OffsetsDB's values, each empty field filled
    from VROD, VROD-only projects whole; ``provenance`` says which source gave each field
    and ``source`` which sources know the project."""
    off = offsetsdb.set_index(c.PROJECT_ID)
    vr = vrod.set_index(c.PROJECT_ID)
    ids = off.index.union(vr.index, sort=False)
    off, vr = off.reindex(ids), vr.reindex(ids)
    in_off = pd.Series(ids.isin(offsetsdb[c.PROJECT_ID]), index=ids)
    in_vrod = pd.Series(ids.isin(vrod[c.PROJECT_ID]), index=ids)
    merged = pd.DataFrame(index=ids)
    origin = pd.DataFrame(index=ids)
    for field in c.PROJECT_FIELDS:
        ours = off[field] if field in off.columns else pd.Series(pd.NA, index=ids, dtype=object)
        theirs = vr[field] if field in vr.columns else pd.Series(pd.NA, index=ids, dtype=object)
        use_ours = ours.notna()
        merged[field] = ours.astype(object).where(use_ours, theirs.astype(object))
        origin[field] = pd.Series(c.OFFSETSDB, index=ids).where(
            use_ours, pd.Series(c.VROD, index=ids).where(theirs.notna())
        )
    # A project's status group follows the status it shows, whichever source gave it.
    merged[c.STATUS_GROUP] = merged[c.STATUS].map(status_group)
    origin[c.STATUS_GROUP] = origin[c.STATUS]
    merged[c.SOURCE] = pd.Series(c.BOTH, index=ids).where(
        in_off & in_vrod, pd.Series(c.OFFSETSDB, index=ids).where(in_off, c.VROD)
    )
    merged = merged.reset_index(names=c.PROJECT_ID)
    merged.attrs["origin"] = origin.reset_index(drop=True)
    return merged


def choose_credits(
    projects: pd.DataFrame,
    offsetsdb_credits: pd.DataFrame,
    vrod_credits: pd.DataFrame,
    vrod_projects: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects with OffsetsDB transactions keep them; the others take VROD's yearly rows,
    and then their issued/retired totals come from VROD too, so totals match rows."""
    with_transactions = set(offsetsdb_credits[c.PROJECT_ID].unique())
    vrod_rows = vrod_credits[~vrod_credits[c.PROJECT_ID].isin(with_transactions)]
    credits = pd.concat(
        [frame for frame in (offsetsdb_credits, vrod_rows) if len(frame)] or [empty_credits()],
        ignore_index=True,
    )
    uses_vrod = projects[c.PROJECT_ID].isin(set(vrod_rows[c.PROJECT_ID].unique()))
    totals = vrod_projects.drop_duplicates(c.PROJECT_ID).set_index(c.PROJECT_ID)
    origin = projects.attrs.get("origin")
    projects = projects.copy()
    for field in TOTALS:
        from_vrod = projects[c.PROJECT_ID].map(totals[field]) if len(totals) else None
        if from_vrod is not None:
            projects[field] = projects[field].where(~uses_vrod, from_vrod)
            if origin is not None:
                origin[field] = origin[field].where(~uses_vrod.to_numpy(), c.VROD)
    projects.attrs["origin"] = origin
    return projects, credits


def finish_projects(projects: pd.DataFrame) -> pd.DataFrame:
    """Totals as whole numbers, the provenance map and the search text of every project."""
    origin = projects.attrs.get("origin")
    issued = pd.to_numeric(projects[c.ISSUED], errors="coerce").fillna(0).astype("int64")
    retired = pd.to_numeric(projects[c.RETIRED], errors="coerce").fillna(0).astype("int64")
    provenance = (
        [
            {field: source for field, source in row.items() if isinstance(source, str)}
            for row in origin.to_dict("records")
        ]
        if origin is not None
        else [{} for _ in range(len(projects))]
    )
    search = [
        build_search_text(pid, _text(name), _text(dev), _text(meth))
        for pid, name, dev, meth in zip(
            projects[c.PROJECT_ID],
            projects[c.NAME],
            projects[c.DEVELOPER],
            projects[c.METHODOLOGY],
            strict=True,
        )
    ]
    finished = projects.assign(
        **{c.ISSUED: issued, c.RETIRED: retired, c.PROVENANCE: provenance, c.SEARCH_TEXT: search}
    )
    finished.attrs = {}
    return finished[list(c.PROJECT_COLUMNS)]


def _text(value) -> str | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and value != value)
        else str(value)
    )


def orphan_credits(credits: pd.DataFrame, projects: pd.DataFrame) -> pd.Series:
    """Which credit rows belong to no project (a boolean mask)."""
    return ~credits[c.PROJECT_ID].isin(set(projects[c.PROJECT_ID]))


def totals_mismatches(projects: pd.DataFrame, credits: pd.DataFrame) -> pd.DataFrame:
    """Projects whose issued (or retired = retirements + cancellations) total differs from
    the sum of their credit rows."""
    kinds = credits[c.KIND].map(
        {c.ISSUANCE: c.ISSUED, c.RETIREMENT: c.RETIRED, c.CANCELLATION: c.RETIRED}
    )
    sums = (
        credits.assign(field=kinds, quantity=credits[c.QUANTITY].astype("int64"))
        .groupby([c.PROJECT_ID, "field"])[c.QUANTITY]
        .sum()
        .unstack("field")
        .reindex(columns=list(TOTALS))
    )
    rows = []
    indexed = projects.set_index(c.PROJECT_ID)
    for field in TOTALS:
        rows_total = sums[field].reindex(indexed.index).fillna(0).astype("int64")
        project_total = indexed[field].astype("int64")
        differs = project_total != rows_total
        rows.append(
            pd.DataFrame(
                {
                    "project_id": indexed.index[differs],
                    "field": field,
                    "project_total": project_total[differs].to_numpy(),
                    "rows_total": rows_total[differs].to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def build_report(
    projects: pd.DataFrame,
    credits: pd.DataFrame,
    *,
    rewritten: list[tuple[str, str]],
    duplicates: list[str],
    orphans: int,
    inputs: dict[str, str | None],
    warnings: list[str],
) -> dict:
    """The data-quality report stored with the sync run (shape: docs/DATA.md)."""
    mismatches = totals_mismatches(projects, credits)
    return {
        "projects_by_source": {
            name: int((projects[c.SOURCE] == name).sum()) for name in (c.BOTH, c.OFFSETSDB, c.VROD)
        },
        "projects_by_registry": _counts(projects[c.REGISTRY]),
        "credit_rows_by_source": {
            name: int((credits[c.SOURCE] == name).sum()) for name in (c.OFFSETSDB, c.VROD)
        },
        "missing_values": {
            name: int(projects[name].isna().sum()) for name in (c.PROJECT_ID, *c.PROJECT_FIELDS)
        },
        "distinct_values": {name: _counts(projects[name]) for name in FACETS},
        "rewritten_ids": {
            "count": len(rewritten),
            "examples": [list(pair) for pair in rewritten[:50]],
        },
        "invariant_violations": {
            "totals_mismatch": [
                {key: (int(v) if key.endswith("total") else v) for key, v in row.items()}
                for row in mismatches.head(100).to_dict("records")
            ],
            "totals_mismatch_count": len(mismatches),
            "duplicate_ids": duplicates[:100],
            "orphan_credits": int(orphans),
        },
        "inputs": inputs,
        "warnings": warnings,
    }


def _counts(values: pd.Series) -> dict[str, int]:
    counts = values.dropna().astype(str).value_counts()
    return {str(key): int(n) for key, n in counts.items()}


def rewritten_ids(*frames: pd.DataFrame) -> list[tuple[str, str]]:
    """(as the source wrote it, canonical) for every id the standardisation changed."""
    pairs: dict[str, str] = {}
    for frame in frames:
        if "raw_project_id" not in frame.columns:
            continue
        changed = frame[frame["raw_project_id"].astype("string") != frame[c.PROJECT_ID]]
        for raw, canonical in zip(changed["raw_project_id"], changed[c.PROJECT_ID], strict=True):
            pairs.setdefault(str(raw), canonical)
    return sorted(pairs.items())


def build_catalogue(
    offsetsdb_projects: pd.DataFrame | None,
    offsetsdb_credits: pd.DataFrame | None,
    vrod_projects: pd.DataFrame | None,
    vrod_credits: pd.DataFrame | None,
    *,
    inputs: dict[str, str | None],
    warnings: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The whole merge: (projects, credits, report). Either source may be None."""
    warnings = list(warnings)
    off_p = offsetsdb_projects if offsetsdb_projects is not None else empty_projects()
    off_c = offsetsdb_credits if offsetsdb_credits is not None else empty_credits()
    vr_p = vrod_projects if vrod_projects is not None else empty_projects()
    vr_c = vrod_credits if vrod_credits is not None else empty_credits()
    rewritten = rewritten_ids(off_p, vr_p)
    duplicates = sorted(set(duplicate_ids(off_p)) | set(duplicate_ids(vr_p)))
    for label, frame in (("OffsetsDB", off_p), ("VROD", vr_p)):
        unknown = frame[~frame[c.REGISTRY].isin(c.REGISTRIES)]
        if len(unknown):
            warnings.append(
                f"{label}: {len(unknown)} projects of other registries left out "
                f"(e.g. {', '.join(map(str, unknown[c.PROJECT_ID].head(3)))})"
            )
    off_p = (
        off_p.pipe(drop_unknown_registries).pipe(drop_duplicate_ids).pipe(add_vintage_range, off_c)
    )
    vr_p = vr_p.pipe(drop_unknown_registries).pipe(drop_duplicate_ids)
    projects = fill_from_vrod(off_p, vr_p)
    projects, credits = choose_credits(projects, off_c, vr_c, vr_p)
    orphans = orphan_credits(credits, projects)
    credits = credits[~orphans].reset_index(drop=True)
    projects = finish_projects(projects)
    report = build_report(
        projects,
        credits,
        rewritten=rewritten,
        duplicates=duplicates,
        orphans=int(orphans.sum()),
        inputs=inputs,
        warnings=warnings,
    )
    return projects, credits, report
