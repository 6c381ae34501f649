"""The statistics' filters: registry, scope, country and a year range, from a query string."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.models import REGISTRIES
from app.request_input import MAX_FILTER_VALUES, ascii_int

# A sanity range for typed years, not a fact about the data.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
MAX_VALUE_LENGTH = 200


class FilterWarning(str):
    """A message about an ignored filter value, with the HTTP status the API answers it with:
    400 for a value that cannot be read, 422 for values that read but do not fit together."""

    status: int

    def __new__(cls, message: str, status: int = 400) -> FilterWarning:
        warning = super().__new__(cls, message)
        warning.status = status
        return warning


@dataclass(frozen=True)
class StatsFilters:
    """Normalised filters: sorted, de-duplicated values, so equal filters share a cache key."""

    registry: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    @property
    def has_year_range(self) -> bool:
        return self.year_from is not None or self.year_to is not None

    def to_args(self) -> dict:
        """Query-string arguments for url_for: lists repeat the key; empty filters left out."""
        return {key: value for key, value in self.as_dict().items() if value not in (None, [])}

    def with_country(self, names: tuple[str, ...]) -> StatsFilters:
        return replace(self, country=tuple(sorted({*self.country, *names})))

    def as_dict(self) -> dict:
        """JSON-ready: lists for the multi-valued filters."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }


def _text_values(args: MultiDict, name: str, warnings: list[FilterWarning]) -> tuple[str, ...]:
    values = set()
    for raw in args.getlist(name):
        value = raw.strip()
        if not value:
            continue
        if len(value) > MAX_VALUE_LENGTH:
            warnings.append(
                FilterWarning(
                    _(
                        "The %(name)s filter is longer than %(count)s characters.",
                        name=name,
                        count=MAX_VALUE_LENGTH,
                    )
                )
            )
            continue
        values.add(value)
    if len(values) > MAX_FILTER_VALUES:
        warnings.append(
            FilterWarning(
                _(
                    "The %(name)s filter takes at most %(count)s values.",
                    name=name,
                    count=MAX_FILTER_VALUES,
                )
            )
        )
        values = set(sorted(values)[:MAX_FILTER_VALUES])
    return tuple(sorted(values))


def _registries(args: MultiDict, warnings: list[FilterWarning]) -> tuple[str, ...]:
    chosen = set()
    for value in _text_values(args, "registry", warnings):
        code = value.upper()
        if code in REGISTRIES:
            chosen.add(code)
        else:
            warnings.append(
                FilterWarning(
                    _(
                        "Unknown registry '%(value)s': choose one of %(registries)s.",
                        value=value,
                        registries=", ".join(REGISTRIES),
                    )
                )
            )
    return tuple(sorted(chosen))


def _year(args: MultiDict, name: str, label: str, warnings: list[FilterWarning]) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    year = ascii_int(raw)
    if year is None:
        warnings.append(
            FilterWarning(
                _("The %(label)s '%(value)s' is not a year.", label=label, value=raw[:20])
            )
        )
        return None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        warnings.append(
            FilterWarning(
                _(
                    "The %(label)s %(year)s is outside %(first)s to %(last)s.",
                    label=label,
                    year=year,
                    first=EARLIEST_YEAR,
                    last=LATEST_YEAR,
                )
            )
        )
        return None
    return year


def parse_stats_filters(args: MultiDict) -> tuple[StatsFilters, list[FilterWarning]]:
    """The filters in ``args``, and a message for every value that was ignored as invalid."""
    warnings: list[FilterWarning] = []
    year_from = _year(args, "year_from", _("first year"), warnings)
    year_to = _year(args, "year_to", _("last year"), warnings)
    if year_from is not None and year_to is not None and year_from > year_to:
        message = _(
            "The year range from %(first)s to %(last)s is reversed; it was ignored.",
            first=year_from,
            last=year_to,
        )
        warnings.append(FilterWarning(message, status=422))
        year_from = year_to = None
    filters = StatsFilters(
        registry=_registries(args, warnings),
        scope=_text_values(args, "scope", warnings),
        country=_text_values(args, "country", warnings),
        year_from=year_from,
        year_to=year_to,
    )
    return filters, warnings
