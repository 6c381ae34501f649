"""The APX-style exports ACR, CAR and ART share: projects, issuances, retirements,
cancellations, each a CSV whose rows repeat the project's fields.

The three differ only in their header names (each module lists its own), so the
logic lives here once: issuances (with the part deposited in the buffer pool as a
``buffer`` record), retirements, cancellations, yes/no label columns, SDGs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.registries.base import RegistryData, registry_data
from app.etl.registries.exports import (
    Field,
    certifications,
    country_from_code,
    numbers,
    pick,
    read_export,
    sdg_labels,
    vintage_years,
    with_event_projects,
)
from app.etl.registries.registry_labels import LabelColumn

# Yes/no columns of the credit files, and the label each "Yes" gives the project.
FLAGS = (
    ("flag_arb", "ARB eligible", ("ARB Eligible",)),
    ("flag_ecology", "Washington Ecology eligible", ("Ecology Eligible", "WA ECO Eligible")),
    ("flag_corsia", "CORSIA eligible", ("CORSIA Eligible",)),
    (
        "flag_corsia_pilot",
        "CORSIA 2021-2023",
        (
            "Eligible for CORSIA 2021-2023 Compliance Period (Pilot Phase)",
            "Eligible for CORSIA 2021-2023 Compliance Period",
            "CORSIA 2021-2023",
        ),
    ),
    (
        "flag_corsia_first",
        "CORSIA 2024-2026",
        (
            "Eligible for CORSIA 2024-2026 Compliance Period (First Phase)",
            "Eligible for CORSIA 2024-2026 Compliance Period",
            "CORSIA 2024-2026",
        ),
    ),
    ("flag_ccp", "ICVCM CCP", ("CCP Approved", "ICVCM CCP Eligible", "CCP Eligible")),
    ("flag_removal", "Verified removal", ("Verified Removal",)),
    ("flag_ca", "Corresponding adjustment", ("Corresponding Adjustment",)),
)
FLAG_FIELDS = tuple(Field(name, headers) for name, _, headers in FLAGS)
# The yes/no columns that are quality labels (issue 14), by the label each stands for.
FLAG_KINDS = {
    "flag_corsia": "corsia",
    "flag_corsia_pilot": "corsia_pilot",
    "flag_corsia_first": "corsia_first",
    "flag_ccp": "ccp",
    "flag_ca": "corresponding_adjustment",
}
LABEL_SPECS = (
    *(
        LabelColumn(name, headers[0], FLAG_KINDS[name])
        for name, _, headers in FLAGS
        if name in FLAG_KINDS
    ),
    LabelColumn("sdgs", "Sustainable Development Goal(s)", "sdg"),
    LabelColumn("labels_text", "Additional Certification(s)"),
)
LABEL_FIELDS = (
    *FLAG_FIELDS,
    Field(
        "sdgs", ("Sustainable Development Goal(s)", "SDG Impact", "Sustainable Development Goals")
    ),
    Field("labels_text", ("Additional Certification(s)", "Additional Certifications")),
)


@dataclass(frozen=True)
class Layout:
    """One registry's APX-style headers: which header feeds which of our fields."""

    code: str
    label: str
    project_url: str | None
    projects: tuple[Field, ...]
    issuances: tuple[Field, ...]
    retirements: tuple[Field, ...]
    cancellations: tuple[Field, ...]
    # A buffer pool report of its own (CAR's), whose rows replace the issuances' buffer part.
    buffer: tuple[Field, ...] | None = None


def parse_exports(layout: Layout, files: dict[str, Path]) -> RegistryData:
    def table(name: str, fields: tuple[Field, ...]) -> pd.DataFrame:
        label = f"{layout.label} {name}"
        return pick(read_export(files[name], label), (*fields, *LABEL_FIELDS), label)

    issued = issuance_rows(table("issuances", layout.issuances))
    if layout.buffer and "buffer" in files:
        issued = pd.concat(
            [
                issued[issued[c.KIND] != c.BUFFER],
                buffer_rows(table("buffer", layout.buffer), f"{layout.label} buffer"),
            ],
            ignore_index=True,
        )
    events = pd.concat(
        [
            issued,
            retirement_rows(table("retirements", layout.retirements)),
            cancellation_rows(table("cancellations", layout.cancellations)),
        ],
        ignore_index=True,
    )
    return assemble(layout, table("projects", layout.projects), events)


def row_labels(rows: pd.DataFrame) -> pd.Series:
    """Each row's labels: its yes/no columns, SDGs and free-text certifications."""
    parts = [
        pd.Series(label, index=rows.index, dtype="string").where(
            rows[name].astype("string").str.strip().str.lower().isin(["yes", "true"])
        )
        for name, label, _ in FLAGS
        if name in rows
    ]
    parts += [sdg_labels(rows["sdgs"]), rows["labels_text"].astype("string")]
    labels = parts[0].str.cat(parts[1:], sep="; ", na_rep="")
    return labels.str.replace(r"(; )+", "; ", regex=True).str.strip("; ").replace("", pd.NA)


def _events(rows: pd.DataFrame, kind: str, when: str) -> pd.DataFrame:
    return rows.assign(
        **{
            c.KIND: kind,
            c.TRANSACTION_DATE: rows[when],
            c.VINTAGE: vintage_years(rows[c.VINTAGE]),
            c.QUANTITY: numbers(rows[c.QUANTITY]),
            "labels": row_labels(rows),
        }
    )


