"""Benchmark: hot issues of one month of a city-size demo (about 2 million requests), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/hot_issues.py [--requests 2000000] [--runs 3] [--db NAME] [--keep] [--reuse]

Builds (drops and creates) the database ``--db`` on the server of DATABASE_URL, migrates it
and generates:

* a territory like ``civicgrid demo --size city``: 10 districts, 300 subdistricts, 3,000
  communities, 10,000 grids;
* a catalogue of 15 × 4 × 4 = 240 leaves;
* ``--requests`` requests in the month being measured and 90 % as many in the month
  before (the previous period gives each hot issue its growth), with the minimal columns
  (place, category, received time, phone hash) and the defaults of the rest;
* their words (``RequestTerms``). In the product the words are cut by jieba when a
  request arrives (``governance_tick``, every minute); here they are synthetic so that the
  set-up does not take an hour: background requests draw 8 words from a Zipf vocabulary
  of 60,000, and 2,000 planted problems (3–60 requests each, one grid, one leaf, a few
  days) share 5 core words and add 3 of the background. How fast jieba indexes real
  messages is measured separately (``hot_messages.csv``, requests per second).

Then it times ``governance.hot.compute`` (read, cluster, rank: exactly what the page and
``civicgrid governance_hot`` run, without writing the 100 stored issues) for the whole city
and the measured month, ``--runs`` times, and checks that the planted problems are found.
Prints the figures; drops the database at the end unless ``--keep``.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_TESTING", "1")

DISTRICTS, SUBDISTRICTS, COMMUNITIES, GRIDS = 10, 300, 3000, 10_000
VOCABULARY, BACKGROUND_WORDS = 60_000, 8
PLANTED, CORE_WORDS = 2000, 5
MONTH = date(2026, 9, 1)
PREVIOUS = date(2026, 8, 1)
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "messages" / "hot_messages.csv"


def database_url(url: str, name: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point to PostgreSQL (postgres://…)")
    return urlunparse(parsed._replace(path=f"/{name}"))


def admin_exec(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def step(label: str, fn: Any) -> Any:
    started = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


# Generation --------------------------------------------------------------------------------


def make_territory() -> list[int]:
    """The tree; returns the grid ids in order."""
    from civicgrid.territory.models import Node, NodeKind

    nodes = [Node(id=1, kind=NodeKind.CITY, code="990100000000", name="压测市", path="1/", depth=0)]
    next_id = 2

    def add(kind: str, name: str, parent: Node) -> Node:
        nonlocal next_id
        node = Node(id=next_id, kind=kind, code=f"B{next_id}", name=name, parent_id=parent.id)
        node.depth, node.path = parent.depth + 1, f"{parent.path}{next_id}/"
        nodes.append(node)
        next_id += 1
        return node

    districts = [add(NodeKind.DISTRICT, f"区{d}", nodes[0]) for d in range(DISTRICTS)]
    subs = [add(NodeKind.SUBDISTRICT, f"街道{s}", districts[s % DISTRICTS]) for s in range(SUBDISTRICTS)]
    communities = [add(NodeKind.COMMUNITY, f"社区{c}", subs[c % SUBDISTRICTS]) for c in range(COMMUNITIES)]
    grids = [add(NodeKind.GRID, f"网格{g}", communities[g % COMMUNITIES]) for g in range(GRIDS)]
    Node.objects.bulk_create(nodes, batch_size=5000)
    return [g.id for g in grids]


def make_catalogue() -> list[int]:
    from civicgrid.requests.models import CatalogueVersion, Category

    version = CatalogueVersion.objects.create(number=1, is_current=True)
    leaves = []
    for a in range(15):
        top = Category.objects.create(
            version=version, code=f"{a + 1:02d}", name=f"类{a}", level=1, full_name=f"类{a}"
        )
        for b in range(4):
            mid = Category.objects.create(
                version=version,
                code=f"{top.code}{b + 1:02d}",
                name=f"项{b}",
                level=2,
                parent=top,
                full_name="x",
            )
            for c in range(4):
                leaves.append(
                    Category(
                        version=version,
                        code=f"{mid.code}{c + 1:02d}",
                        name="叶",
                        level=3,
                        parent=mid,
                        full_name="x",
                    )
                )
    return [c.id for c in Category.objects.bulk_create(leaves)]


def month_rows(
    month: date, n: int, grids: list[int], leaves: list[int], scale: float, seed: int
) -> dict[str, Any]:
    """Columns of ``n`` requests of ``month``: planted problems first, then the background."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes = np.clip((rng.pareto(1.6, PLANTED) * 8 + 3) * scale, 1, 60).astype(np.int64)
    planted = int(sizes.sum())
    cluster = np.repeat(np.arange(PLANTED), sizes)
    grid = np.empty(n, np.int64)
    leaf = np.empty(n, np.int64)
    at = np.empty(n, np.float64)
    from zoneinfo import ZoneInfo

    from django.conf import settings

    start = datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).timestamp()
    seconds = 30 * 86400
    grid[:planted] = np.asarray(grids)[(cluster * 977) % len(grids)]
    leaf[:planted] = np.asarray(leaves)[(cluster * 31) % len(leaves)]
    at[:planted] = start + ((cluster * 7) % 25) * 86400 + rng.uniform(0, 4 * 86400, planted)
    grid[planted:] = rng.choice(grids, n - planted)
    leaf[planted:] = rng.choice(leaves, n - planted)
    at[planted:] = start + rng.uniform(0, seconds, n - planted)
    phone = rng.integers(0, 1_500_000, n)
    # Words: a Zipf draw over the vocabulary (ids 1..VOCABULARY), planted cores above it.
    background = np.minimum(rng.zipf(1.3, (n, BACKGROUND_WORDS)), VOCABULARY).astype(np.uint32)
    words = background.copy()
    core = (VOCABULARY + 1 + cluster[:, None] * CORE_WORDS + np.arange(CORE_WORDS)).astype(np.uint32)
    words[:planted, :CORE_WORDS] = core
    return {
        "grid": grid,
        "leaf": leaf,
        "at": at,
        "phone": phone,
        "words": words,
        "planted": planted,
        "sizes": sizes,
    }


