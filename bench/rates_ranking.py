"""Benchmark: the three rates and the ranking of all subdistricts for one month, on PostgreSQL,
for the last ended month and for the current month, over 10 million requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/rates_ranking.py [--requests 10000000] [--runs 10] [--raw-runs 2]
            [--live 2000] [--fresh] [--drop]

Uses the database ``civicgrid_rates`` on the server of DATABASE_URL and keeps it between
runs: the first run (or ``--fresh``) creates it, migrates it and generates, with
``INSERT … SELECT generate_series`` in the database itself:

* a territory of 10 districts, 300 subdistricts and 1,200 communities;
* 350 handling units: 300 subdistricts, 40 departments, 10 enterprises;
* N requests spread evenly from the first day of the 13th month before the current one
  to an hour ago (so the current month holds its share so far), minimal rows: the
  columns the rates read — lead unit, place, received time — and the defaults of the rest;
* one rating per request, and a second round for those rated unsatisfied and unsolved
  (about 0.6 %), which are reopened; a close event per closure and a reopen event per
  reopening (the other actions of a real timeline are not generated).

Indexes are dropped during the load and rebuilt afterwards with the project's own
definitions; then every month's rollup is built (``rollup_refresh``). Generating 10M
rows takes about 20 minutes on 2 busy cores, the 14 rollups as long again. A later run
only applies new migrations and runs ``rollup_tick`` (the periodic task); once the
calendar month has changed, the seed's "current month" is no longer the current one:
generate again with ``--fresh``.

Then, for the last ended month and for the current month, it times the served computation
— the rates of every subdistrict node and the ranking of all subdistrict units (which also
reads the previous month) — and the same from raw rows, and runs
``ranking_recompute_check`` (every ranking of the month recomputed from raw rows and
compared unit by unit), timed. Prints median/p95 and the ratio raw/served.

Last, the journal at scale, in a transaction rolled back at the end (the kept database
does not change): a batch of changes through the ORM — new requests, ratings (second
rounds), close and reopen events, reassignments of requests received in earlier months —
each writing its deltas; the current month is timed and checked against raw rows with the
deltas pending, then after ``rollup_compact`` folds them in.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_TESTING", "1")  # development keys, immediate task backend

BENCH_DB = "civicgrid_rates"
DISTRICTS, SUBDISTRICTS, COMMUNITIES_EACH = 10, 300, 4
DEPARTMENTS, ENTERPRISES = 40, 10
MONTHS = 13
CHUNK = 1_000_000
TABLES = ("requests_request", "requests_rating", "requests_requestevent")


def bench_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point to PostgreSQL (postgres://…)")
    return urlunparse(parsed._replace(path=f"/{BENCH_DB}"))


def admin_exec(url: str, sql: str) -> Any:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


def step(label: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


# Generation --------------------------------------------------------------------------------


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return "'{}'::jsonb" if not value else f"'{value}'::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def column_exprs(model: Any, explicit: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every column of ``model``: the given SQL expression, else NULL or the field's default."""
    from django.db.models import NOT_PROVIDED

    columns, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in explicit:
            continue  # the sequence
        columns.append(f.column)
        if f.column in explicit:
            exprs.append(explicit[f.column])
        elif f.null:
            exprs.append("NULL")
        elif f.default is not NOT_PROVIDED:
            exprs.append(sql_literal(f.default() if callable(f.default) else f.default))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            exprs.append("now()")
        elif f.get_internal_type() in ("CharField", "TextField"):
            exprs.append("''")
        else:
            raise SystemExit(f"no value for {model.__name__}.{f.column}")
    return columns, exprs


