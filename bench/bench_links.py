"""The cross-registry matcher over 12,000 projects, and its precision on the labelled pairs.

The projects are the real VROD 2025-12 release (10,975, with their ARB / WA and PoA ids)
plus rows drawn from it again under new ids up to 12,000 (each drawn row is a twin of a
real one in its own registry, so blocking and scoring see more look-alikes than real
data has). Times ``identity.find_links`` (blocking, scoring, shared ids) three times and
prints the median against the 10 s target; then the precision and recall of the
matcher's suggestions (ids left out) on tests/fixtures/links/labelled_pairs.csv.

make bench BENCH_ARGS="links"
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from app.etl import identity
from tests.links.real_data import labelled_pairs, release_frame

PROJECTS = 12_000
ROUNDS = 3
TARGET_SECONDS = 10.0
SEED = 16


def bench_frame() -> pd.DataFrame:
    real = release_frame()
    extra = real.sample(n=PROJECTS - len(real), replace=True, random_state=SEED)
    extra = extra.assign(id=[f"BENCH{n}" for n in range(len(extra))], arb_id=None, poa_id=None)
    extra = extra.assign(project_id=extra["id"])
    return pd.concat([real, extra], ignore_index=True)


def main() -> None:
    projects = bench_frame()
    seconds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        found = identity.find_links(projects)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    verdict = "ok" if median <= TARGET_SECONDS else "OVER TARGET"
    print(
        f"find_links over {len(projects):,} projects: median {median:.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in seconds)}; target <= {TARGET_SECONDS:.0f} s) "
        f"{verdict}; {len(found):,} links ({found['kind'].value_counts().to_dict()})"
    )
    real = release_frame().drop(columns=["arb_id", "poa_id"])
    suggested = identity.suggest_pairs(real).rename(columns={"project_a": "a", "project_b": "b"})
    labelled = labelled_pairs()
    measured = identity.precision_recall(suggested, labelled)
    print(
        f"labelled set ({int((labelled.label == 1).sum())} true pairs, "
        f"{int((labelled.label == 0).sum())} non-pairs), threshold {identity.DEFAULT_THRESHOLD}: "
        f"precision {measured['precision']:.3f}, recall {measured['recall']:.3f} "
        f"({measured['true_found']} true and {measured['false_found']} false of "
        f"{measured['judged']} judged; {len(suggested):,} suggestions over the release)"
    )


if __name__ == "__main__":
    main()