def copy_month(cols: dict[str, Any], paths: dict[int, str], month: date, tag: str) -> None:
    import numpy as np
    from django.db import connection

    from civicgrid.requests.models import Request

    n = len(cols["grid"])
    explicit = {
        "number": None,
        "node_id": None,
        "node_path": None,
        "category_id": None,
        "received_at": None,
        "requester_phone_hash": None,
    }
    fields = [f for f in Request._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = datetime.now(UTC)

    def default(f: Any) -> Any:
        from django.db.models import NOT_PROVIDED

        if f.null:
            return None
        if f.default is not NOT_PROVIDED:
            return f.default() if callable(f.default) else f.default
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return now
        return ""

    constants = {f.column: default(f) for f in fields if f.column not in explicit}
    constants |= {"channel": "hotline", "type": "complaint", "title": "压测诉求", "content": "压测"}
    constants |= {"status": "closed", "level": "subdistrict", "light": "green"}
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY requests_request ({', '.join(columns)}) FROM STDIN") as cp,
    ):
        for i in range(n):
            row = dict(constants)
            grid = int(cols["grid"][i])
            row |= {
                "number": f"{tag}{i:08d}",
                "node_id": grid,
                "node_path": paths[grid],
                "category_id": int(cols["leaf"][i]),
                "received_at": datetime.fromtimestamp(float(cols["at"][i]), UTC),
                "requester_phone_hash": f"p{int(cols['phone'][i])}",
            }
            cp.write_row([row[c] for c in columns])
    ids = np.array(
        Request.objects.filter(number__startswith=tag).order_by("number").values_list("id", flat=True),
        dtype=np.int64,
    )
    words = cols["words"].astype("<u4")
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY governance_requestterms (request_id, terms, computed_at) FROM STDIN") as cp,
    ):
        for i in range(n):
            cp.write_row([int(ids[i]), words[i].tobytes(), now])


