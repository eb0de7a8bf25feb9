"""Benchmark: build the `city` demo (10,000 grids, 2 million residents) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid .venv/bin/python bench/demo_city.py

Creates (dropping it first if it exists) the database ``civicgrid_bench_city`` on the
server of DATABASE_URL, migrates it, builds the city and prints the time of each phase,
the total and the counts. The database is kept for ``bench/resident_count.py``; pass
``--drop`` to drop it at the end. ``--size small`` runs the same on the small demo.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "civicgrid_bench_city"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db)")
    return urlunsplit(parts._replace(path=f"/{database}"))


def recreate(url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')


def drop(url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CIVICGRID_DEBUG", "1")  # development keys: the bench data is throwaway
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG logs every query (Django's debug cursor): production does not, so neither do we.
    settings.DEBUG = False


def table_sizes() -> list[tuple[str, int, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) "
            "FROM pg_stat_user_tables WHERE n_live_tup > 1000 ORDER BY pg_total_relation_size(relid) DESC"
        )
        return list(cursor.fetchall())


def backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (local server only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=BENCH_DB)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civicgrid")
    url = server_url(base, args.database)
    print(f"database: {args.database}")
    recreate(base, args.database)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.demo.builder import build

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    backend_before = backend_cpu_seconds()
    report = build(args.size, args.seed, out=lambda line: print(line, flush=True))
    backend_after = backend_cpu_seconds()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    vacuum = time.perf_counter() - started
    print(f"\n  {'phase':<24}{'wall s':>9}{'cpu s':>9}   (cpu: this Python process, not PostgreSQL)")
    for (label, seconds), (_, cpu) in zip(report.phases, report.cpu, strict=True):
        print(f"  {label:<24}{seconds:9.1f}{cpu:9.1f}")
    total_cpu = sum(cpu for _, cpu in report.cpu)
    print(f"  {'total build':<24}{report.seconds:9.1f}{total_cpu:9.1f}")
    if backend_before is not None and backend_after is not None:
        print(f"  {'PostgreSQL backend cpu':<24}{'':9}{backend_after - backend_before:9.1f}")
    print(f"  {'VACUUM ANALYZE after':<24}{vacuum:9.1f}")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    print("\ncounts")
    for key, value in report.counts.items():
        print(f"  {key:<22}{value:>12,}")
    print("\nlargest tables")
    for name, rows, size in table_sizes():
        print(f"  {name:<32}{rows:>12,}  {size}")
    connection.close()
    if args.drop:
        drop(base, args.database)
        print(f"dropped {args.database}")


if __name__ == "__main__":
    main()
