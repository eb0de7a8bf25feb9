"""Benchmark: intake through the HTTP API (POST /api/v1/requests/) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/intake_api.py [--seconds 30] [--concurrency 8] [--workers 2]
            [--threads 1] [--profile 200] [--keep]

Creates (and at the end drops, unless ``--keep``) the database ``civicgrid_bench_intake``
on the server of DATABASE_URL, migrates it, and sets up a small territory (one district,
4 subdistricts, 12 communities, 48 grids with polygons), handling units (the district,
the subdistricts, two departments, the water company), a catalogue of six leaves with
the usual rules (by category to a department or enterprise, otherwise to the subdistrict
of the place, copied to the district), and an intake account with an API token.

Then it starts the product under gunicorn on 127.0.0.1 (production settings: DEBUG off,
database task queue, persistent connections) and drives it from a threaded client in
this process (one keep-alive-less connection per request, like gunicorn's sync workers
expect), first for a warm-up, then for ``--seconds`` on each of:

* the full intake — token auth, validation, locating the grid, dispatch by the rules,
  deadlines on the working calendar, the request, its history rows, work orders, the
  outbox message and the audit rows, in one transaction;
* a bare insert endpoint (``bench/intake_urls.py``, mounted only with CIVICGRID_BENCH=1):
  one JSON body parsed and one row inserted into a trivial table.

It prints requests/s, p50/p95/p99 latency, errors, and the ratio of the two, and checks
that every 201 left exactly one request in the database. Targets: ≥ 300 requests/s
sustained and p95 < 100 ms for the full intake on 2 cores.

Then, with the server stopped, it measures both endpoints in this process one request at
a time (wall time, CPU of Django, CPU of the PostgreSQL backend, statements per request)
and profiles ``--profile`` intakes with cProfile on CPU time, printing the product's
functions by cumulative CPU: where the time goes.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "civicgrid_bench_intake"
BENCH_ENV = {
    "CIVICGRID_DEBUG": "0",
    "CIVICGRID_SECRET_KEY": "bench-intake-secret-key-not-for-production-" + "k7Qx9mZ2pL4vR8tW",
    # Keys as production takes them: urlsafe base64 of 32 bytes (fixed, for this benchmark only).
    "CIVICGRID_PII_KEY": "YmVuY2gtaW50YWtlLXBpaS1rZXktMzItYnl0ZXMhISE=",
    "CIVICGRID_PII_HASH_KEY": "YmVuY2gtaW50YWtlLWhhc2gta2V5LTMyLWJ5dGVzISE=",
    "CIVICGRID_LOG_LEVEL": "ERROR",
}
X0, Y0, STEP = 120.20, 31.50, 0.01  # grids are STEP° squares laid out from (X0, Y0)


# ---------------------------------------------------------------- database


def bench_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point to PostgreSQL (postgres://…)")
    return urlunparse(parsed._replace(path=f"/{BENCH_DB}"))


def admin_exec(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def recreate_database(url: str) -> None:
    admin_exec(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)", f"CREATE DATABASE {BENCH_DB}")


def drop_database(url: str) -> None:
    admin_exec(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


# ---------------------------------------------------------------- the hotline


def square(x: float, y: float) -> dict[str, Any]:
    ring = [[x, y], [x + STEP, y], [x + STEP, y + STEP], [x, y + STEP], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def build_territory(sysadmin: Any) -> tuple[Any, list[Any], list[tuple[float, float]]]:
    """One district, 4 subdistricts × 3 communities × 4 grids laid out on a 12 × 4 raster."""
    from civicgrid.territory import services as territory
    from civicgrid.territory.models import NodeKind

    def node(kind: str, name: str, parent: Any, **kw: Any) -> Any:
        return territory.node_create(actor=sysadmin, kind=kind, name=name, parent=parent, **kw)

    city = node(NodeKind.CITY, "无锡市", None, code="320200000000")
    district = node(NodeKind.DISTRICT, "梁溪区", city, code="320213000000")
    subdistricts, centres = [], []
    for s in range(4):
        sub = node(NodeKind.SUBDISTRICT, f"第{s + 1}街道", district, code=f"32021300{s + 1}000")
        subdistricts.append(sub)
        for c in range(3):
            comm = node(
                NodeKind.COMMUNITY, f"第{s + 1}街道{c + 1}社区", sub, code=f"32021300{s + 1}00{c + 1}"
            )
            for g in range(4):
                x, y = X0 + (s * 3 + c) * STEP, Y0 + g * STEP
                node(NodeKind.GRID, f"{comm.name}{g + 1}网格", comm, geometry=square(x, y))
                centres.append((x, y))
    return district, subdistricts, centres


@dataclass
class Hotline:
    token: str
    leaves: list[int]
    consultation: int
    centres: list[tuple[float, float]]


def build_hotline() -> Hotline:
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import AdminRole, Role
    from civicgrid.conftest import make_user
    from civicgrid.requests.constants import ResponsibleKind, UnitKind
    from civicgrid.requests.models import CatalogueVersion, DispatchRule
    from civicgrid.requests.tests.conftest import leaf, unit
    from civicgrid.workcal.constants import LimitUnit

    sysadmin = make_user("bench_admin", "系统管理员", AdminRole.SYSTEM)
    district, subdistricts, centres = build_territory(sysadmin)
    district_unit = unit("D01", "梁溪区人民政府", UnitKind.DISTRICT, district)
    for i, sub in enumerate(subdistricts):
        unit(f"S0{i + 1}", f"{sub.name}办事处", UnitKind.SUBDISTRICT, sub, district_unit)
    chengguan = unit("B01", "区城管局", UnitKind.DEPARTMENT, district, district_unit)
    unit("B02", "区住建局", UnitKind.DEPARTMENT, district, district_unit)
    water = unit("E01", "市自来水公司", UnitKind.ENTERPRISE, district)
    version = CatalogueVersion.objects.create(number=1, is_current=True)
    hours = {"response_unit": LimitUnit.HOURS, "resolution_unit": LimitUnit.HOURS}
    leaves = [
        leaf(version, "010101", ("城乡建设", "物业管理", "电梯故障"), needs_verification=True),
        leaf(version, "010201", ("城乡建设", "房屋安全", "外墙脱落"), response_limit=2, **hours),
        leaf(
            version,
            "020101",
            ("城市管理", "市容秩序", "占道经营"),
            responsible_kind=ResponsibleKind.DEPARTMENT,
            responsible_unit=chengguan,
            response_limit=2,
            resolution_limit=4,
            **hours,
        ),
        leaf(
            version,
            "030101",
            ("公共服务", "供水", "停水"),
            responsible_kind=ResponsibleKind.ENTERPRISE,
            responsible_unit=water,
            response_limit=2,
            resolution_limit=24,
            **hours,
        ),
        leaf(version, "040101", ("环境保护", "噪声", "夜间施工噪声"), needs_callback=False),
    ]
    question = leaf(version, "050101", ("政策咨询", "社会保障", "医保政策"))
    DispatchRule.objects.create(
        name="目录指定责任单位", priority=10, target=DispatchRule.Target.CATEGORY_UNIT, category_prefix="02"
    )
    DispatchRule.objects.create(
        name="供水找水务公司", priority=10, target=DispatchRule.Target.CATEGORY_UNIT, category_prefix="03"
    )
    DispatchRule.objects.create(
        name="属地街道", priority=100, target=DispatchRule.Target.LOCATION_SUBDISTRICT, copy_to=district_unit
    )
    intake = make_user("miniapp", "小程序接入账号")
    accounts.role_grant(actor=None, system=True, user=intake, role=Role.OPERATOR, node=district)
    _, token = accounts.api_token_create(actor=None, system=True, user=intake, name="压测")
    return Hotline(token, [c.pk for c in leaves], question.pk, centres)


def create_ping_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_ping (id bigserial PRIMARY KEY, title varchar(200) NOT NULL,"
            " payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )


def bodies(hotline: Hotline, n: int, seed: int = 12345) -> list[bytes]:
    """Realistic intake bodies: a point in a grid, a leaf (a few without: triage; a few
    consultations), a requester with a phone, sometimes anonymous."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        x, y = rnd.choice(hotline.centres)
        roll = rnd.random()
        category: int | None = rnd.choice(hotline.leaves)
        kind = "complaint" if roll < 0.6 else "help"
        if roll > 0.95:
            category = None
        elif roll > 0.92:
            category, kind = hotline.consultation, "consultation"
        anonymous = rnd.random() < 0.1
        body = {
            "channel": "mini_program",
            "type": kind,
            "title": f"压测诉求{i}：小区门口道路积水",
            "content": "小区门口道路积水严重，雨后数日不退，老人小孩出行不便，请尽快处理。" * 3,
            "address": f"第{i % 4 + 1}街道某小区{i % 30 + 1}号楼",
            "lon": round(x + rnd.uniform(0.001, STEP - 0.001), 6),
            "lat": round(y + rnd.uniform(0.001, STEP - 0.001), 6),
            "requester_name": "" if anonymous else "张三",
            "requester_phone": "" if anonymous else f"139{rnd.randrange(10**8):08d}",
            "anonymous": anonymous,
            "category_id": category,
            # Unique per body: a repeated external id is an idempotent replay (no new request).
            "external_id": f"mp-{seed}-{i}",
        }
        out.append(json.dumps(body, ensure_ascii=False).encode())
    return out


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(BENCH_ENV)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "intake_settings",
            "CIVICGRID_BENCH": "1",
            "CIVICGRID_DB_CONN_MAX_AGE": "600",
        }
    )
    env.pop("CIVICGRID_TESTING", None)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        f"{ROOT / 'bench'},{ROOT}",
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command.append("civicgrid.wsgi:application")
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    sys.exit("gunicorn did not answer /healthz within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# ---------------------------------------------------------------- client


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)


