"""What a catalogue search asks for: the query string parsed into one frozen value.

``parse_project_query`` never raises on user input: a value it cannot use is
left out and named in a warning, and the rest of the filters still apply.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields, replace

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.catalog.labels import LABEL_FACETS, allowed_values, facet_label
from app.catalog.quality import CREDITING_VALUES
from app.models import COMMUNITY, REGISTRIES, STATUS_GROUPS
from app.request_input import MAX_FILTER_VALUES, ascii_int
from app.text_search import query_terms
from app.vocabulary_display import STATUS_GROUP_LABELS

REGISTRY_VALUES = (*REGISTRIES, COMMUNITY)
REGISTRY_LABELS = {
    "VCS": "Verra (VCS)",
    "GLD": "Gold Standard",
    "ACR": "American Carbon Registry",
    "CAR": "Climate Action Reserve",
    "ART": "ART TREES",
    COMMUNITY: _l("Community"),
}
STATUS_LABELS = STATUS_GROUP_LABELS

# Facet name (query parameter) -> the project column it counts.
FACETS = (
    "registry",
    "status",
    *LABEL_FACETS,
    "country",
    "state",
    "scope",
    "type",
    "reduction_removal",
    "methodology",
    "verifier",
    "crediting_period",
    "listed",
)
# Facets whose column holds one value per project; state holds several in one text
# (app/catalog/multi_values.py); the label facets read the label table (app/catalog/labels.py).
FACET_COLUMNS = {
    "registry": "registry",
    "status": "status_group",
    "country": "country",
    "scope": "scope",
    "type": "project_type",
    "reduction_removal": "reduction_removal",
    "methodology": "methodology",
    "verifier": "verifier",
    "listed": None,  # computed from project_link: see app/catalog/search.py facet_column
    "crediting_period": None,  # computed from crediting_period_end: app/catalog/quality.py
}
LISTED_VALUES = ("multiple",)
LISTED_LABELS = {"multiple": _l("Listed in more than one registry")}
MULTI_VALUE_FACETS = ("state",)
CHOICE_FACETS = ("registry", "status", "listed", "crediting_period", *LABEL_FACETS)
FREE_FACETS = tuple(facet for facet in FACETS if facet not in CHOICE_FACETS)
FACET_LABELS = {
    "registry": _l("Registry"),
    "status": _l("Status"),
    "country": _l("Country"),
    "state": _l("State / province"),
    "scope": _l("Scope"),
    "type": _l("Project type"),
    "reduction_removal": _l("Reduction / removal"),
    "methodology": _l("Methodology"),
    "listed": _l("Registries"),
    "verifier": _l("Verifier"),
    "crediting_period": _l("Crediting period"),
    **{facet: facet_label(facet) for facet in LABEL_FACETS},
}
RANGES = ("issued_min", "issued_max", "vintage_from", "vintage_to")
RANGE_LABELS = {
    "issued_min": _l("Issued ≥"),
    "issued_max": _l("Issued ≤"),
    "vintage_from": _l("Vintage from"),
    "vintage_to": _l("Vintage to"),
}

SORTS = ("relevance", "name", "issued", "retired", "vintage")
SORT_LABELS = {
    "relevance": _l("Relevance"),
    "name": _l("Name"),
    "issued": _l("Credits issued"),
    "retired": _l("Credits retired"),
    "vintage": _l("Newest vintage"),
}
# The sort menu: plain words for each sort and direction ("" follows the search box).
SORT_MENU = (
    ("name-asc", _l("Name, A to Z")),
    ("name-desc", _l("Name, Z to A")),
    ("issued-desc", _l("Most credits issued")),
    ("issued-asc", _l("Fewest credits issued")),
    ("retired-desc", _l("Most credits retired")),
    ("retired-asc", _l("Fewest credits retired")),
    ("vintage-desc", _l("Newest vintage")),
    ("vintage-asc", _l("Oldest vintage")),
)
MAP_MEASURES = ("projects", "credits")
ORDERS = ("asc", "desc")
DEFAULT_ORDER = {
    "relevance": "asc",
    "name": "asc",
    "issued": "desc",
    "retired": "desc",
    "vintage": "desc",
}
MAX_QUERY_LENGTH = 200
# Control characters (NUL above all: PostgreSQL refuses it in a string) never mean anything.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
VINTAGE_BOUNDS = (1900, 2200)
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ProjectQuery:
    """One catalogue search, normalised: equal searches are equal values (and cache keys)."""

    q: str = ""
    registry: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    methodology: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    reduction_removal: tuple[str, ...] = ()
    verifier: tuple[str, ...] = ()
    crediting_period: tuple[str, ...] = ()
    ccp: tuple[str, ...] = ()
    corsia: tuple[str, ...] = ()
    article6: tuple[str, ...] = ()
    corresponding_adjustment: tuple[str, ...] = ()
    ccb: tuple[str, ...] = ()
    sdg: tuple[str, ...] = ()
    certification: tuple[str, ...] = ()
    issued_min: int | None = None
    issued_max: int | None = None
    vintage_from: int | None = None
    vintage_to: int | None = None
    sort: str = "name"
    order: str = "asc"
    page: int = 1
    map_by: str = "projects"

    @property
    def direction(self) -> str:
        return self.order

    @property
    def terms(self) -> list[str]:
        """Folded search terms; a typed id ('GS 561', 'vcs-191') is its canonical id."""
        return query_terms(self.q)

    @property
    def is_filtered(self) -> bool:
        return (
            bool(self.terms)
            or any(getattr(self, name) for name in FACETS)
            or any(getattr(self, name) is not None for name in RANGES)
        )

    def facet_values(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def without(self, facet: str, value: str | None = None) -> ProjectQuery:
        """This search without one filter value (or the whole filter), back on page 1."""
        if facet in FACETS:
            kept = tuple(v for v in getattr(self, facet) if value is not None and v != value)
            return replace(self, **{facet: kept}, page=1)
        if facet == "q":
            sort = "name" if self.sort == "relevance" else self.sort
            return replace(self, q="", sort=sort, page=1)
        return replace(self, **{facet: None}, page=1)

    def cleared(self) -> ProjectQuery:
        return ProjectQuery()

    def with_page(self, page: int) -> ProjectQuery:
        return replace(self, page=page)

    def sorted_by(self, sort: str) -> ProjectQuery:
        """Sorted by ``sort``, back on page 1: the other direction when already sorted by it."""
        if sort == self.sort:
            order = "asc" if self.order == "desc" else "desc"
        else:
            order = DEFAULT_ORDER[sort]
        return replace(self, sort=sort, order=order, page=1)

    def with_map_by(self, measure: str) -> ProjectQuery:
        return replace(self, map_by=measure)

    @property
    def sort_menu_value(self) -> str:
        """The sort menu's choice for this search: "" while the sort follows the search box."""
        if self.sort == default_sort(self.q) and self.order == DEFAULT_ORDER[self.sort]:
            return ""
        return f"{self.sort}-{self.order}"

    def sort_menu(self) -> list[tuple[str, str]]:
        """(value, label) of the sort menu: the default first, named for what it does."""
        first = gettext("Best match") if self.terms else gettext("Name, A to Z")
        choices = [("", first)]
        choices += [(value, text) for value, text in SORT_MENU if value != "name-asc" or self.terms]
        return choices

    def to_args(self) -> dict[str, list[str] | str]:
        """Query-string arguments for url_for: lists repeat the key; defaults are left out."""
        args: dict[str, list[str] | str] = {}
        if self.q:
            args["q"] = self.q
        for facet in FACETS:
            if getattr(self, facet):
                args[facet] = list(getattr(self, facet))
        for name in RANGES:
            if getattr(self, name) is not None:
                args[name] = str(getattr(self, name))
        if self.sort != default_sort(self.q):
            args["sort"] = self.sort
        if self.order and self.order != DEFAULT_ORDER[self.sort]:
            args["order"] = self.order
        if self.page > 1:
            args["page"] = str(self.page)
        if self.map_by != MAP_MEASURES[0]:
            args["map"] = self.map_by
        return args

    def filters_token(self) -> str:
        """A short stable digest of what the search selects, whatever its order and page:
        the key of what only the selection decides (totals, facet counts, the overview)."""
        ignored = ("sort", "order", "page", "map_by")
        parts = [
            f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name not in ignored
        ]
        return hashlib.sha1("&".join(parts).encode(), usedforsecurity=False).hexdigest()

    def cache_token(self, *, page: bool = True) -> str:
        """A short stable digest of the search (optionally ignoring the page)."""
        # The map's measure changes how the region is drawn, not what the data functions return.
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name != "map_by"]
        if not page:
            parts = [part for part in parts if not part.startswith("page=")]
        return hashlib.sha1("&".join(parts).encode(), usedforsecurity=False).hexdigest()


