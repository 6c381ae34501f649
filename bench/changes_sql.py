"""The SQL of each /changes bench request, timed in the database alone.

python -m bench.changes_sql [N]

Each of bench_changes' 20 requests runs once through the app on a cold cache; the
statements it sends are captured and each is run N times (default 5) under
``EXPLAIN (ANALYZE)``; the best execution + planning time counts. Prints, per request,
the sum of its statements and the slowest one. The database's own time: what a loaded
machine does to the app process does not show here.
"""

from __future__ import annotations

import sys

import psycopg2
import sqlalchemy as sa
from sqlalchemy import event

from bench.bench_changes import URL, change_requests
from bench.dataset import sqlalchemy_url
from bench.timing import bench_app, fresh_cache_prefix

# Read once per request whatever it asks: not the change log's cost.
NOT_COUNTED = ("FROM data_version", "SELECT project.project_id, project.name")


def captured_statements(app, requests: list[str]) -> dict[str, list[str]]:
    from app.extensions import cache, db

    captured: list[str] = []
    per_request = {}
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def capture(connection, cursor, statement, parameters, context, executemany):
            captured.append(cursor.mogrify(statement, parameters).decode())

        client = app.test_client()
        for url in requests:
            fresh_cache_prefix(cache)
            captured.clear()
            client.get(url)
            per_request[url] = [s for s in captured if not any(n in s for n in NOT_COUNTED)]
    return per_request


def best_ms(cursor, statement: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0][0]
        best = min(best, plan["Execution Time"] + plan["Planning Time"])
    return best


def main(repeats: int = 5) -> None:
    engine = sa.create_engine(sqlalchemy_url(URL))
    per_request = captured_statements(bench_app(URL, "bench-changes-sql:"), change_requests(engine))
    connection = psycopg2.connect(URL)
    connection.autocommit = True
    totals = []
    with connection.cursor() as cursor:
        for url, statements in per_request.items():
            times = [best_ms(cursor, statement, repeats) for statement in statements]
            totals.append(sum(times))
            slowest = max(times, default=0.0)
            print(f"{sum(times):7.2f} ms  {len(times)} statements  slowest {slowest:6.2f}  {url}")
    connection.close()
    print(f"sum {sum(totals):.1f} ms, slowest request {max(totals):.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