def drive(
    port: int, path: str, payloads: list[bytes], headers: dict[str, str], seconds: float, threads: int
) -> Run:
    """``threads`` closed-loop clients posting for ``seconds``; latency of every request."""
    run, lock = Run(), threading.Lock()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    def client() -> None:
        mine: list[float] = []
        statuses: dict[int, int] = {}
        errors: list[str] = []
        while time.monotonic() < stop_at:
            body = payloads[next(counter) % len(payloads)]
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
            except OSError as exc:
                errors.append(repr(exc))
                continue
            mine.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.status != 201 and len(errors) < 5:
                errors.append(f"{response.status} {data[:200]!r}")
        with lock:
            run.latencies.extend(mine)
            run.errors.extend(errors)
            for status, n in statuses.items():
                run.statuses[status] = run.statuses.get(status, 0) + n

    cpu, started = time.process_time(), time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    run.seconds = time.monotonic() - started
    run.client_cpu = time.process_time() - cpu
    return run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(name: str, run: Run) -> dict[str, float]:
    rps = run.ok / run.seconds if run.seconds else 0.0
    ms = [v * 1000 for v in run.latencies]
    figures = {
        "rps": rps,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms) if ms else float("nan"),
    }
    other = {k: v for k, v in run.statuses.items() if k != 201}
    print(
        f"{name:<12} {run.ok:>7} × 201 in {run.seconds:5.1f} s  {rps:7.1f} req/s   "
        f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms   "
        f"other statuses {other or '-'}  client CPU {run.client_cpu:4.1f} s"
    )
    for error in run.errors[:3]:
        print(f"    e.g. {error}")
    return figures


