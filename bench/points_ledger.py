"""Benchmark: the points ledger on PostgreSQL — movements per second and one person's balance.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid .venv/bin/python bench/points_ledger.py

Recreates the database ``civicgrid_points`` (``--database``), migrates it, and builds one
community with ``--residents`` residents. Then, through the services (each call its own
transaction with its audit row, as the product does it):

1. ``points_earn`` one movement per call, ``--workers`` processes for ``--seconds``;
2. ``points_award`` (rule lookup, expiry policy, time bank) the same way;
3. ``points_earn_many`` in batches of ``--batch`` (an activity's roll), the same way;
4. one person with 10,000 movements (earnings, redemptions and their cancellations):
   ``selectors.balance`` (the kept balance) and, for comparison, the balance derived from
   the movements, each timed ``--runs`` times (median / p95);
5. ``selectors.ledger_check()``: the sum over all accounts is 0, kept = derived balances.

Targets: ≥ 2,000 movements/s sustained; balance of one person with 10,000 movements < 5 ms.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Sum

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo_city import backend_cpu_seconds, recreate, server_url, setup_django

BENCH_DB = "civicgrid_points"
TARGET_RATE = 2000.0
TARGET_BALANCE_MS = 5.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# ----------------------------------------------------------------------------------- setup


def build_world(residents: int) -> dict[str, Any]:
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import AdminRole
    from civicgrid.registry.models import Resident
    from civicgrid.territory import services as territory
    from civicgrid.territory.models import NodeKind

    admin = accounts.user_create(
        actor=None, system=True, username="bench", password="bench-password-1", admin_role=AdminRole.SYSTEM
    )

    def node(kind: str, name: str, parent: Any, code: str = "") -> Any:
        return territory.node_create(actor=admin, kind=kind, name=name, parent=parent, code=code)

    city = node(NodeKind.CITY, "基准市", None, "990900000000")
    district = node(NodeKind.DISTRICT, "基准区", city, "990901000000")
    sub = node(NodeKind.SUBDISTRICT, "基准街道", district, "990901001000")
    community = node(NodeKind.COMMUNITY, "基准社区", sub, "990901001001")
    grids = [node(NodeKind.GRID, f"基准第{i + 1}网格", community) for i in range(4)]
    people = [
        Resident(name=f"居民{i:05d}", node=grids[i % 4], node_path=grids[i % 4].path)
        for i in range(residents)
    ]
    Resident.objects.bulk_create(people, batch_size=2000)
    return {"community": community.pk, "grids": [g.pk for g in grids]}


# ----------------------------------------------------------------------------------- workers


def _worker(kind: str, seconds: float, batch: int, world: dict[str, Any], seed: int, queue: Any) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    try:
        queue.put(_work(kind, seconds, batch, world, seed))
    except Exception as exc:  # report it; the parent must not wait forever
        queue.put((0, [], f"{type(exc).__name__}: {exc}", 0.0, 0.0))
    finally:
        connections.close_all()


def _work(
    kind: str, seconds: float, batch: int, world: dict[str, Any], seed: int
) -> tuple[int, list[float], str]:
    from civicgrid.points import services
    from civicgrid.registry.models import Resident
    from civicgrid.territory.models import Node

    rng = random.Random(seed)
    ids = list(Resident.objects.values_list("pk", flat=True))
    grids = list(Node.objects.filter(pk__in=world["grids"]))
    people = {pk: Resident(pk=pk, node=grids[0], node_path=grids[0].path) for pk in ids}
    activity = ["elderly_care", "environment", "safety", "culture", "law"]
    movements, latencies, i = 0, [], 0
    server_before, client_before = backend_cpu_seconds() or 0.0, time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        grid = rng.choice(grids)
        if kind == "earn":
            services.points_earn(
                actor=None,
                holder=people[rng.choice(ids)],
                amount=rng.randint(5, 60),
                source="bench.earn",
                source_ref=f"{seed}:{i}",
                node=grid,
            )
            movements += 1
        elif kind == "award":
            services.points_award(
                actor=None,
                holder=people[rng.choice(ids)],
                activity_type=rng.choice(activity),
                hours=Decimal(rng.choice(["1", "1.5", "2", "3"])),
                difficulty=rng.randint(1, 4),
                source="bench.award",
                source_ref=f"{seed}:{i}",
                node=grid,
                team=rng.choice(["red", "green", "blue"]),
            )
            movements += 1
        else:
            entries = [
                services.EarnEntry(holder=people[pk], amount=rng.randint(5, 60), source_ref=f"{seed}:{i}:{j}")
                for j, pk in enumerate(rng.sample(ids, batch))
            ]
            movements += len(
                services.points_earn_many(actor=None, entries=entries, source="bench.batch", node=grid)
            )
        latencies.append((time.perf_counter() - started) * 1000)
        i += 1
    client = time.process_time() - client_before
    server = (backend_cpu_seconds() or 0.0) - server_before
    return movements, latencies, "", client, server


def run_phase(label: str, kind: str, args: argparse.Namespace, world: dict[str, Any], offset: int) -> float:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(kind, args.seconds, args.batch, world, offset + n, queue))
        for n in range(args.workers)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    for r in results:
        if r[2]:
            print(f"  {label}: a worker failed: {r[2]}", flush=True)
    total = sum(r[0] for r in results)
    calls = [ms for r in results for ms in r[1]]
    rate = total / elapsed
    client_ms = 1000 * sum(r[3] for r in results) / max(total, 1)
    server_ms = 1000 * sum(r[4] for r in results) / max(total, 1)
    capacity = (os.cpu_count() or 1) * 1000 / max(client_ms + server_ms, 1e-6)
    print(
        f"  {label:<34}{total:>9,} movements in {elapsed:5.1f} s = {rate:>7,.0f}/s"
        f"   per call median {statistics.median(calls):6.2f} ms, p95 {p95(calls):6.2f} ms\n"
        f"  {'':<34}CPU per movement: Python {client_ms:.2f} ms + PostgreSQL {server_ms:.2f} ms"
        f" → ≈ {capacity:,.0f}/s if {os.cpu_count()} cores were ours alone",
        flush=True,
    )
    return rate


# ----------------------------------------------------------------------------------- balance


def one_person(world: dict[str, Any], target: int) -> Any:
    """A resident with ``target`` movements: earnings, then redemptions and cancellations."""
    from civicgrid.accounts.models import Role, User
    from civicgrid.accounts.services import role_grant
    from civicgrid.points import services
    from civicgrid.points.models import Movement
    from civicgrid.points.selectors import account_for
    from civicgrid.registry.models import Resident
    from civicgrid.territory.models import Node

    community = Node.objects.get(pk=world["community"])
    grid = Node.objects.get(pk=world["grids"][0])
    keeper = User.objects.create_user(username="keeper", password="bench-password-1")
    role_grant(actor=None, system=True, user=keeper, role=Role.COMMUNITY_WORKER, node=community)
    person = Resident.objects.create(name="张积分", node=grid, node_path=grid.path)
    goods = services.goods_create(actor=keeper, node=community, name="毛巾", price=1, stock=100_000)
    spend_pairs = target // 50  # 2% redemptions, 2% cancellations (each one service call)
    earns = target - 2 * spend_pairs
    for start in range(0, earns, 500):
        entries = [
            services.EarnEntry(holder=person, amount=3, source_ref=f"p:{n}")
            for n in range(start, min(earns, start + 500))
        ]
        services.points_earn_many(actor=None, entries=entries, source="bench.person", node=grid)
    for _ in range(spend_pairs):
        r = services.points_redeem(actor=keeper, holder=person, goods=goods)
        services.redemption_cancel(actor=keeper, redemption=r)
    account = account_for(person)
    count = (
        Movement.objects.filter(from_account=account).count()
        + Movement.objects.filter(to_account=account).count()
    )
    return person, count


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    value = fn()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), p95(timings), value


def server_ms(qs: Any) -> float:
    """PostgreSQL's own execution time of a query (EXPLAIN ANALYZE), without the client."""
    plan = qs.explain(analyze=True)
    return float(plan.rsplit("Execution Time:", 1)[1].split("ms")[0])