def make_territory() -> None:
    from civicgrid.requests.constants import UnitKind
    from civicgrid.requests.models import HandlingUnit
    from civicgrid.territory.models import Node, NodeKind

    nodes = [Node(id=1, kind=NodeKind.CITY, code="C", name="基准市", path="1/", depth=0)]
    next_id = 2
    subdistricts: list[Node] = []
    for d in range(DISTRICTS):
        district = Node(id=next_id, kind=NodeKind.DISTRICT, code=f"D{d}", name=f"区{d}", parent_id=1, depth=1)
        district.path = f"1/{district.id}/"
        nodes.append(district)
        next_id += 1
        for s in range(SUBDISTRICTS // DISTRICTS):
            sub = Node(id=next_id, kind=NodeKind.SUBDISTRICT, code=f"S{d}-{s}", name=f"街道{d}-{s}")
            sub.parent_id, sub.depth, sub.path = district.id, 2, f"{district.path}{next_id}/"
            nodes.append(sub)
            subdistricts.append(sub)
            next_id += 1
    for sub in subdistricts:
        for c in range(COMMUNITIES_EACH):
            community = Node(
                id=next_id, kind=NodeKind.COMMUNITY, code=f"{sub.code}-{c}", name=f"{sub.name}社区{c}"
            )
            community.parent_id, community.depth, community.path = sub.id, 3, f"{sub.path}{next_id}/"
            nodes.append(community)
            next_id += 1
    Node.objects.bulk_create(nodes, batch_size=2000)
    units = [
        HandlingUnit(
            id=i + 1,
            code=f"U{i + 1}",
            name=f"{sub.name}办事处",
            kind=UnitKind.SUBDISTRICT,
            node=sub,
            node_path=sub.path,
        )
        for i, sub in enumerate(subdistricts)
    ]
    city = nodes[0]
    for i in range(DEPARTMENTS + ENTERPRISES):
        kind = UnitKind.DEPARTMENT if i < DEPARTMENTS else UnitKind.ENTERPRISE
        uid = SUBDISTRICTS + i + 1
        units.append(
            HandlingUnit(id=uid, code=f"U{uid}", name=f"单位{uid}", kind=kind, node=city, node_path=city.path)
        )
    HandlingUnit.objects.bulk_create(units)


def load_helpers(cursor: Any) -> None:
    from civicgrid.territory.models import NodeKind

    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_place AS
        SELECT (row_number() OVER (ORDER BY c.id) - 1)::int AS idx, c.id AS node_id, c.path,
               u.id AS sub_unit
        FROM territory_node c
        JOIN territory_node s ON s.id = c.parent_id
        JOIN requests_handlingunit u ON u.node_id = s.id
        WHERE c.kind = %s
        """,
        [NodeKind.COMMUNITY],
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_place (idx)")
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_quality AS "
        "SELECT id AS unit_id, 0.80 + 0.18 * random() AS q FROM requests_handlingunit"
    )


def drop_indexes(cursor: Any) -> list[str]:
    """Drop every non-primary-key index and unique constraint of the big tables; return the DDL."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)
        """,
        [list(TABLES)],
    )
    constraints = cursor.fetchall()
    recreate = []
    for table, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND i.indexname NOT IN (SELECT conname FROM pg_constraint)
        """,
        [list(TABLES)],
    )
    for name, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
        recreate.append(definition)
    return recreate


