"""Benchmark: count the active residents of a subdistrict on the `city` demo database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid .venv/bin/python bench/resident_count.py

Runs on ``civicgrid_bench_city`` (built by ``bench/demo_city.py``). For several
subdistricts (the largest and a spread of others) it times
``Resident.objects.filter(node_path__startswith=sub.path, is_active=True).count()``:
one warm-up, then ``--runs`` timed runs; prints median and p95 per subdistrict and over
all runs, and the query plan of the largest. Target: under 50 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo_city import BENCH_DB, server_url, setup_django

TARGET_MS = 50.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=BENCH_DB)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--subdistricts", type=int, default=8)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civicgrid")
    setup_django(server_url(base, args.database))
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from civicgrid.registry.models import Resident
    from civicgrid.territory.models import Node, NodeKind

    subs = list(Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("code"))
    if not subs:
        sys.exit(f"no subdistricts in {args.database}: run bench/demo_city.py first")
    sizes = dict(
        Resident.objects.filter(is_active=True)
        .values("node_path")
        .annotate(n=Count("id"))
        .values_list("node_path", "n")
    )

    def population(sub: Node) -> int:
        return sum(n for path, n in sizes.items() if path.startswith(sub.path))

    ranked = sorted(subs, key=population, reverse=True)
    step = max(1, len(subs) // args.subdistricts)
    chosen = [ranked[0], *subs[::step]][: args.subdistricts]
    print(f"{len(subs)} subdistricts, {Resident.objects.count():,} residents; {args.runs} runs each\n")
    print(f"  {'code':<14}{'subdistrict':<16}{'residents':>10}{'median ms':>11}{'p95 ms':>9}")
    every: list[float] = []
    for sub in chosen:
        query = Resident.objects.filter(node_path__startswith=sub.path, is_active=True)
        count = query.count()  # warm-up
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            query.count()
            timings.append((time.perf_counter() - started) * 1000)
        every.extend(timings)
        name = sub.name + "　" * max(0, 8 - len(sub.name))  # full-width spaces keep the columns
        print(f"  {sub.code:<14}{name}{count:>10,}{statistics.median(timings):>11.2f}{p95(timings):>9.2f}")
    median, high = statistics.median(every), p95(every)
    verdict = "OK" if high < TARGET_MS else "SLOWER THAN TARGET"
    print(f"\n  all runs: median {median:.2f} ms, p95 {high:.2f} ms (target < {TARGET_MS:.0f} ms): {verdict}")
    largest = Resident.objects.filter(node_path__startswith=chosen[0].path, is_active=True)
    with CaptureQueriesContext(connection) as captured:
        largest.count()
    sql = captured.captured_queries[-1]["sql"]  # exactly what count() ran
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        print(f"\nplan of the largest subdistrict's count:\n  {sql}")
        for (line,) in cursor.fetchall():
            print(f"  {line}")


if __name__ == "__main__":
    main()
