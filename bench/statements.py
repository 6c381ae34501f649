"""The SQL a page runs on a cold cache, captured from one checkout and timed beside another's.

To compare two versions of the code on the same bench database, in the same conditions:

  python -m bench.statements capture OUT.json URL...   # run with PYTHONPATH=<checkout>
  python -m bench.statements time OLD.json NEW.json    # best and median of 7 per page

Each captured statement is stored with its parameters bound (psycopg2's mogrify), so the
timing replays exactly what the page sent, without Flask, templates or the cache.
"""

from __future__ import annotations

import json
import statistics
import sys

from sqlalchemy import event

from bench.dataset import BENCH_DATABASE_URL, _connect
from bench.timing import bench_app, fresh_cache_prefix, get_ok, timed_ms

REPEATS = 7
# Read on every request whatever the page: not what is compared.
_IGNORED = ("FROM data_version",)


def capture(out: str, urls: list[str]) -> None:
    from app.extensions import cache, db

    app = bench_app(BENCH_DATABASE_URL, "statements:")
    client = app.test_client()
    captured: dict[str, list[str]] = {}
    current: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        text = cursor.mogrify(statement, parameters).decode()
        if not any(ignored in text for ignored in _IGNORED):
            current.append(text)

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", record)
        for url in urls:
            fresh_cache_prefix(cache)
            current.clear()
            get_ok(client, url)
            captured[url] = list(current)
    with open(out, "w") as file:
        json.dump(captured, file, indent=1)


def _time(cursor, statements: list[str]) -> float:
    def run():
        for statement in statements:
            cursor.execute(statement)
            cursor.fetchall()

    return timed_ms(run)


def compare(old_path: str, new_path: str) -> None:
    with open(old_path) as file:
        old = json.load(file)
    with open(new_path) as file:
        new = json.load(file)
    connection = _connect(BENCH_DATABASE_URL)
    connection.autocommit = True
    cursor = connection.cursor()
    print(f"{'page':<44} {'old: n, best, median':>26} {'new: n, best, median':>26}")
    for url in old:
        timings = {"old": [], "new": []}
        for _ in range(REPEATS):  # alternated, so both see the same load
            timings["old"].append(_time(cursor, old[url]))
            timings["new"].append(_time(cursor, new[url]))
        cells = []
        for name, version in (("old", old), ("new", new)):
            best, median = min(timings[name]), statistics.median(timings[name])
            cells.append(f"{len(version[url]):>3} {best:9.1f} {median:9.1f}")
        print(f"{url[:44]:<44} {cells[0]:>26} ms {cells[1]:>23} ms")
    connection.close()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "capture":
        capture(arguments[0], arguments[1:])
    else:
        compare(*arguments)