def insert_requests(cursor: Any, n: int, start: datetime, end: datetime) -> None:
    from civicgrid.requests.models import Request

    explicit = {
        "id": "x.g",
        "number": "'B' || lpad(x.g::text, 12, '0')",
        "channel": "(ARRAY['hotline','web','mini_program','walk_in','grid_worker'])[1 + mod(x.g, 5)]",
        "type": "(ARRAY['complaint','help','consultation','suggestion'])[1 + mod(x.g, 4)]",
        "title": "'基准诉求'",
        "content": "'基准'",
        "status": "'closed'",
        "lead_unit_id": f"CASE WHEN x.r < 0.85 THEN pl.sub_unit WHEN x.r < 0.97 "
        f"THEN {SUBDISTRICTS + 1} + mod(x.k, {DEPARTMENTS}) "
        f"ELSE {SUBDISTRICTS + DEPARTMENTS + 1} + mod(x.k, {ENTERPRISES}) END",
        "received_at": "x.received",
        "dispatched_at": "x.received",
        "created_at": "x.received",
        "updated_at": "x.received",
        "node_id": "pl.node_id",
        "node_path": "pl.path",
    }
    columns, exprs = column_exprs(Request, explicit)
    places = SUBDISTRICTS * COMMUNITIES_EACH
    for lo in range(1, n + 1, CHUNK):
        hi = min(n, lo + CHUNK - 1)
        cursor.execute(
            f"""
            INSERT INTO requests_request ({", ".join(columns)})
            SELECT {", ".join(exprs)}
            FROM (
                SELECT g, random() AS r, (random() * 1e6)::int AS k,
                       least({places - 1}, floor(power(random(), 1.3) * {places}))::int AS place,
                       %s::timestamptz + random() * (%s::timestamptz - %s::timestamptz) AS received
                FROM generate_series(%s, %s) g
            ) x JOIN bench_place pl ON pl.idx = x.place
            """,
            [start, end, start, lo, hi],
        )
        print(f"    requests {hi:,}", flush=True)


MONTH_OF = "date_trunc('month', {t} AT TIME ZONE 'Asia/Shanghai')::date"


def insert_ratings(cursor: Any, n: int) -> None:
    from civicgrid.requests.models import Rating

    explicit = {
        "request_id": "s.id",
        "round": "1",
        "unit_id": "s.lead_unit_id",
        "node_path": "s.node_path",
        "month": MONTH_OF.format(t="s.t"),
        "contacted": "s.a < s.q + 0.04",
        "resolution": "CASE WHEN s.b < s.q THEN 'solved' WHEN s.b < s.q + (1 - s.q) / 2 THEN 'partly' "
        "ELSE 'unsolved' END",
        "satisfaction": "CASE WHEN s.c < s.q THEN 'satisfied' WHEN s.c < s.q + (1 - s.q) * 0.6 THEN 'basic' "
        "ELSE 'unsatisfied' END",
        "via": "'callback'",
        "created_at": "s.t",
    }
    columns, exprs = column_exprs(Rating, explicit)
    for lo in range(1, n + 1, CHUNK):
        hi = min(n, lo + CHUNK - 1)
        cursor.execute(
            f"""
            INSERT INTO requests_rating ({", ".join(columns)})
            SELECT {", ".join(exprs)}
            FROM (
                SELECT r.id, r.lead_unit_id, r.node_path, bq.q,
                       least(now() - interval '1 hour', r.received_at + random() * interval '10 days') AS t,
                       random() AS a, random() AS b, random() AS c
                FROM requests_request r JOIN bench_quality bq ON bq.unit_id = r.lead_unit_id
                WHERE r.id BETWEEN %s AND %s
            ) s
            """,
            [lo, hi],
        )
        print(f"    ratings {hi:,}", flush=True)


BAD = "satisfaction = 'unsatisfied' AND resolution <> 'solved'"


