"""The merge: OffsetsDB is the base, VROD fills its gaps and adds its own projects.

Pure pandas. A project's totals, credit rows and yearly figures come from ONE source,
as a set (``choose_sets``); its other fields are merged field by field
(``fill_from_vrod``); placeholders (OffsetsDB rows known only from credit rows) never
override a real project; the vocabulary tables name each facet one way
(``apply_vocabulary``). ``check``/``build_report`` describe the result.

The result, ``Catalogue(projects, credits, yearly, report)``, is what a later step
(the registries' own data) can overlay: it replaces a project's fields and its set
(totals + credit rows + yearly rows, ``provenance['issued']`` naming the set's source).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from app.etl import columns as c
from app.etl.text_repair import MOJIBAKE_REPAIRED, REPLACEMENT_CHARACTER
from app.etl.vocabulary import methodology, project_type
from app.etl.vocabulary import status as vocabulary_status
from app.text_search import build_search_text

TOTALS = (c.ISSUED, c.RETIRED)
FACETS = (
    c.REGISTRY,
    c.STATUS,
    c.STATUS_CANONICAL,
    c.STATUS_GROUP,
    c.SCOPE,
    c.PROJECT_TYPE,
    c.CATEGORY,
    c.COUNTRY,
    c.METHODOLOGY,
    c.REDUCTION_REMOVAL,
    c.VERIFIER,
)
RETIRED_EXCEEDS_ISSUED = "retired_exceeds_issued"
EXAMPLES = 20


class Catalogue(NamedTuple):
    projects: pd.DataFrame
    credits: pd.DataFrame
    yearly: pd.DataFrame
    report: dict


def empty_projects() -> pd.DataFrame:
    return pd.DataFrame(
        {name: pd.Series(dtype=object) for name in (c.PROJECT_ID, *c.PROJECT_FIELDS)}
    )


def empty_credits() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in c.CREDIT_COLUMNS})


def empty_yearly() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in c.YEARLY_COLUMNS})


def duplicate_ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame.loc[frame[c.PROJECT_ID].duplicated(), c.PROJECT_ID].unique().tolist())


def drop_duplicate_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per canonical id: the first one the source lists."""
    return frame.drop_duplicates(subset=[c.PROJECT_ID], keep="first")


def drop_unknown_registries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame[c.REGISTRY].isin(c.REGISTRIES)]


def is_placeholder(frame: pd.DataFrame) -> pd.Series:
    """OffsetsDB's rows for projects it knows only from credit rows: no name, no status."""
    return frame[c.NAME].isna() & frame[c.STATUS].isna()


def fill_from_vrod(offsetsdb: pd.DataFrame, vrod: pd.DataFrame) -> pd.DataFrame:
    """One row per project of either source: OffsetsDB's values, each empty field filled
    from VROD, VROD-only projects whole; ``provenance`` says which source gave each field
    and ``source`` which sources know the project. Flags of both sources are kept."""
    off = offsetsdb.set_index(c.PROJECT_ID)
    vr = vrod.set_index(c.PROJECT_ID)
    ids = off.index.union(vr.index, sort=False)
    off, vr = off.reindex(ids), vr.reindex(ids)
    in_off = pd.Series(ids.isin(offsetsdb[c.PROJECT_ID]), index=ids)
    in_vrod = pd.Series(ids.isin(vrod[c.PROJECT_ID]), index=ids)
    merged = pd.DataFrame(index=ids)
    origin = pd.DataFrame(index=ids)
    missing = pd.Series(pd.NA, index=ids, dtype=object)
    for field in c.PROJECT_FIELDS:
        ours = off[field] if field in off.columns else missing
        theirs = vr[field] if field in vr.columns else missing
        use_ours = ours.notna()
        merged[field] = ours.astype(object).where(use_ours, theirs.astype(object))
        origin[field] = pd.Series(c.OFFSETSDB, index=ids).where(
            use_ours, pd.Series(c.VROD, index=ids).where(theirs.notna())
        )
    # A project's status group follows the status it shows, whichever source gave it.
    merged[c.STATUS_CANONICAL] = merged[c.STATUS].map(vocabulary_status.canonical_status)
    merged[c.STATUS_GROUP] = merged[c.STATUS_CANONICAL].map(vocabulary_status.status_group)
    origin[c.STATUS_CANONICAL] = origin[c.STATUS]
    origin[c.STATUS_GROUP] = origin[c.STATUS]
    merged[c.FLAGS] = [
        _merge_flags(a, b) for a, b in zip(_column(off, c.FLAGS), _column(vr, c.FLAGS), strict=True)
    ]
    merged[c.SOURCE] = pd.Series(c.BOTH, index=ids).where(
        in_off & in_vrod, pd.Series(c.OFFSETSDB, index=ids).where(in_off, c.VROD)
    )
    merged = merged.reset_index(names=c.PROJECT_ID)
    merged.attrs["origin"] = origin.reset_index(drop=True)
    return merged


