"""Beneficiary search and beneficiary pages at full scale (1,000,000 credit rows).

Times typing a company's name on /credits through the Flask app on PostgreSQL + Memcached:
the keystroke (the results region htmx asks for, then the label counts it asks for next; then
again with a label chosen) and the full page, cold (a fresh cache key prefix per round) and
warm (the same requests again); the SQL our search runs (the lookup on the trigram index, the
figures, the first page) beside OffsetsDB's way (a plain substring ILIKE over five text
columns: totals and first page) through psycopg2; beneficiary pages of every size, cold and
warm, and /beneficiaries. Prints p50/p95 and the ratio.

make bench BENCH_ARGS="credits"
"""

from __future__ import annotations

import statistics

from sqlalchemy.dialects import postgresql
from werkzeug.datastructures import MultiDict

from bench.dataset import BENCH_DATABASE_URL, _connect, ensure_bench_database
from bench.timing import bench_app, fresh_cache_prefix, get_ok, percentile, timed_ms

COLD_ROUNDS = 3
WARM_ROUNDS = 10
BENEFICIARY_PAGES = 40
LISTING_ROUNDS = 5
TARGETS = {"cold_p95": 30.0, "warm_p95": 2.0, "page_p95": 50.0}
# What people type: whole names, parts of names, any case, big and small retirers.
SEARCHES = (
    "Delta Air Lines",
    "shopify",
    "United Parcel Service",
    "hilti",
    "coca-cola",
    "Microsoft",
    "japan airlines",
    "Chanel",
    "international monetary fund",
    "bradesco seguros",
    "Siemens",
    "maple leaf foods",
    "Nordic Energy",
    "atlas bank",
    "golden shipping",
    "Kuveyt Türk",
    "easyjet",
    "plansee",
    "Pioneer Pharma",
    "Eagle Motors",
)
# OffsetsDB's query shape: one substring, case-insensitive, over five text columns.
KEYSTROKE_HEADERS = {
    "HX-Request": "true",
    "HX-Target": "credit-results",
    "HX-Current-URL": "http://localhost/credits",
}
# The second request a keystroke's region makes as it loads: the label facet's counts.
LABEL_COUNTS_HEADERS = {**KEYSTROKE_HEADERS, "HX-Target": "credit-facet-label"}
# The label facet's value the labelled keystrokes choose (after typing the name).
LABEL_CHOSEN = "corsia"
OFFSETSDB_COLUMNS = ("beneficiary", "beneficiary_key", "account", "note", "reason")
PAGE_SIZE = 50


def _compiled(statement) -> str:
    dialect = postgresql.dialect(paramstyle="named")
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def our_sql(app, search: str) -> list[str]:
    """What a cold keystroke sends: the lookup of the typed words among the searched values,
    the figures (count, quantity, by year, facet counts, the first page's ids: one statement
    whose IN lists that lookup filled), then the first page's 50 records by key."""
    from app.credits.query import parse_credit_query
    from app.credits.search import _stats, rows_by_id_statement, stats_statement, term_lookup

    with app.test_request_context():
        query, _ = parse_credit_query(MultiDict({"q": search}))
        first_page = _stats(query).first_page
        return [
            _compiled(term_lookup(tuple(query.terms))),
            _compiled(stats_statement(query)),
            _compiled(rows_by_id_statement(query, first_page)),
        ]


def matched_records(app, search: str) -> int:
    from app.credits.query import parse_credit_query
    from app.credits.search import _stats

    with app.test_request_context():
        return _stats(parse_credit_query(MultiDict({"q": search}))[0]).total


def offsetsdb_sql(search: str) -> list[str]:
    pattern = "'%" + search.replace("'", "''").replace("%", "\\%") + "%'"
    where = " OR ".join(f"{column} ILIKE {pattern}" for column in OFFSETSDB_COLUMNS)
    return [
        f"SELECT count(*), sum(quantity) FROM credit WHERE {where}",
        f"SELECT * FROM credit WHERE {where} "
        f"ORDER BY transaction_date DESC NULLS LAST, id DESC LIMIT {PAGE_SIZE}",
    ]


def time_searches(app, url: str) -> dict[str, list[float]]:
    from app.extensions import cache

    client = app.test_client()
    targets = [f"/credits?q={search}" for search in SEARCHES]
    labelled = [f"{target}&label={LABEL_CHOSEN}" for target in targets]
    ours = [our_sql(app, search) for search in SEARCHES]
    theirs = [offsetsdb_sql(search) for search in SEARCHES]
    connection = _connect(url)
    cursor = connection.cursor()

    def run(batch: list[str]) -> None:
        for statement in batch:
            cursor.execute(statement)
            cursor.fetchall()

    times: dict[str, list] = {
        name: []
        for name in (
            "cold",
            "warm",
            "keys_cold",
            "keys_warm",
            "labelled_cold",
            "label_counts_cold",
            "sql",
            "offsetsdb",
            "matches",
        )
    }
    with app.app_context():
        for target in targets:  # connections, templates and plans warmed; cache keys not
            get_ok(client, target)
            keystroke(client, target)
        times["matches"] = [matched_records(app, search) for search in SEARCHES]
        for _ in range(COLD_ROUNDS):
            fresh_cache_prefix(cache)
            for target, mine, other in zip(targets, ours, theirs, strict=True):
                times["cold"].append(timed_ms(lambda target=target: get_ok(client, target)))
                times["sql"].append(timed_ms(lambda mine=mine: run(mine)))
                times["offsetsdb"].append(timed_ms(lambda other=other: run(other)))
            fresh_cache_prefix(cache)
            for target in targets:
                times["keys_cold"].append(timed_ms(lambda t=target: keystroke(client, t)))
                times["label_counts_cold"].append(
                    timed_ms(lambda t=target: keystroke(client, t, LABEL_COUNTS_HEADERS))
                )
            for target in labelled:
                times["labelled_cold"].append(timed_ms(lambda t=target: keystroke(client, t)))
        for _ in range(WARM_ROUNDS):
            for target in targets:
                times["warm"].append(timed_ms(lambda target=target: get_ok(client, target)))
                times["keys_warm"].append(timed_ms(lambda t=target: keystroke(client, t)))
    connection.close()
    return times