def insert_rounds_and_events(cursor: Any) -> None:
    from civicgrid.requests.models import Rating, RequestEvent

    event_cols, event_exprs = column_exprs(
        RequestEvent,
        {
            "request_id": "request_id",
            "action": "{action}",
            "from_status": "'called_back'",
            "to_status": "{to}",
            "actor_name": "'系统'",
            "unit_id": "{unit}",
            "data": "'{{}}'::jsonb",
            "created_at": "created_at + interval '1 minute'",
        },
    )
    event_select = ", ".join(event_exprs)
    # Round 1: unsatisfied and unsolved ratings reopen the request; the others close it.
    cursor.execute(
        f"INSERT INTO requests_requestevent ({', '.join(event_cols)}) SELECT "
        + event_select.format(
            action=f"CASE WHEN {BAD} THEN 'reopen' ELSE 'close' END",
            to=f"CASE WHEN {BAD} THEN 'dispatched' ELSE 'closed' END",
            unit=f"CASE WHEN {BAD} THEN unit_id END",
        )
        + " FROM requests_rating WHERE round = 1"
    )
    rating_cols, rating_exprs = column_exprs(
        Rating,
        {
            "request_id": "request_id",
            "round": "2",
            "unit_id": "unit_id",
            "node_path": "node_path",
            "month": MONTH_OF.format(t="least(now() - interval '1 hour', created_at + interval '5 days')"),
            "contacted": "true",
            "resolution": "CASE WHEN random() < 0.7 THEN 'solved' ELSE 'partly' END",
            "satisfaction": "CASE WHEN random() < 0.6 THEN 'satisfied' ELSE 'basic' END",
            "via": "'callback'",
            "created_at": "least(now() - interval '1 hour', created_at + interval '5 days')",
        },
    )
    cursor.execute(
        f"INSERT INTO requests_rating ({', '.join(rating_cols)}) SELECT {', '.join(rating_exprs)} "
        f"FROM requests_rating WHERE round = 1 AND {BAD}"
    )
    cursor.execute(
        f"INSERT INTO requests_requestevent ({', '.join(event_cols)}) SELECT "
        + event_select.format(action="'close'", to="'closed'", unit="NULL")
        + " FROM requests_rating WHERE round = 2"
    )