def _column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _merge_flags(*flags) -> dict:
    merged: dict = {}
    for value in flags:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict):
                    merged.setdefault(key, {}).update(item)
                elif isinstance(item, list):
                    merged[key] = sorted(set(merged.get(key, [])) | set(item))
                else:
                    merged[key] = item
    return merged


def yearly_from_transactions(credits: pd.DataFrame, source: str = c.OFFSETSDB) -> pd.DataFrame:
    """Transactions (OffsetsDB's, a registry's) as the four yearly blocks: issued by vintage
    and by year, retired (retirements + cancellations) by year (no date -> no year),
    remaining by vintage."""
    if credits.empty:
        return empty_yearly()
    quantity = credits[c.QUANTITY].astype("int64")
    issued = credits[c.KIND] == c.ISSUANCE
    retired = credits[c.KIND].isin((c.RETIREMENT, c.CANCELLATION))
    frame = credits.assign(**{c.QUANTITY: quantity})
    by_vintage = _block_sums(frame[issued], c.VINTAGE)
    retired_by_vintage = _block_sums(frame[retired], c.VINTAGE)
    remaining = by_vintage.sub(retired_by_vintage, fill_value=0)
    blocks = {
        c.ISSUED_BY_VINTAGE: by_vintage,
        c.ISSUED_BY_YEAR: _block_sums(frame[issued], c.YEAR, keep_unknown=False),
        c.RETIRED_BY_YEAR: _block_sums(frame[retired], c.YEAR, keep_unknown=True),
        c.REMAINING_BY_VINTAGE: remaining,
    }
    parts = [
        pd.DataFrame(
            {
                c.PROJECT_ID: sums.index.get_level_values(0).astype(str),
                c.BLOCK: block,
                c.YEAR: pd.array(sums.index.get_level_values(1), dtype="Int64"),
                c.QUANTITY: pd.array(sums.to_numpy(), dtype="Int64"),
                c.SOURCE: source,
            }
        )
        for block, sums in blocks.items()
    ]
    yearly = pd.concat(parts, ignore_index=True)
    return yearly[yearly[c.QUANTITY] != 0].reset_index(drop=True)


def yearly_of_laid_over_sets(
    yearly: pd.DataFrame, credits: pd.DataFrame, source: str
) -> pd.DataFrame:
    """Projects whose credit rows now come from ``source`` (a registry's data laid over the
    merge) take yearly blocks built from those rows: totals, rows and figures stay one set."""
    ids = credits.loc[credits[c.SOURCE] == source, c.PROJECT_ID].unique()
    if len(ids) == 0:
        return yearly
    rows = credits[credits[c.PROJECT_ID].isin(ids)]
    kept = yearly[~yearly[c.PROJECT_ID].isin(ids)]
    return pd.concat([kept, yearly_from_transactions(rows, source)], ignore_index=True)


def _block_sums(frame: pd.DataFrame, by: str, keep_unknown: bool = False) -> pd.Series:
    rows = frame if keep_unknown else frame[frame[by].notna()]
    return rows.groupby([c.PROJECT_ID, by], dropna=False)[c.QUANTITY].sum()


