"""Benchmark: bulk import of historical requests (``civicgrid requests_import_history``) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid_histimport \\
        .venv/bin/python bench/history_import.py [--rows 200000] [--seed 1] [--keep] [--dry-run]

Uses the database of DATABASE_URL as it is (default ``civicgrid_histimport``); when it has
no territory yet, builds the small demo city and the requests set-up (units, default
catalogue, rules: ``civicgrid demo --size small`` + ``civicgrid requests_demo
--setup-only``). Then:

1. generates N realistic closed requests of the twelve months before the current one into
   a temporary CSV in the import template (topics, texts, names and phones of the demo
   history; 70 % with a point inside a grid, 20 % with an area code, 10 % placed by their
   unit; units as the catalogue leaf says or the subdistrict of the place; 3 %
   consultations answered at once without a unit; 92 % rated; live-style numbers
   ``YYYYMMDD-5NNNNN``) — not timed;
2. times a bare COPY of the same file (``COPY … FROM STDIN (FORMAT csv)``) into an
   unindexed temporary table of text columns: the floor for moving these bytes into
   PostgreSQL;
3. imports the file through ``requests_history_import`` as the system administrator and
   prints rows/s of the read+validate phase, of the write phase (COPY into the four
   tables, their indexes and foreign keys, the commit) and overall, the ratio of the
   overall rate to the bare COPY, the per-table split of the write phase, the PostgreSQL
   backend's CPU seconds (when the server is local), and the rollup rebuild separately;
4. checks the result: the counts per table, one phone decrypted, and for one month the
   rates read through ``cells`` equal to a recount of the raw rows;
5. deletes what it imported (unless ``--keep``), so the next run starts from the same state.

The figures of a run on the shared 2-core machine are in docs/benchmarks.md.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civicgrid_histimport")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_DEBUG", "1")

SEQUENCE_BASE = 500_000  # numbers YYYYMMDD-5NNNNN never meet the demo's or the live ones of a bench db
TABLES = ("requests_request", "requests_workorder", "requests_requestevent", "requests_rating")


def setup_database() -> None:
    from django.core.management import call_command

    from civicgrid.requests.models import HandlingUnit
    from civicgrid.territory.models import Node

    if not Node.objects.exists():
        print("setting up: demo city (small) …", flush=True)
        call_command("demo", size="small", seed=1, verbosity=0)
    if not HandlingUnit.objects.exists():
        print("setting up: units, catalogue, rules …", flush=True)
        call_command("requests_demo", setup_only=True, verbosity=0)


# Generating the file -------------------------------------------------------------------------


class World:
    """What the generated rows may refer to: grids with sample points, areas, units, leaves."""

    def __init__(self, rng: random.Random) -> None:
        from shapely.geometry import Point, shape

        from civicgrid.requests.constants import ResponsibleKind, UnitKind
        from civicgrid.requests.models import CatalogueVersion, Category, HandlingUnit
        from civicgrid.territory.models import Node, NodeKind

        self.rng = rng
        units = list(HandlingUnit.objects.filter(is_active=True))
        self.subdistrict_unit = {u.node_path: u.code for u in units if u.kind == UnitKind.SUBDISTRICT}
        self.points: list[tuple[float, float, str]] = []  # lon, lat, subdistrict path
        for node in Node.objects.filter(kind=NodeKind.GRID, geometry__isnull=False):
            poly = shape(node.geometry)
            x0, y0, x1, y1 = poly.bounds
            found = 0
            while found < 40:
                x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if poly.contains(Point(x, y)):
                    self.points.append((round(x, 6), round(y, 6), self._subdistrict(node.path)))
                    found += 1
        self.areas = [
            (n.code, self._subdistrict(n.path))
            for n in Node.objects.filter(kind=NodeKind.COMMUNITY)
            if n.code
        ]
        version = CatalogueVersion.objects.get(is_current=True)
        self.leaves = list(
            Category.objects.filter(version=version, level=3).select_related("responsible_unit")
        )
        self.direct_kinds = {ResponsibleKind.DEPARTMENT, ResponsibleKind.ENTERPRISE}
        self._fits: dict[tuple[str, ...], list[Any]] = {}

    def _subdistrict(self, path: str) -> str:
        for sub in self.subdistrict_unit:
            if path.startswith(sub):
                return sub
        return next(iter(self.subdistrict_unit))

    def leaf_for(self, keywords: tuple[str, ...]) -> Any:
        fits = self._fits.get(keywords)
        if fits is None:
            fits = next(
                (found for word in keywords if (found := [x for x in self.leaves if word in x.full_name])),
                self.leaves,
            )
            self._fits[keywords] = fits
        return self.rng.choice(fits)


def _person(rng: random.Random) -> tuple[str, str]:
    from civicgrid.requests.demo_history.texts import GIVEN, MOBILE_PREFIXES, SURNAMES

    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return name, rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def generate(path: Path, rows: int, seed: int) -> dict[str, Any]:
    """Write ``rows`` requests into ``path``; returns what was written (for the checks)."""
    from civicgrid.requests.constants import Channel, RequestType
    from civicgrid.requests.demo_history.texts import (
        GENERIC_ANSWER,
        GENERIC_REPLY,
        ROADS,
        SATISFIED_COMMENTS,
        TOPICS,
        TYPE_MIX,
        UNSATISFIED_COMMENTS,
    )
    from civicgrid.requests.history_import.columns import COLUMNS, HEADERS
    from civicgrid.requests.rates.cells import current_month
    from civicgrid.requests.rates.figures import add_months

    rng = random.Random(seed)
    world = World(rng)
    first = add_months(current_month(), -12)
    days = (current_month() - first).days
    channels = [Channel.HOTLINE] * 60 + [Channel.WEB] * 12 + [Channel.MINI_PROGRAM] * 12
    channels += [Channel.WALK_IN] * 6 + [Channel.GRID_WORKER] * 8 + [Channel.DOORPLATE] * 2
    types, weights = list(TYPE_MIX), list(TYPE_MIX.values())
    type_label = {t.value: t.label for t in RequestType}
    channel_label = {c.value: c.label for c in Channel}
    callers = [_person(rng) for _ in range(max(1, rows // 10))]
    by_type = {kind: [t for t in TOPICS if kind in t.types] for kind in types}
    per_day: dict[date, int] = {}
    ratings_by_month: dict[str, int] = {}
    keys = [c.key for c in COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([HEADERS[k] for k in keys])
        for _ in range(rows):
            received = datetime.combine(first, datetime.min.time()) + timedelta(
                days=rng.randrange(days), seconds=rng.randrange(7 * 3600, 22 * 3600)
            )
            seq = per_day[received.date()] = per_day.get(received.date(), SEQUENCE_BASE) + 1
            kind = rng.choices(types, weights)[0]
            topic = rng.choice(by_type.get(kind) or TOPICS)
            road = rng.choice(ROADS)
            place = f"梁溪区{road}{rng.randrange(1, 300)}号"
            name, phone = rng.choice(callers) if rng.random() < 0.3 else _person(rng)
            row = dict.fromkeys(keys, "")
            where = rng.random()
            if where < 0.7:
                lon, lat, sub = rng.choice(world.points)
                row["lon"], row["lat"] = f"{lon}", f"{lat}"
            elif where < 0.9:
                row["area_code"], sub = rng.choice(world.areas)
            else:
                sub = rng.choice(list(world.subdistrict_unit))
            leaf = world.leaf_for(topic.keywords)
            direct = kind == RequestType.CONSULTATION and rng.random() < 0.075  # ≈3 % of all
            if direct:
                unit = ""
                if not row["lon"] and not row["area_code"]:
                    row["area_code"] = rng.choice(world.areas)[0]
            elif leaf.responsible_kind in world.direct_kinds and leaf.responsible_unit_id:
                unit = leaf.responsible_unit.code
            else:
                unit = world.subdistrict_unit[sub]
            dispatched = received + timedelta(minutes=rng.randrange(3, 90))
            responded = dispatched + timedelta(minutes=rng.randrange(10, 24 * 60))
            replied = responded + timedelta(hours=rng.randrange(2, 7 * 24))
            closed = replied + timedelta(hours=rng.randrange(0, 48))
            row.update(
                number=f"{received:%Y%m%d}-{seq:06d}",
                received_at=f"{received:%Y-%m-%d %H:%M:%S}",
                channel=channel_label[rng.choice(channels)],
                type=type_label[kind],
                title=rng.choice(topic.titles),
                content=rng.choice(topic.contents).replace("{place}", place),
                address=place,
                requester_name=name,
                requester_phone=phone,
                category_code=leaf.code,
                unit_code=unit,
                status="已办结",
                closed_at=f"{closed:%Y-%m-%d %H:%M:%S}",
            )
            if direct:
                row["reply"] = topic.answer or GENERIC_ANSWER
            else:
                row.update(
                    dispatched_at=f"{dispatched:%Y-%m-%d %H:%M:%S}",
                    responded_at=f"{responded:%Y-%m-%d %H:%M:%S}",
                    replied_at=f"{replied:%Y-%m-%d %H:%M:%S}",
                    reply=rng.choice(topic.replies) if topic.replies else GENERIC_REPLY,
                )
            if rng.random() < 0.92:
                happy = rng.random()
                solved, satisfied = (
                    ("已解决", "满意")
                    if happy < 0.78
                    else ("部分解决", "基本满意")
                    if happy < 0.93
                    else ("未解决", "不满意")
                )
                row.update(
                    contacted="是" if rng.random() < 0.97 else "否",
                    resolution=solved,
                    satisfaction=satisfied,
                    rating_comment=rng.choice(SATISFIED_COMMENTS if happy < 0.93 else UNSATISFIED_COMMENTS),
                )
                month = f"{closed:%Y-%m}"
                ratings_by_month[month] = ratings_by_month.get(month, 0) + 1
            out.writerow([row[k] for k in keys])
    return {"ratings_by_month": ratings_by_month, "first": first}


# Measuring ---------------------------------------------------------------------------------------


def backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (only when the server is local)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_copy(path: Path) -> float:
    """Seconds to COPY the file as it is into an unindexed temporary table of text columns."""
    from django.db import connection, transaction

    with path.open("rb") as handle:
        width = len(next(csv.reader([handle.readline().decode("utf-8")])))
    columns = ", ".join(f"c{i} text" for i in range(width))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_bare ({columns}) ON COMMIT DROP")
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy("COPY bench_bare FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_bare")
        (count,) = cursor.fetchone()
    rate = count / seconds
    print(f"bare COPY into an unindexed temp table: {count:,} rows in {seconds:.2f} s = {rate:,.0f} rows/s")
    return seconds


def check(result: Any, expected: dict[str, Any], rows: int) -> None:
    from django.db.models import Count

    from civicgrid.core import crypto
    from civicgrid.requests.models import Rating, Request, RequestEvent
    from civicgrid.requests.rates.cells import EVERYTHING, cells, raw_cells
    from civicgrid.requests.rates.figures import Period

    events = RequestEvent.objects.filter(data__imported=result.key)
    ids = events.values("request_id")
    imported = Request.objects.filter(id__in=ids)
    assert result.imported == rows == imported.count(), (result.imported, rows)
    assert events.count() == rows
    sample = imported.exclude(requester_phone_enc="").first()
    assert sample is not None and len(crypto.decrypt(sample.requester_phone_enc)) >= 11
    assert sample.requester_phone_hash == crypto.blind_index(crypto.decrypt(sample.requester_phone_enc))
    month_key = max(expected["ratings_by_month"], key=lambda m: expected["ratings_by_month"][m])
    month = date.fromisoformat(f"{month_key}-01")
    served, source = cells(Period.month(month), EVERYTHING)
    raw = raw_cells(Period.month(month), EVERYTHING)
    served_rated = sum(c.rated for c in served.values())
    assert served == raw or {k: v for k, v in served.items() if v.rated or v.received or v.closed} == {
        k: v for k, v in raw.items() if v.rated or v.received or v.closed
    }, "rates differ from the raw rows"
    in_db = Rating.objects.filter(request_id__in=ids, month=month).aggregate(n=Count("id"))["n"]
    assert in_db == expected["ratings_by_month"][month_key] == served_rated, (in_db, served_rated)
    print(
        f"check: {rows:,} requests, {events.count():,} history rows, phone decrypts and its blind index "
        f"matches; {month_key}: {served_rated:,} ratings via {source} = raw recount"
    )


def cleanup(key: str) -> None:
    from django.db import connection, transaction

    from civicgrid.requests.models import Rating, Request, RequestEvent, WorkOrder
    from civicgrid.requests.rollups import RateRollup, RateRollupMonth

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE bench_ids ON COMMIT DROP AS SELECT request_id AS id FROM "
            f"{RequestEvent._meta.db_table} WHERE data->>'imported' = %s",
            [key],
        )
        for model in (Rating, WorkOrder, RequestEvent):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE request_id IN (SELECT id FROM bench_ids)"
            )
        cursor.execute(f"DELETE FROM {Request._meta.db_table} WHERE id IN (SELECT id FROM bench_ids)")
        RateRollup.objects.all().delete()  # the bench database's rollups: all of the bench months
        RateRollupMonth.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    print(f"cleanup: imported rows deleted and tables vacuumed in {time.perf_counter() - started:.1f} s")


def watch_write() -> dict[str, float]:
    """Add up the backend's CPU seconds of the whole write (``write``) and of each table's COPYs."""
    from civicgrid.requests.history_import import service, writer

    spent: dict[str, float] = {}
    write, copy_rows = service._Import.write, writer.copy_rows

    def add(name: str, before: float | None, after: float | None) -> None:
        if before is not None and after is not None:
            spent[name] = spent.get(name, 0.0) + after - before

    def watched_copy(model: Any, columns: Any, rows: Any) -> int:
        before = backend_cpu()
        count = copy_rows(model, columns, rows)
        add(model._meta.db_table, before, backend_cpu())
        return count

    writer.copy_rows = watched_copy

    def watched(self: Any, chunks: Any) -> None:
        before = backend_cpu()
        try:
            write(self, chunks)
        finally:
            add("write", before, backend_cpu())

    service._Import.write = watched  # type: ignore[method-assign]
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the imported rows")
    parser.add_argument("--dry-run", action="store_true", help="validate only")
    parser.add_argument("--no-rollup", action="store_true", help="do not rebuild rollups after the import")
    args = parser.parse_args()
    if urlparse(os.environ["DATABASE_URL"]).scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point to PostgreSQL")

    import django

    django.setup()
    from civicgrid.accounts.models import User
    from civicgrid.requests.history_import import requests_history_import
    from civicgrid.requests.rates.cells import rollup_build

    setup_database()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        started = time.perf_counter()
        expected = generate(path, args.rows, args.seed)
        size = path.stat().st_size
        print(
            f"generated {args.rows:,} rows, {size / 1e6:.1f} MB CSV in {time.perf_counter() - started:.1f} s"
        )
        bare = bare_copy(path)
        # Rollups of two of the months exist before the import, as they would in production.
        first = expected["first"]
        for month in (first, date(first.year + (first.month == 12), first.month % 12 + 1, 1)):
            rollup_build(month)
        actor = User.objects.filter(admin_role="system", is_active=True).order_by("id").first()
        assert actor is not None, "no system administrator in the database"
        data = path.read_bytes()
        spent = watch_write()
        started = time.perf_counter()
        try:
            result = requests_history_import(
                actor=actor,
                file_name=path.name,
                data=data,
                dry_run=args.dry_run,
                rebuild_rollups=not args.no_rollup,
            )
        finally:
            total = time.perf_counter() - started
    if result.errors:
        for error in result.errors[:20]:
            print(f"  row {error.row} {error.column}: {error.reason}")
        sys.exit(f"{len(result.errors)} problems: nothing imported")
    n = result.rows
    seconds = result.seconds
    overall = seconds["import"]
    if args.dry_run:
        print(f"check only ({n:,} rows): {overall:.2f} s = {n / overall:,.0f} rows/s")
        return
    print(
        f"import (read, check, COPY into 4 tables with their indexes and foreign keys, commit): "
        f"{overall:.2f} s = {n / overall:,.0f} rows/s   target ≥ 50,000 rows/s"
    )
    print(f"ratio to the bare COPY of the same file: {bare / overall:.3f} ({overall / bare:.1f}× slower)")
    print(f"    {'read + check':<24} {seconds.get('check', 0.0):6.2f} s")
    for name, value in seconds.items():
        if name.startswith("write:"):
            print(f"    {name[6:]:<24} {value:6.2f} s")
    python = result.cpu["import"]
    if "write" in spent:
        server = spent["write"]
        print(
            f"CPU seconds: this process {python:.1f}, PostgreSQL {server:.1f}; per row "
            f"{python / n * 1e6:.0f} µs + {server / n * 1e6:.0f} µs"
        )
        # The two sides on a core each, wholly overlapped: the most this machine could give.
        bound = max(python, server)
        print(f"bound for this code on 2 idle cores: {bound:.1f} s = {n / bound:,.0f} rows/s")
        tables = {name.removeprefix("requests_"): value for name, value in spent.items() if name != "write"}
        split = ", ".join(f"{name} {value:.1f}" for name, value in tables.items())
        copies = sum(tables.values())
        print(f"PostgreSQL CPU seconds by table (COPY): {split}; the rest {server - copies:.1f}")
    if result.months_dropped:
        print(
            f"rollups: {len(result.months_dropped)} built month(s) dropped in the import, "
            f"{len(result.months_rebuilt)} rebuilt after it in {result.seconds.get('rollup', 0.0):.2f} s "
            f"(not in the figures above); call returned after {total:.2f} s"
        )
    check(result, expected, n)
    if not args.keep:
        cleanup(result.key)


if __name__ == "__main__":
    main()