def default_sort(q: str) -> str:
    return "relevance" if query_terms(q) else "name"


def _clean_text(raw: str | None) -> str:
    """The text with control characters dropped and white space folded."""
    return " ".join(_CONTROL.sub(" ", raw or "").split())


def _clean_values(raw: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in raw:
        value = _clean_text(value)
        if value:
            seen.setdefault(value[:500], None)
    return list(seen)[:MAX_FILTER_VALUES]


def _parse_int(raw: str | None) -> int | None:
    text = (raw or "").strip().replace(",", "").replace("_", "").replace(" ", "")
    if not text:
        return None
    number = ascii_int(text.removeprefix("-"))
    if number is not None and len(text) <= 15:
        return -number if text.startswith("-") else number
    raise ValueError(text)


def _parse_choices(args: MultiDict, name: str, allowed, warnings: list[str], fold=str.lower):
    chosen, unknown = [], []
    for value in _clean_values(args.getlist(name)):
        normalised = fold(value)
        (chosen if normalised in allowed else unknown).append(
            normalised if normalised in allowed else value
        )
    if unknown:
        listed = ", ".join(f"“{value}”" for value in unknown)
        warnings.append(
            gettext(
                "Ignored unknown %(facet)s %(values)s.",
                facet=FACET_LABELS[name].lower(),
                values=listed,
            )
        )
    return tuple(sorted(set(chosen)))


def _fold_label(value: str) -> str:
    """'SDG 13' -> '13', 'Pilot' -> 'pilot', 'not applied' -> 'not_applied'."""
    return value.lower().removeprefix("sdg").strip().replace(" ", "_")


def _parse_range(args: MultiDict, name: str, warnings: list[str], bounds=None) -> int | None:
    raw = args.get(name)
    try:
        value = _parse_int(raw)
    except ValueError:
        warnings.append(
            gettext(
                "Ignored %(name)s=“%(value)s”: not a whole number.", name=name, value=raw.strip()
            )
        )
        return None
    if value is not None and bounds and not bounds[0] <= value <= bounds[1]:
        warnings.append(
            gettext(
                "Ignored %(name)s=%(value)s: a year between %(first)s and %(last)s.",
                name=name,
                value=value,
                first=bounds[0],
                last=bounds[1],
            )
        )
        return None
    return value


class SwapNotice(str):
    """A range given upside down: swapped and used, unlike a value that was ignored (the
    notice's words depend on the page's language, so callers tell them apart by type)."""


def _ordered_pair(low, high, names: tuple[str, str], warnings: list[str]):
    if low is not None and high is not None and low > high:
        warnings.append(
            SwapNotice(
                gettext(
                    "Swapped %(first)s and %(second)s: the first was larger.",
                    first=names[0],
                    second=names[1],
                )
            )
        )
        return high, low
    return low, high


def parse_project_query(args: MultiDict) -> tuple[ProjectQuery, list[str]]:
    """The search a query string asks for, and what in it was ignored (human-readable)."""
    warnings: list[str] = []
    q = _clean_text(args.get("q"))[:MAX_QUERY_LENGTH]
    registry = _parse_choices(args, "registry", REGISTRY_VALUES, warnings, fold=str.upper)
    status = _parse_choices(args, "status", STATUS_GROUPS, warnings)
    listed = _parse_choices(args, "listed", LISTED_VALUES, warnings)
    crediting = _parse_choices(args, "crediting_period", CREDITING_VALUES, warnings, _fold_label)
    labels = {
        facet: _parse_choices(args, facet, allowed_values(facet), warnings, fold=_fold_label)
        for facet in LABEL_FACETS
    }
    free = {facet: tuple(sorted(_clean_values(args.getlist(facet)))) for facet in FREE_FACETS}
    for facet in FACET_LABELS:
        if len(args.getlist(facet)) > MAX_FILTER_VALUES:
            warnings.append(
                gettext(
                    "Used the first %(count)s %(facet)s values only.",
                    count=MAX_FILTER_VALUES,
                    facet=facet,
                )
            )
    issued_min = _parse_range(args, "issued_min", warnings)
    issued_max = _parse_range(args, "issued_max", warnings)
    vintage_from = _parse_range(args, "vintage_from", warnings, VINTAGE_BOUNDS)
    vintage_to = _parse_range(args, "vintage_to", warnings, VINTAGE_BOUNDS)
    issued_min, issued_max = _ordered_pair(
        issued_min, issued_max, ("issued_min", "issued_max"), warnings
    )
    vintage_from, vintage_to = _ordered_pair(
        vintage_from, vintage_to, ("vintage_from", "vintage_to"), warnings
    )

    # The sort menu sends sort and direction in one value ("issued-asc"); links send both.
    sort, _, menu_order = (args.get("sort") or "").strip().lower().partition("-")
    sort = sort or default_sort(q)
    if sort not in SORTS or (menu_order and menu_order not in ORDERS):
        warnings.append(gettext("Ignored unknown sort “%(sort)s”.", sort=args.get("sort")))
        sort, menu_order = default_sort(q), ""
    if sort == "relevance" and not query_terms(q):
        sort = "name"
    order = menu_order or (args.get("order") or args.get("direction") or "").strip().lower()
    if order and order not in ORDERS:
        warnings.append(gettext("Ignored unknown order “%(order)s”: use asc or desc.", order=order))
        order = ""
    order = order or DEFAULT_ORDER[sort]

    page = 1
    raw_page = (args.get("page") or "").strip()
    if raw_page:
        if 1 <= (ascii_int(raw_page) or 0) <= MAX_PAGE:
            page = ascii_int(raw_page)
        else:
            warnings.append(
                gettext("Ignored page=“%(page)s”: pages are numbered from 1.", page=raw_page)
            )

    map_by = (args.get("map") or MAP_MEASURES[0]).strip().lower()
    if map_by not in MAP_MEASURES:
        warnings.append(
            gettext(
                "Ignored map=“%(map)s”: the map shows projects or credits.", map=args.get("map")
            )
        )
        map_by = MAP_MEASURES[0]

    query = ProjectQuery(
        q=q,
        registry=registry,
        status=status,
        listed=listed,
        crediting_period=crediting,
        **labels,
        **free,
        issued_min=issued_min,
        issued_max=issued_max,
        vintage_from=vintage_from,
        vintage_to=vintage_to,
        sort=sort,
        order=order,
        page=page,
        map_by=map_by,
    )
    return query, warnings
