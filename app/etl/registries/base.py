"""What every registry adapter is: its export tables, their parser, its fetcher.

An adapter turns its registry's data, from the export files a person downloads
or from the registry's machine endpoint, into the same two frames: projects in
the catalogue's project columns and credit records in ``CREDIT_RECORD_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from app.etl.errors import SourceError
from app.etl.registries.exports import finish_credits, finish_projects, header_of
from app.etl.registries.registry_labels import registry_label_rows


@dataclass(frozen=True)
class ExportTable:
    """One export file of a registry, recognised by header keys only it has."""

    name: str
    signature: frozenset[str]
    without: frozenset[str] = frozenset()
    optional: bool = False  # read when there, not required (CAR's buffer pool report)

    def matches(self, header: set[str]) -> bool:
        return self.signature <= header and not (self.without & header)


@dataclass
class RegistryData:
    """A registry's whole data set, as one run got it: all or nothing."""

    projects: pd.DataFrame
    credits: pd.DataFrame
    # What the registry itself says it holds (its totals), for the report.
    counts: dict = field(default_factory=dict)
    # When this is the stored set plus a daily delta: the credit rows the delta added, the
    # projects it changed, and those of them that only get rows added (they had some).
    # ``credits`` then holds the rows of the projects the delta touches only (the kept ones
    # with the fields that tell an event and make the totals: registry_sync.with_kept).
    appended: pd.DataFrame | None = None
    changed: set[str] | None = None
    appendable: set[str] | None = None
    # Its label rows (registry_labels.REGISTRY_LABEL_COLUMNS), from its raw label columns.
    labels: pd.DataFrame | None = None


def registry_data(
    projects: pd.DataFrame, events: pd.DataFrame, code: str, label_specs
) -> RegistryData:
    """An adapter's assembled projects and events, finished as the sync takes them. The
    labels first: their working copies and the finished credits are then never held at
    once (Verra's 600,000 events: the parse's peak)."""
    labels = registry_label_rows(projects, events, label_specs)
    return RegistryData(
        projects=finish_projects(projects, code), credits=finish_credits(events), labels=labels
    )


@dataclass(frozen=True)
class FetchSettings:
    """The settings a fetcher reads (the caller gets them from the app's config)."""

    base_url: str
    page_delay: float = 0.0
    since: str | None = None  # ISO date: only events since then (incremental), where possible
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Adapter:
    key: str  # 'verra': the setting prefix, the source_state row, the CLI name
    code: str  # 'VCS': the registry's code in the catalogue
    label: str  # 'Verra': what users read
    tables: tuple[ExportTable, ...]
    parse: Callable[[dict[str, Path]], RegistryData]
    fetch: Callable[..., RegistryData]
    url_setting: str
    incremental: bool = False  # whether the endpoint can be asked for events since a date

    def find_exports(self, paths: list[Path]) -> dict[str, Path]:
        """This registry's export files among ``paths``, by header; {} when none is there."""
        found: dict[str, Path] = {}
        for path in paths:
            header = header_of(path)
            for table in self.tables:
                if table.matches(header) and table.name not in found:
                    found[table.name] = path
        return found

    def read_exports(self, paths: list[Path]) -> RegistryData | None:
        """The registry's data from its export files; None when none of them is there,
        a SourceError naming what is missing when only some are."""
        found = self.find_exports(paths)
        if not found:
            return None
        missing = [t.name for t in self.tables if t.name not in found and not t.optional]
        if missing:
            raise SourceError(
                f"{self.label} export incomplete: found {', '.join(sorted(found))} "
                f"but no {', '.join(missing)} export"
            )
        return self.parse(found)