def choose_sets(
    projects: pd.DataFrame,
    offsetsdb_projects: pd.DataFrame,
    offsetsdb_credits: pd.DataFrame,
    vrod_projects: pd.DataFrame,
    vrod_credits: pd.DataFrame,
    vrod_yearly: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each project's totals, credit rows and yearly figures from ONE source: OffsetsDB's
    transactions where it has any, else VROD's figures where VROD knows the project, else
    OffsetsDB's totals (without rows). Retired above issued can then only be a source's own."""
    ids = projects[c.PROJECT_ID]
    # unique() first: a set() of a million arrow strings iterates them one by one in Python.
    with_transactions = ids.isin(offsetsdb_credits[c.PROJECT_ID].unique())
    in_vrod = ids.isin(vrod_projects[c.PROJECT_ID].unique())
    set_source = pd.Series(
        np.where(with_transactions | ~in_vrod, c.OFFSETSDB, c.VROD), index=projects.index
    )
    from_vrod = ids[set_source == c.VROD].unique()
    from_offsetsdb = ids[set_source == c.OFFSETSDB].unique()
    totals = {
        c.OFFSETSDB: offsetsdb_projects.set_index(c.PROJECT_ID),
        c.VROD: vrod_projects.set_index(c.PROJECT_ID),
    }
    origin = projects.attrs.get("origin")
    projects = projects.copy()
    for field in TOTALS:
        values = pd.Series(0, index=projects.index, dtype="int64")
        for source, table in totals.items():
            chosen = set_source == source
            if chosen.any() and field in table.columns:
                looked_up = ids[chosen].map(pd.to_numeric(table[field], errors="coerce"))
                values[chosen] = looked_up.fillna(0).astype("int64")
        projects[field] = values
        if origin is not None:
            origin[field] = set_source.to_numpy()
    projects.attrs["origin"] = origin
    off_rows = offsetsdb_credits[offsetsdb_credits[c.PROJECT_ID].isin(from_offsetsdb)]
    vrod_rows = vrod_credits[vrod_credits[c.PROJECT_ID].isin(from_vrod)]
    credits = pd.concat(
        [frame for frame in (off_rows, vrod_rows) if len(frame)] or [empty_credits()],
        ignore_index=True,
    )
    yearly = pd.concat(
        [
            frame
            for frame in (
                yearly_from_transactions(off_rows),
                vrod_yearly[vrod_yearly[c.PROJECT_ID].isin(from_vrod)],
            )
            if len(frame)
        ]
        or [empty_yearly()],
        ignore_index=True,
    )
    return projects, credits, yearly


def add_vintage_range(projects: pd.DataFrame, yearly: pd.DataFrame) -> pd.DataFrame:
    """Rule 3: VROD's first year and last vintage with issuance; where VROD gives none, the
    range of vintages with issuance in the project's issued-by-vintage figures."""
    issued = yearly[(yearly[c.BLOCK] == c.ISSUED_BY_VINTAGE) & (yearly[c.QUANTITY] != 0)]
    vintages = issued.groupby(c.PROJECT_ID)[c.YEAR].agg(["min", "max"])
    ids = projects[c.PROJECT_ID]
    origin = projects.attrs.get("origin")
    result = projects.assign(
        **{
            c.FIRST_VINTAGE: _whole(projects[c.FIRST_VINTAGE]).fillna(
                _whole(ids.map(vintages["min"]))
            ),
            c.LAST_VINTAGE: _whole(projects[c.LAST_VINTAGE]).fillna(
                _whole(ids.map(vintages["max"]))
            ),
        }
    )
    result.attrs["origin"] = origin
    return result


def _whole(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object), errors="coerce").astype("Float64").astype("Int64")