def generate(requests: int) -> dict[str, Any]:
    from django.db import connection

    from civicgrid.territory.models import Node

    grids = step("territory (13,311 nodes)", make_territory)
    leaves = step("catalogue (240 leaves)", make_catalogue)
    paths = dict(Node.objects.filter(id__in=grids).values_list("id", "path"))
    previous = month_rows(PREVIOUS, int(requests * 0.9), grids, leaves, 0.5, seed=7)
    current = month_rows(MONTH, requests, grids, leaves, 1.0, seed=8)
    step(
        f"requests and words of {PREVIOUS:%Y-%m} ({len(previous['grid']):,})",
        lambda: copy_month(previous, paths, PREVIOUS, "P"),
    )
    step(
        f"requests and words of {MONTH:%Y-%m} ({requests:,})", lambda: copy_month(current, paths, MONTH, "C")
    )
    with connection.cursor() as cursor:
        step("ANALYZE", lambda: cursor.execute("ANALYZE requests_request; ANALYZE governance_requestterms"))
    return current


# Measurement -------------------------------------------------------------------------------


def indexing_rate() -> tuple[int, float]:
    """Requests per second that jieba indexes (real message texts, as ``terms_index`` does)."""
    import csv

    from civicgrid.governance.text import request_terms

    with open(SHARED, encoding="utf-8") as f:
        rows = [(r["subject"], r["detail"]) for r in csv.DictReader(f)][:3000]
    request_terms("预热", "预热")
    started = time.perf_counter()
    for subject, detail in rows:
        request_terms(subject, detail)
    return len(rows), len(rows) / (time.perf_counter() - started)


def found_planted(drafts: list[Any], current: dict[str, Any]) -> tuple[int, int]:
    """Of the hottest, how many are exactly one planted problem (all members from one)."""
    import numpy as np

    from civicgrid.requests.models import Request

    first_id = Request.objects.get(number="C00000000").pk  # the month's rows were copied in order
    bounds = np.cumsum(current["sizes"])
    pure = 0
    for d in drafts:
        offsets = np.asarray(d.request_ids) - first_id
        if (offsets < current["planted"]).all():
            pure += len(set(np.searchsorted(bounds, offsets, side="right").tolist())) == 1
    return pure, len(drafts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="civicgrid_governance")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep (same --requests)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = database_url(url, args.db)

    import django

    print(f"hot issues bench: {args.requests:,} requests in {MONTH:%Y-%m} (database {args.db})", flush=True)
    if not args.reuse:
        admin_exec(url, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin_exec(url, f'CREATE DATABASE "{args.db}"')
    django.setup()
    from django.core.management import call_command

    if args.reuse:
        from civicgrid.requests.models import Category
        from civicgrid.territory.models import Node, NodeKind

        grids = list(Node.objects.filter(kind=NodeKind.GRID).order_by("id").values_list("id", flat=True))
        leaves = list(Category.objects.filter(level=3).order_by("id").values_list("id", flat=True))
        current = month_rows(MONTH, args.requests, grids, leaves, 1.0, seed=8)
    else:
        step("migrate", lambda: call_command("migrate", verbosity=0))
        current = generate(args.requests)

    from civicgrid.governance.hot import compute
    from civicgrid.requests.rates.figures import Period
    from civicgrid.territory.models import Node

    root = Node.objects.get(path="1/")
    seconds, parts = [], []
    for run in range(args.runs):
        started = time.perf_counter()
        _, drafts, timings = compute(root, Period.month(MONTH))
        seconds.append(time.perf_counter() - started)
        parts.append(timings)
        print(f"  run {run + 1}: {seconds[-1]:.1f} s {timings}", flush=True)
    pure, top = found_planted(drafts, current)
    n, rate = indexing_rate()
    print()
    print(
        f"requests in the month:        {parts[-1]['requests']:,} "
        f"(previous month: {parts[-1]['previous_requests']:,} read, in the areas of the candidate clusters)"
    )
    print(
        f"hot issues, whole city, month: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s "
        f"(target < 60 s) over {len(seconds)} runs"
    )
    print(
        f"  of which read {statistics.median(p['load_s'] for p in parts):.1f} s, "
        f"cluster {statistics.median(p['cluster_s'] for p in parts):.1f} s, "
        f"rank {statistics.median(p['rank_s'] for p in parts):.1f} s"
    )
    print(f"clusters of 3 or more:        {parts[-1]['clusters']:,} ({parts[-1]['links']:,} links)")
    print(f"top {top} are one planted problem each: {pure} of {top}")
    print(
        f"jieba indexing of real messages: {rate:,.0f} requests/s ({n} messages; a 65,000-a-day city "
        f"needs {65_000 / rate / 60:.1f} min of one core a day)"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        admin_exec(url, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