# ---------------------------------------------------------------- where the time goes


def backend_cpu_seconds() -> float | None:
    """CPU used so far by this process's PostgreSQL backend (same machine only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cost(path: str, payloads: list[bytes], headers: dict[str, str], n: int) -> dict[str, float]:
    """Per request, in this process (no HTTP server, no concurrency): wall, Django CPU,
    PostgreSQL backend CPU and queries."""
    from django.db import connection
    from django.test import Client

    client = Client()
    for body in payloads[:10]:
        client.post(path, body, "application/json", headers=headers)
    statements: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        client.post(path, payloads[10], "application/json", headers=headers)
    pg0, cpu0, wall0 = backend_cpu_seconds(), time.process_time(), time.perf_counter()
    for body in payloads[11 : 11 + n]:
        client.post(path, body, "application/json", headers=headers)
    pg1, cpu1, wall1 = backend_cpu_seconds(), time.process_time(), time.perf_counter()
    return {
        "wall": (wall1 - wall0) / n * 1000,
        "cpu": (cpu1 - cpu0) / n * 1000,
        "pg": (pg1 - pg0) / n * 1000 if pg0 is not None and pg1 is not None else float("nan"),
        "queries": len(statements),
    }


def profile(payloads: list[bytes], headers: dict[str, str], n: int, top: int = 18) -> None:
    """cProfile (CPU time) of ``n`` intakes in this process: the product's functions by
    cumulative CPU."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for body in payloads[:n]:
        client.post("/api/v1/requests/", body, "application/json", headers=headers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"civicgrid/(requests|core|territory|api|notify)", top)
    print(f"\ncProfile, {n} intakes in-process (CPU time, cumulative, product functions only):")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    root = str(ROOT) + "/"
    for line in lines[start:]:
        if line.strip():
            print("  " + line.replace(root, ""))