def keystroke(client, target: str, headers: dict = KEYSTROKE_HEADERS) -> None:
    """What typing in the search box sends: the results region only (HX-Target); or, with
    LABEL_COUNTS_HEADERS, the label facet's counts it then asks for."""
    response = client.get(target, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{target} (keystroke) answered {response.status_code}")


def time_beneficiary_pages(app) -> dict[str, list[float]]:
    from app.credits.beneficiaries import largest_retirers
    from app.extensions import cache

    client = app.test_client()
    with app.app_context():
        listing = []
        for _ in range(LISTING_ROUNDS):
            fresh_cache_prefix(cache)
            listing.append(timed_ms(lambda: get_ok(client, "/beneficiaries")))
        ranked = [row.key for page in (1, 5, 20, 60) for row in largest_retirers("", page).items]
        step = max(1, len(ranked) // BENEFICIARY_PAGES)
        chosen = ranked[::step][:BENEFICIARY_PAGES]
        get_ok(client, f"/beneficiaries/{chosen[0]}")
        fresh_cache_prefix(cache)
        cold = [timed_ms(lambda k=k: get_ok(client, f"/beneficiaries/{k}")) for k in chosen]
        warm = [timed_ms(lambda k=k: get_ok(client, f"/beneficiaries/{k}")) for k in chosen]
        fresh_cache_prefix(cache)
        searched = [timed_ms(lambda s=s: get_ok(client, f"/beneficiaries?q={s}")) for s in SEARCHES]
    return {"cold": cold, "warm": warm, "listing": listing, "list_search": searched}


def _line(name: str, values: list[float], target: str = "") -> str:
    return (
        f"{name:<34} n={len(values):<4} p50={percentile(values, 0.5):8.1f} ms"
        f"  p95={percentile(values, 0.95):8.1f} ms  {target}"
    )


def _verdict(value: float, limit: float) -> str:
    return f"(target ≤ {limit:g}: {'ok' if value <= limit else 'MISSED'})"


def main(url: str = BENCH_DATABASE_URL) -> None:
    url = ensure_bench_database(url)
    app = bench_app(url, "bench:")
    searches = time_searches(app, url)
    pages = time_beneficiary_pages(app)
    cold_p95 = percentile(searches["cold"], 0.95)
    warm_p95 = percentile(searches["warm"], 0.95)
    page_p95 = percentile(pages["cold"], 0.95)
    ratio = statistics.median(searches["offsetsdb"]) / statistics.median(searches["sql"])
    counts = sorted(searches["matches"])
    print(
        f"{len(SEARCHES)} searches (matching {counts[0]:,} to {counts[-1]:,} records, "
        f"median {statistics.median(counts):,.0f}); cold x{COLD_ROUNDS}, warm x{WARM_ROUNDS}"
    )
    keys_cold_p95 = percentile(searches["keys_cold"], 0.95)
    keys_warm_p95 = percentile(searches["keys_warm"], 0.95)
    print(
        _line(
            "keystroke (results region), cold", searches["keys_cold"], _verdict(keys_cold_p95, 30)
        )
    )
    print(
        _line("keystroke (results region), warm", searches["keys_warm"], _verdict(keys_warm_p95, 2))
    )
    print(_line("then its label counts, cold", searches["label_counts_cold"]))
    print(_line(f"keystroke + label={LABEL_CHOSEN}, cold", searches["labelled_cold"]))
    print(_line("search, full page, cold cache", searches["cold"], _verdict(cold_p95, 30)))
    print(_line("search, full page, warm cache", searches["warm"], _verdict(warm_p95, 2)))
    print(_line("search, our SQL (psycopg2)", searches["sql"]))
    print(_line("search, OffsetsDB's ILIKE scan", searches["offsetsdb"]))
    print(f"{'OffsetsDB way / ours, p50':<34} ratio={ratio:.1f}x faster")
    print(_line("beneficiary page, cold cache", pages["cold"], _verdict(page_p95, 50)))
    print(_line("beneficiary page, warm cache", pages["warm"]))
    print(_line("/beneficiaries, cold", pages["listing"]))
    print(_line("/beneficiaries?q=, cold", pages["list_search"]))


if __name__ == "__main__":
    main()