def generate(n: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from civicgrid.requests.rates.cells import bounds, current_month
    from civicgrid.requests.rates.figures import Period, add_months

    first = add_months(current_month(), -MONTHS)
    start, _ = bounds(Period.month(first))
    end = timezone.now() - timedelta(hours=1)
    step("territory and units", make_territory)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
        step("helper tables", lambda: load_helpers(cursor))
        recreate = step("drop indexes", lambda: drop_indexes(cursor))
        step(f"{n:,} requests", lambda: insert_requests(cursor, n, start, end))
        step("ratings (round 1)", lambda: insert_ratings(cursor, n))
        step("reopen/close events and second rounds", lambda: insert_rounds_and_events(cursor))

        def rebuild() -> None:
            for ddl in recreate:
                cursor.execute(ddl)

        step(f"rebuild {len(recreate)} indexes", rebuild)
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        step("analyze", lambda: cursor.execute("ANALYZE"))
        cursor.execute("DROP TABLE bench_place, bench_quality")
        cursor.execute("SET session_replication_role = DEFAULT")


# Timing ------------------------------------------------------------------------------------


def rates_and_ranking(month: date, source: str) -> tuple[Any, dict[str, Any]]:
    """Rates of every subdistrict node and the ranking of all subdistrict units."""
    from civicgrid.requests.constants import UnitKind
    from civicgrid.requests.rates import Period, by_paths, cells, ranking, rates_of
    from civicgrid.requests.rates.cells import BY_AREA, Slice, subdistrict_paths

    board = ranking(month, UnitKind.SUBDISTRICT, source=source)
    paths = sorted(subdistrict_paths())
    found, _ = cells(Period.month(month), Slice(paths=None), source=source, by=BY_AREA)
    nodes = {path: rates_of(c) for path, c in by_paths(found, paths).items()}
    return board, nodes


def timed(fn: Callable[[], Any], runs: int, *, warm_up: bool = True) -> tuple[list[float], Any]:
    """Milliseconds of each of ``runs`` calls (after one untimed warm-up call), and the last result."""
    result = fn() if warm_up else None  # connection, plans, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def signature(result: tuple[Any, dict[str, Any]]) -> tuple[Any, ...]:
    board, nodes = result
    return (
        [r.signature() for r in board.rows()],
        sorted((path, r.counts.as_tuple()) for path, r in nodes.items()),
    )


def compare_month(label: str, month: date, runs: int, raw_runs: int) -> dict[str, Any]:
    """Served vs raw for one month: times, ratio, and the recompute check (timed)."""
    from civicgrid.requests.models import Rating
    from civicgrid.requests.rates import ranking_recompute_check
    from civicgrid.requests.rates.cells import RAW, rollup_ready

    served, (board, nodes) = timed(lambda: rates_and_ranking(month, "auto"), runs)
    raw, raw_result = timed(lambda: rates_and_ranking(month, RAW), raw_runs, warm_up=False)
    same = signature((board, nodes)) == signature(raw_result)
    started = time.perf_counter()
    check = ranking_recompute_check(month)
    check_ms = (time.perf_counter() - started) * 1000
    med, raw_med = statistics.median(served), statistics.median(raw)
    verdict = "met" if p95(served) < 500 else "NOT met"
    print(
        f"\n{label} {month:%Y-%m} ({Rating.objects.filter(month=month).count():,} ratings; "
        f"from rollup: {rollup_ready(month)}): {len(board.ranked)} subdistrict units ranked, "
        f"{len(nodes)} subdistrict nodes"
    )
    print(
        f"  served (rollup + deltas): median {med:.1f} ms, p95 {p95(served):.1f} ms over {len(served)} runs"
    )
    print(f"  raw rows:                 median {raw_med:.1f} ms, p95 {p95(raw):.1f} ms over {len(raw)} runs")
    print(f"  ratio raw / served: {raw_med / med:.0f}x; target p95 < 500 ms: {verdict}")
    print(
        f"  served == raw (every rank row and node count): {same}; ranking_recompute_check: "
        f"{'equal' if check.ok else 'DIFFERENT'} ({check.compared} units, all kinds) in {check_ms:.0f} ms"
    )
    for diff in check.differences[:10]:
        print("    ", diff)
    top = board.ranked[:3]
    print("  top 3:", ", ".join(f"{r.rank}. {r.name} {r.rates.display()['composite']}" for r in top))
    classes = {k: len(board.of_class(k)) for k in ("advanced", "improving", "rectification", "governance")}
    print("  classes:", classes)
    return {"median": med, "p95": p95(served), "raw": raw_med, "equal": same and check.ok}


def live_changes(n: int, seed: int = 7) -> dict[str, int]:
    """A batch of changes through the ORM, each writing its deltas (the journal's signals)."""
    from django.db.models import Max
    from django.utils import timezone

    from civicgrid.requests.constants import Action
    from civicgrid.requests.models import HandlingUnit, Rating, Request, RequestEvent
    from civicgrid.requests.rates.cells import current_month

    rng = random.Random(seed)
    now = timezone.now()
    max_id = Request.objects.aggregate(m=Max("id"))["m"]
    picks = [rng.randint(1, max_id) for _ in range(n)]
    requests = {r.pk: r for r in Request.objects.filter(pk__in=picks)}
    units = list(HandlingUnit.objects.values_list("pk", flat=True))
    rounds = dict(
        Rating.objects.filter(request_id__in=requests).values_list("request_id").annotate(m=Max("round"))
    )
    done = {"ratings": 0, "closes": 0, "reopens": 0, "reassigned": 0, "received": 0}
    for i, request in enumerate(requests.values()):
        kind = i % 4
        if kind == 0:  # a new round of rating, given now (possibly for a request of an earlier month)
            Rating.objects.create(
                request=request,
                round=rounds.get(request.pk, 0) + 1,
                unit_id=request.lead_unit_id,
                node_path=request.node_path,
                month=current_month(),
                contacted=rng.random() < 0.9,
                resolution=rng.choice(["solved", "partly", "unsolved"]),
                satisfaction=rng.choice(["satisfied", "basic", "unsatisfied"]),
                via="callback",
                created_at=now,
            )
            done["ratings"] += 1
        elif kind == 1:  # reopened, then closed again
            RequestEvent.objects.create(
                request=request, action=Action.REOPEN, unit_id=request.lead_unit_id, created_at=now
            )
            RequestEvent.objects.create(request=request, action=Action.CLOSE, created_at=now)
            done["reopens"] += 1
            done["closes"] += 1
        elif kind == 2:  # reassigned to another unit (its received count and unit-less closes move)
            request.lead_unit_id = rng.choice([u for u in units if u != request.lead_unit_id])
            request.save()
            done["reassigned"] += 1
        else:  # a new request received now
            Request.objects.create(
                number=f"L{i:011d}",
                channel="hotline",
                type="complaint",
                title="新诉求",
                content="新诉求",
                node_id=request.node_id,
                node_path=request.node_path,
                lead_unit_id=request.lead_unit_id,
                received_at=now,
            )
            done["received"] += 1
    return done


def measure(runs: int, raw_runs: int, live: int) -> None:
    from django.db import transaction

    from civicgrid.requests.models import Rating, Request, RequestEvent
    from civicgrid.requests.rates import rollup_compact, rollup_tick
    from civicgrid.requests.rates.cells import current_month
    from civicgrid.requests.rates.figures import add_months
    from civicgrid.requests.rollups import RateDelta

    print(
        f"rows: {Request.objects.count():,} requests, {Rating.objects.count():,} ratings, "
        f"{RequestEvent.objects.count():,} events",
        flush=True,
    )
    print(f"periodic task: {step('rollup_tick', rollup_tick)}", flush=True)
    ended = compare_month("last ended month", add_months(current_month(), -1), runs, raw_runs)
    live_month = compare_month("current month", current_month(), runs, raw_runs)

    print(f"\njournal at scale ({live} changes through the ORM, rolled back afterwards)")
    with transaction.atomic():
        started = time.perf_counter()
        done = live_changes(live)
        took = time.perf_counter() - started
        pending = RateDelta.objects.filter(month=current_month()).count()
        print(f"  applied {done} in {took:.1f} s; {pending} deltas pending for the current month")
        with_deltas = compare_month("current month, deltas pending:", current_month(), runs, 1)
        started = time.perf_counter()
        folded = rollup_compact()
        print(f"  rollup_compact folded {folded} deltas in {(time.perf_counter() - started) * 1000:.0f} ms")
        folded_in = compare_month("current month, deltas folded:", current_month(), runs, 1)
        transaction.set_rollback(True)
    everything = (ended, live_month, with_deltas, folded_in)
    worst = max(r["p95"] for r in everything)
    print(
        f"\nsummary: ended month median {ended['median']:.1f} ms (raw {ended['raw']:.0f} ms), current month "
        f"median {live_month['median']:.1f} ms (raw {live_month['raw']:.0f} ms); worst p95 {worst:.1f} ms "
        f"(target < 500 ms: {'met' if worst < 500 else 'NOT met'}); "
        f"all equal to raw recomputation: {all(r['equal'] for r in everything)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of the served computation")
    parser.add_argument("--raw-runs", type=int, default=2, help="timed runs from raw rows (~1 min each)")
    parser.add_argument("--live", type=int, default=2000, help="changes in the journal-at-scale step")
    parser.add_argument("--fresh", action="store_true", help="drop the kept database and generate again")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    original = os.environ.get("DATABASE_URL", "")
    url = bench_url(original)
    exists = bool(admin_exec(original, f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'"))
    if args.fresh or not exists:
        admin_exec(original, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin_exec(original, f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.requests.models import Request

    try:
        step("migrate", lambda: call_command("migrate", verbosity=0))
        if not Request.objects.exists():
            print(f"generating {args.requests:,} requests into {BENCH_DB}", flush=True)
            started = time.perf_counter()
            generate(args.requests)
            print(f"generation total: {(time.perf_counter() - started) / 60:.1f} min", flush=True)
            from civicgrid.requests.rates import rollup_refresh
            from civicgrid.requests.rates.cells import current_month
            from civicgrid.requests.rates.figures import Period, add_months

            months = Period(add_months(current_month(), -MONTHS), current_month()).months()
            step(f"rollups of {len(months)} months", lambda: rollup_refresh(months=months))
            with connection.cursor() as cursor:  # as autovacuum would, soon after
                cursor.execute("ANALYZE requests_raterollup")
        else:
            print(f"reusing {BENCH_DB} (--fresh to generate again)", flush=True)
        measure(args.runs, args.raw_runs, args.live)
    finally:
        connection.close()
        if args.drop:
            admin_exec(original, f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
