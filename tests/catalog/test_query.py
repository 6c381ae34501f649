"""Parsing a search's query string: normalised values, and warnings for what was ignored."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.catalog.query import ProjectQuery, parse_project_query


def parse(**args):
    return parse_project_query(MultiDict(args))


def test_equal_searches_parse_to_equal_values_whatever_the_order():
    first, _ = parse_project_query(MultiDict([("registry", "gld"), ("registry", "VCS")]))
    second, _ = parse_project_query(MultiDict([("registry", "VCS"), ("registry", "GLD")]))
    assert first == second
    assert first.registry == ("GLD", "VCS")
    assert first.cache_token() == second.cache_token()


def test_bad_values_are_ignored_with_a_warning_each():
    query, warnings = parse(
        registry="NOPE", status="pending", issued_min="abc", page="-3", sort="price", order="up"
    )
    assert query == ProjectQuery()
    assert len(warnings) == 6
    assert any("NOPE" in warning for warning in warnings)
    assert any("issued_min" in warning for warning in warnings)
    assert any("page" in warning for warning in warnings)


def test_relevance_is_the_default_sort_only_with_a_query():
    assert parse(q="forest")[0].sort == "relevance"
    assert parse()[0].sort == "name"
    assert parse(sort="relevance")[0].sort == "name"


def test_each_sort_has_its_natural_default_order():
    assert parse(sort="issued")[0].order == "desc"
    assert parse(sort="name")[0].order == "asc"
    assert parse(sort="issued", direction="asc")[0].order == "asc"


def test_reversed_ranges_are_swapped_and_said():
    query, warnings = parse(issued_min="5,000", issued_max="10", vintage_from="2020")
    assert (query.issued_min, query.issued_max, query.vintage_from) == (10, 5000, 2020)
    assert warnings == ["Swapped issued_min and issued_max: the first was larger."]


def test_a_vintage_outside_any_plausible_year_is_ignored():
    query, warnings = parse(vintage_to="99999")
    assert query.vintage_to is None
    assert "vintage_to" in warnings[0]


def test_to_args_round_trips_and_leaves_defaults_out():
    query, _ = parse_project_query(
        MultiDict([("q", "VCS 191"), ("country", "Brazil"), ("country", "Peru"), ("page", "3")])
    )
    args = query.to_args()
    assert args == {"q": "VCS 191", "country": ["Brazil", "Peru"], "page": "3"}
    again, _ = parse_project_query(
        MultiDict(
            [(k, v) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])]
        )
    )
    assert again == query


def test_removing_a_filter_value_keeps_the_others_and_resets_the_page():
    query, _ = parse_project_query(
        MultiDict([("registry", "VCS"), ("registry", "GLD"), ("q", "x"), ("page", "4")])
    )
    smaller = query.without("registry", "VCS")
    assert smaller.registry == ("GLD",)
    assert smaller.q == "x"
    assert smaller.page == 1


def test_removing_the_search_drops_relevance_from_the_sort():
    query, _ = parse(q="forest")
    assert query.without("q").to_args() == {}
    by_issued, _ = parse(q="forest", sort="issued")
    assert by_issued.without("q").to_args() == {"sort": "issued"}