def issuance_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """An issuance per row, and a ``buffer`` record for the part the buffer pool got."""
    issued = _events(rows, c.ISSUANCE, "issued_on")
    buffered = issued.assign(**{c.KIND: c.BUFFER, c.QUANTITY: numbers(rows["buffer"])})
    buffered = buffered[buffered[c.QUANTITY].fillna(0) > 0]
    return pd.concat([issued, buffered], ignore_index=True)


# A buffer pool report's movement words, case-folded -> the credit record kind.
BUFFER_MOVEMENTS = {
    "deposit": c.BUFFER,
    "contribution": c.BUFFER,
    "release": c.BUFFER_RELEASE,
    "withdrawal": c.BUFFER_RELEASE,
}


def buffer_rows(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """Each buffer pool movement as a ``buffer`` (deposit) or ``buffer_release`` record; a
    movement the table does not know fails the registry, naming it."""
    words = rows["movement"].astype("string").str.strip().str.casefold()
    kinds = words.map(
        lambda w: next((k for word, k in BUFFER_MOVEMENTS.items() if word in w), None),
        na_action="ignore",
    )
    unknown = sorted(set(rows.loc[kinds.isna(), "movement"].fillna("(empty)")))
    if unknown:
        raise SourceError(
            f"{label}: unknown buffer pool movement(s) {unknown}: expected a deposit or a release"
        )
    return _events(rows, c.BUFFER, "moved_on").assign(**{c.KIND: kinds.astype(object)})


def renewal_count(labels: pd.Series) -> pd.Series:
    """CAR's issuance 'Crediting Period' label -> renewals: 'Initial' 0, 'Renewed-Second' 1,
    'Renewed-Third' 2, ...; anything else missing."""
    ordinals = {"second": 1, "third": 2, "fourth": 3, "fifth": 4}
    folded = labels.astype("string").str.strip().str.casefold()
    renewed = folded.str.extract(r"^renewed\W*(\w+)")[0].map(ordinals, na_action="ignore")
    return renewed.mask((folded == "initial").fillna(False), 0).astype("Int64")


def with_renewals(projects: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each project's crediting period renewals: the most its issuances name."""
    if "crediting_period_label" not in events:
        return projects
    count = renewal_count(events["crediting_period_label"])
    most = count.groupby(events[c.PROJECT_ID].astype("string").str.upper()).max()
    ids = projects[c.PROJECT_ID].astype("string").str.upper()
    return projects.assign(**{c.CREDITING_PERIOD_RENEWALS: ids.map(most).astype("Int64")})


def retirement_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return _events(rows, c.RETIREMENT, "left_on")


def cancellation_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return _events(rows, c.CANCELLATION, "left_on")


def assemble(layout: Layout, projects: pd.DataFrame, events: pd.DataFrame) -> RegistryData:
    """Projects completed from the credit rows, their labels, countries as names and codes."""
    project_labels = row_labels(projects)
    labels = certifications(
        pd.concat([projects[c.PROJECT_ID], events[c.PROJECT_ID]], ignore_index=True),
        pd.concat([project_labels, events["labels"]], ignore_index=True),
    )
    projects = with_renewals(with_event_projects(projects, events), events)
    country, code = country_from_code(projects[c.COUNTRY])
    ids = projects[c.PROJECT_ID].astype("string").str.upper()
    number = ids.str.extract(r"(\d+)$")[0]
    url = number.map(layout.project_url.format, na_action="ignore") if layout.project_url else None
    projects = projects.assign(
        **{
            c.PROJECT_ID: ids,
            c.COUNTRY: country,
            c.COUNTRY_CODE: code,
            c.CERTIFICATIONS: ids.map(labels),
            c.REGISTRY_PROJECT_TYPE: projects[c.PROJECT_TYPE],
            c.REGISTRY_URL: url,
        }
    )
    events = events.assign(**{c.PROJECT_ID: events[c.PROJECT_ID].astype("string").str.upper()})
    return registry_data(projects, events, layout.code, LABEL_SPECS)


# Fields every APX credit file has, under the registry's own header names.
def credit_fields(
    project: tuple[str, ...],
    quantity: tuple[str, ...],
    when: Field,
    extra: tuple[Field, ...] = (),
) -> tuple[Field, ...]:
    return (
        Field(c.PROJECT_ID, project, required=True),
        Field(c.NAME, ("Project Name", "Program Name")),
        Field(c.PROJECT_TYPE, ("Project Type", "Program Type")),
        Field(
            c.METHODOLOGY,
            (
                "Project Methodology/Protocol",
                "Protocol and Version",
                "Crediting Program and Standard",
            ),
        ),
        Field(c.SITE_LOCATION, ("Project Site Location", "Program Jurisdiction(s)")),
        Field(c.STATE, ("Project Site State",)),
        Field(c.COUNTRY, ("Project Site Country", "Program Country")),
        Field(c.REDUCTION_REMOVAL, ("Reduction/Removal",)),
        Field(c.VINTAGE, ("Vintage",), required=True),
        Field(c.QUANTITY, quantity, required=True),
        when,
        Field(
            c.SERIAL_RANGE,
            ("Credit Serial Numbers", "Offset Credit Serial Numbers", "Serial Numbers"),
        ),
        *extra,
    )