def balance_figures(person: Any, runs: int) -> float:
    from civicgrid.points import ledger, selectors
    from civicgrid.points.models import Account, Movement

    account = selectors.account_for(person)
    assert account is not None
    print(f"  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    med, high, value = timed(lambda: selectors.balance(person), runs)
    verdict = "OK" if high < TARGET_BALANCE_MS else "SLOWER THAN TARGET"
    print(f"  selectors.balance (kept)          = {value}: median {med:.3f} ms, p95 {high:.3f} ms  {verdict}")
    kept_sql = [server_ms(Account.objects.filter(resident=person).values("balance")) for _ in range(20)]
    print(f"    the same query inside PostgreSQL: median {statistics.median(kept_sql):.3f} ms")
    med_d, high_d, derived = timed(lambda: ledger.derived_balance(account), max(50, runs // 5))
    print(f"  derived from movements (Σ in−out) = {derived}: median {med_d:.3f} ms, p95 {high_d:.3f} ms")
    into = Movement.objects.filter(to_account=account).values("to_account").annotate(s=Sum("amount"))
    derived_sql = [server_ms(into) for _ in range(20)]
    print(f"    Σ in alone inside PostgreSQL: median {statistics.median(derived_sql):.3f} ms")
    med_m, high_m, _ = timed(lambda: list(selectors.movements(person)[:30]), max(50, runs // 5))
    print(f"  first page of movements (30)      : median {med_m:.3f} ms, p95 {high_m:.3f} ms")
    return high


# ----------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=BENCH_DB)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--movements", type=int, default=10_000, help="movements of the one person")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument(
        "--balance-only", action="store_true", help="only time the balance, on the database of a previous run"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civicgrid")
    if args.balance_only:
        setup_django(server_url(base, args.database))
        from civicgrid.registry.models import Resident

        balance_figures(Resident.objects.get(name="张积分"), args.runs)
        return
    print(f"database: {args.database} (recreated); {args.workers} workers × {args.seconds:.0f} s per phase")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    recreate(base, args.database)
    setup_django(server_url(base, args.database))
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    world = build_world(args.residents)
    print(
        f"one community, {args.residents:,} residents, {os.cpu_count()} CPU cores (shared with PostgreSQL)\n"
    )

    print("Throughput through the services (each call one transaction + audit row):")
    single = run_phase("points_earn, 1 per call", "earn", args, world, 1000)
    award = run_phase("points_award, 1 per call", "award", args, world, 2000)
    batch = run_phase(f"points_earn_many, {args.batch} per call", "batch", args, world, 3000)

    print(f"\nOne person with {args.movements:,} movements:")
    started = time.perf_counter()
    person, count = one_person(world, args.movements)
    print(f"  built in {time.perf_counter() - started:.1f} s: {count:,} movements in or out of the account")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    high = balance_figures(person, args.runs)
    from civicgrid.points import selectors

    started = time.perf_counter()
    check = selectors.ledger_check()
    print(
        f"\nLedger check over {check.accounts:,} accounts in {time.perf_counter() - started:.1f} s: "
        f"sum {check.total}, kept≠derived {len(check.balance_mismatches)}, lots≠balance "
        f"{len(check.lot_mismatches)}, negative {len(check.negative)} → {'OK' if check.ok else 'BROKEN'}"
    )
    best = max(single, award, batch)
    print(
        f"\nSummary: single-call {single:,.0f}/s, award {award:,.0f}/s, batched {batch:,.0f}/s "
        f"(target ≥ {TARGET_RATE:,.0f}/s: {'OK' if best >= TARGET_RATE else 'NOT MET'}); "
        f"balance p95 {high:.3f} ms (target < {TARGET_BALANCE_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