def apply_vocabulary(projects: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Methodology, project type and category named from the vocabulary tables; returns
    the projects and how many values each table changed."""
    codes = [
        methodology.codes_from_protocol(code) or methodology.codes_from_text(text)
        for code, text in zip(projects[c.METHODOLOGY_CODE], projects[c.METHODOLOGY], strict=True)
    ]
    names = [
        methodology.display_name(found, text)
        for found, text in zip(codes, projects[c.METHODOLOGY], strict=True)
    ]
    types = projects[c.PROJECT_TYPE].map(project_type.type_label)
    slugs = projects[c.PROJECT_TYPE].map(project_type.category_slug)
    categories = slugs.where(slugs.notna(), projects[c.CATEGORY]).map(project_type.category_label)
    changed = {
        "methodology_named": _changed(projects[c.METHODOLOGY], names),
        "methodology_coded": sum(1 for found in codes if found),
        "project_type_relabelled": _changed(projects[c.PROJECT_TYPE], types),
        "category_from_type": int(slugs.notna().sum()),
    }
    origin = projects.attrs.get("origin")
    result = projects.assign(
        **{
            c.METHODOLOGY: pd.Series(names, index=projects.index, dtype=object),
            c.METHODOLOGY_CODE: [methodology.code_text(found) for found in codes],
            c.PROJECT_TYPE: types.astype(object),
            c.CATEGORY: categories.astype(object),
        }
    )
    if origin is not None:
        origin[c.METHODOLOGY] = origin[c.METHODOLOGY].fillna(origin[c.METHODOLOGY_CODE])
        origin[c.METHODOLOGY_CODE] = origin[c.METHODOLOGY_CODE].fillna(
            origin[c.METHODOLOGY].where(pd.Series([bool(f) for f in codes]).to_numpy())
        )
        origin[c.CATEGORY] = origin[c.CATEGORY].where(
            slugs.isna().to_numpy(), origin[c.PROJECT_TYPE]
        )
    result.attrs["origin"] = origin
    return result, changed


def _changed(before: pd.Series, after) -> int:
    after = pd.Series(list(after), index=before.index, dtype=object)
    differs = before.notna() & after.notna() & (before.astype(str) != after.astype(str))
    return int(differs.sum())


def flag_retired_above_issued(projects: pd.DataFrame) -> pd.DataFrame:
    """The set's source reports more retired than issued: kept, and flagged for the page."""
    above = (projects[c.RETIRED] > projects[c.ISSUED]).to_numpy()
    flags = [
        {**flag, RETIRED_EXCEEDS_ISSUED: True} if is_above else flag
        for flag, is_above in zip(projects[c.FLAGS], above, strict=True)
    ]
    result = projects.assign(**{c.FLAGS: flags})
    result.attrs = projects.attrs
    return result


def finish_projects(projects: pd.DataFrame) -> pd.DataFrame:
    """Totals as whole numbers, the provenance map and the search text of every project."""
    origin = projects.attrs.get("origin")
    issued = pd.to_numeric(projects[c.ISSUED], errors="coerce").fillna(0).astype("int64")
    retired = pd.to_numeric(projects[c.RETIRED], errors="coerce").fillna(0).astype("int64")
    provenance = _provenance(origin, len(projects))
    search = [
        build_search_text(pid, _text(name), _text(dev), _joined(meth, code))
        for pid, name, dev, meth, code in zip(
            projects[c.PROJECT_ID],
            projects[c.NAME],
            projects[c.DEVELOPER],
            projects[c.METHODOLOGY],
            projects[c.METHODOLOGY_CODE],
            strict=True,
        )
    ]
    finished = projects.assign(
        **{c.ISSUED: issued, c.RETIRED: retired, c.PROVENANCE: provenance, c.SEARCH_TEXT: search}
    )
    if c.FLAGS not in finished.columns:
        finished[c.FLAGS] = [{} for _ in range(len(finished))]
    finished.attrs = {}
    return finished[list(c.PROJECT_COLUMNS)]


def _provenance(origin: pd.DataFrame | None, count: int) -> list[dict]:
    """{field: source} per project, column by column (a records dict per row is slow)."""
    provenance: list[dict] = [{} for _ in range(count)]
    if origin is None:
        return provenance
    for field in origin.columns:
        values = origin[field].to_numpy(dtype=object)
        for row in np.flatnonzero(origin[field].notna().to_numpy()):
            if isinstance(values[row], str):
                provenance[row][field] = values[row]
    return provenance


def _text(value) -> str | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and value != value)
        else str(value)
    )