def where_the_time_goes(hotline: Hotline, n: int) -> None:
    from django.test.utils import override_settings

    os.environ["CIVICGRID_BENCH"] = "1"
    sys.path.insert(0, str(ROOT / "bench"))
    payloads = bodies(hotline, 2 * n + 40, seed=777)
    auth = {"Authorization": f"Bearer {hotline.token}"}
    print(f"\nper request, in-process, one at a time ({n} requests each):")
    with override_settings(ROOT_URLCONF="intake_urls"):
        for name, path, headers in (
            ("full intake", "/api/v1/requests/", auth),
            ("bare insert", "/bench/insert", {}),
        ):
            c = cost(path, payloads, headers, n)
            print(
                f"  {name:<12} wall {c['wall']:6.2f} ms   Django CPU {c['cpu']:6.2f} ms   "
                f"PostgreSQL backend CPU {c['pg']:5.2f} ms   {c['queries']:.0f} queries"
            )
    profile(payloads[n + 20 :], auth, n)


# ---------------------------------------------------------------- main


def setup(url: str) -> Hotline:
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicgrid.settings"
    os.environ.pop("CIVICGRID_TESTING", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    hotline = build_hotline()
    create_ping_table()
    from django.db import connections

    connections.close_all()
    return hotline


def check_rows(expected: int) -> str:
    from django.db import connection
    from django.db.models import Count

    from civicgrid.requests.models import Request

    connection.close()
    total = Request.objects.count()
    by_status = dict(Request.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    verdict = "ok" if total == expected else f"MISMATCH (expected {expected})"
    return f"requests in the database: {total} {verdict}; by status {by_status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (closed loop)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--profile",
        type=int,
        default=200,
        help="intakes measured and profiled in-process afterwards (0: none)",
    )
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL", "")
    url = bench_url(admin_url)
    recreate_database(admin_url)
    server = None
    try:
        t0 = time.monotonic()
        hotline = setup(url)
        print(
            f"set-up: database, territory of 48 grids, catalogue and token in {time.monotonic() - t0:.1f} s"
        )
        port = free_port()
        server = start_server(url, port, args.workers, args.threads)
        print(
            f"server: gunicorn, {args.workers} worker(s) × {args.threads} thread(s); "
            f"client: {args.concurrency} threads; {os.cpu_count()} CPU(s)"
        )
        # Never sent twice (a repeat would be answered as a replay): room for 800 req/s.
        payloads = bodies(hotline, int((args.warmup + args.seconds) * 800) + 1000)
        auth = {"Authorization": f"Bearer {hotline.token}", "Content-Type": "application/json"}
        plain = {"Content-Type": "application/json"}
        warm = drive(port, "/api/v1/requests/", payloads, auth, args.warmup, args.concurrency)
        drive(port, "/bench/insert", payloads, plain, args.warmup / 2, args.concurrency)
        intake = drive(port, "/api/v1/requests/", payloads[::-1], auth, args.seconds, args.concurrency)
        bare = drive(port, "/bench/insert", payloads, plain, args.seconds, args.concurrency)
        print()
        full = report("full intake", intake)
        floor = report("bare insert", bare)
        print()
        print(
            f"ratio bare/full: throughput {floor['rps'] / full['rps']:.1f}×, "
            f"p50 latency {full['p50'] / floor['p50']:.1f}×"
            if full["rps"] and floor["p50"]
            else "ratio: n/a"
        )
        met = full["rps"] >= 300 and full["p95"] < 100
        print(f"target ≥ 300 req/s and p95 < 100 ms: {'met' if met else 'NOT met'}")
        print(check_rows(warm.ok + intake.ok))
        stop_server(server)
        if args.profile:
            where_the_time_goes(hotline, args.profile)
    finally:
        if server is not None:
            stop_server(server)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(admin_url)


if __name__ == "__main__":
    main()