def _joined(name, code) -> str | None:
    """The methodology's name and its code, so a search for 'vm0007' finds it."""
    parts = [part for part in (_text(name), _text(code)) if part]
    return " ".join(parts) or None


def orphan_credits(credits: pd.DataFrame, projects: pd.DataFrame) -> pd.Series:
    """Which credit rows belong to no project (a boolean mask)."""
    return ~credits[c.PROJECT_ID].isin(projects[c.PROJECT_ID].unique())


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


def _example_list(ids) -> dict:
    ids = sorted(str(pid) for pid in ids)
    return {"count": len(ids), "examples": ids[:EXAMPLES]}


def text_rules(projects: pd.DataFrame) -> dict:
    repaired = [
        pid
        for pid, f in zip(projects[c.PROJECT_ID], projects[c.FLAGS], strict=True)
        if MOJIBAKE_REPAIRED in f
    ]
    lost = [
        pid
        for pid, f in zip(projects[c.PROJECT_ID], projects[c.FLAGS], strict=True)
        if REPLACEMENT_CHARACTER in f
    ]
    return {MOJIBAKE_REPAIRED: _example_list(repaired), REPLACEMENT_CHARACTER: _example_list(lost)}


def country_rules(*frames: pd.DataFrame) -> dict:
    """How the country table changed each source's spelling, and what it could not resolve."""
    renamed, unresolved = 0, {}
    for frame in frames:
        if "raw_country" not in frame.columns or frame.empty:
            continue
        raw = frame["raw_country"].astype("string").str.strip()
        shown = frame[c.COUNTRY].astype("string")
        renamed += int((raw.notna() & shown.notna() & (raw != shown)).sum())
        left = frame.loc[raw.notna() & frame[c.COUNTRY_CODE].isna(), c.COUNTRY]
        for value, n in left.dropna().astype(str).value_counts().items():
            unresolved[value] = unresolved.get(value, 0) + int(n)
    return {"country_renamed": renamed, "country_unresolved": unresolved}


def build_report(
    projects: pd.DataFrame,
    credits: pd.DataFrame,
    yearly: pd.DataFrame,
    *,
    rewritten: list[tuple[str, str]],
    duplicates: list[str],
    orphans: int,
    inputs: dict[str, str | None],
    warnings: list[str],
    rules: dict,
) -> dict:
    """The data-quality report stored with the sync run (shape: docs/DATA.md)."""
    mismatches = totals_mismatches(projects, credits)
    statuses = projects.loc[
        projects[c.STATUS].notna() & projects[c.STATUS_CANONICAL].isna(), c.STATUS
    ]
    return {
        "projects_by_source": {
            name: int((projects[c.SOURCE] == name).sum()) for name in (c.BOTH, c.OFFSETSDB, c.VROD)
        },
        "projects_by_registry": _counts(projects[c.REGISTRY]),
        "totals_by_registry": {
            registry: {field: int(group[field].sum()) for field in TOTALS}
            for registry, group in projects.groupby(c.REGISTRY)
        },
        "credit_rows_by_source": {
            name: int((credits[c.SOURCE] == name).sum()) for name in (c.OFFSETSDB, c.VROD)
        },
        "yearly_rows_by_block": _counts(yearly[c.BLOCK]),
        "missing_values": {
            name: int(projects[name].isna().sum()) for name in (c.PROJECT_ID, *c.PROJECT_FIELDS)
        },
        "distinct_values": {name: _counts(projects[name]) for name in FACETS},
        "rewritten_ids": {
            "count": len(rewritten),
            "examples": [list(pair) for pair in rewritten[:50]],
        },
        "rules": {
            **rules,
            **text_rules(projects),
            "status_unmapped": _counts(statuses),
            RETIRED_EXCEEDS_ISSUED: _example_list(
                projects.loc[projects[c.RETIRED] > projects[c.ISSUED], c.PROJECT_ID]
            ),
            "totals_from": {
                source: sum(1 for p in projects[c.PROVENANCE] if p.get(c.ISSUED) == source)
                for source in (c.OFFSETSDB, c.VROD)
            },
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


def split_placeholders(
    offsetsdb_projects: pd.DataFrame,
    offsetsdb_credits: pd.DataFrame,
    vrod_projects: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """OffsetsDB without its placeholder rows (and their credit rows): a placeholder VROD
    knows takes VROD's project whole; one VROD does not know is left out and reported."""
    placeholder = is_placeholder(offsetsdb_projects)
    ids = offsetsdb_projects.loc[placeholder, c.PROJECT_ID]
    known = ids.isin(vrod_projects[c.PROJECT_ID].unique())
    dropped_rows = offsetsdb_credits[c.PROJECT_ID].isin(ids.unique())
    left_out_rows = offsetsdb_credits[c.PROJECT_ID].isin(ids[~known].unique())
    rules = {
        "placeholders_taken_from_vrod": _example_list(ids[known]),
        "placeholders_left_out": {
            **_example_list(ids[~known]),
            "credit_rows": int(left_out_rows.sum()),
        },
    }
    return (
        offsetsdb_projects[~placeholder],
        offsetsdb_credits[~dropped_rows].reset_index(drop=True),
        rules,
    )


def build_catalogue(
    offsetsdb_projects: pd.DataFrame | None,
    offsetsdb_credits: pd.DataFrame | None,
    vrod_projects: pd.DataFrame | None,
    vrod_credits: pd.DataFrame | None,
    vrod_yearly: pd.DataFrame | None = None,
    *,
    inputs: dict[str, str | None],
    warnings: list[str],
) -> Catalogue:
    """The whole merge. Either source may be None."""
    warnings = list(warnings)
    off_p = offsetsdb_projects if offsetsdb_projects is not None else empty_projects()
    off_c = offsetsdb_credits if offsetsdb_credits is not None else empty_credits()
    vr_p = vrod_projects if vrod_projects is not None else empty_projects()
    vr_c = vrod_credits if vrod_credits is not None else empty_credits()
    vr_y = vrod_yearly if vrod_yearly is not None else empty_yearly()
    rewritten = rewritten_ids(off_p, vr_p)
    duplicates = sorted(set(duplicate_ids(off_p)) | set(duplicate_ids(vr_p)))
    for label, frame in (("OffsetsDB", off_p), ("VROD", vr_p)):
        unknown = frame[~frame[c.REGISTRY].isin(c.REGISTRIES)]
        if len(unknown):
            warnings.append(
                f"{label}: {len(unknown)} projects of other registries left out "
                f"(e.g. {', '.join(map(str, unknown[c.PROJECT_ID].head(3)))})"
            )
    off_p = off_p.pipe(drop_unknown_registries).pipe(drop_duplicate_ids)
    vr_p = vr_p.pipe(drop_unknown_registries).pipe(drop_duplicate_ids)
    off_p, off_c, placeholder_rules = split_placeholders(off_p, off_c, vr_p)
    projects = fill_from_vrod(off_p, vr_p)
    orphans = int(orphan_credits(off_c, projects).sum() + orphan_credits(vr_c, projects).sum())
    projects, credits, yearly = choose_sets(projects, off_p, off_c, vr_p, vr_c, vr_y)
    projects = add_vintage_range(projects, yearly)
    projects, vocabulary_counts = apply_vocabulary(projects)
    projects = flag_retired_above_issued(projects)
    projects = finish_projects(projects)
    report = build_report(
        projects,
        credits,
        yearly,
        rewritten=rewritten,
        duplicates=duplicates,
        orphans=orphans,
        inputs=inputs,
        warnings=warnings,
        rules={**placeholder_rules, **vocabulary_counts, **country_rules(off_p, vr_p)},
    )
    return Catalogue(projects, credits, yearly, report)
