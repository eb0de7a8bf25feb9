"""Benchmark: validate and import generated residents through an import job.

    .venv/bin/python bench/import_residents.py [--rows 50000] [--format csv|xlsx]

Runs on a throwaway database: a temporary SQLite file, or, when DATABASE_URL points to
PostgreSQL, the test database Django derives from it (``test_<name>``), dropped at the end.
Prints rows per second for reading, validating, writing, and the whole job.
"""

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_TESTING", "1")  # development keys, immediate task backend

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402

HEADER = [
    "区域编码",
    "姓名",
    "身份证号",
    "联系电话",
    "性别",
    "出生日期",
    "人口类型",
    "户编码",
    "与户主关系",
    "标签",
]
RELATIONS = ["户主", "配偶", "子女"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def id_number(seq: int) -> str:
    from civicgrid.core.validators import id_check_digit

    born = date(1950, 1, 1) + timedelta(days=seq // 900)
    first17 = f"320213{born:%Y%m%d}{seq % 900 + 100:03d}"
    return first17 + id_check_digit(first17)


def build_rows(n: int, grid_codes: list[str]) -> list[list[str]]:
    rows = []
    for i in range(n):
        grid = grid_codes[(i // 3) % len(grid_codes)]
        rows.append(
            [
                grid,
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)],
                id_number(i),
                f"13{i % 10}{i:08d}"[:11] if i % 3 else "",
                "",
                "",
                "流动人口" if i % 5 == 0 else "户籍人口",
                f"{grid}H{i // 3:06d}",
                RELATIONS[i % 3],
                "党员、志愿者" if i % 10 == 0 else ("独居老人" if i % 17 == 0 else ""),
            ]
        )
    return rows


def encode(rows: list[list[str]], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
        return out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("实有人口")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_city(grids: int) -> tuple[Any, list[str]]:
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import AdminRole, Role
    from civicgrid.territory import services as territory
    from civicgrid.territory.models import NodeKind

    admin = accounts.user_create(
        actor=None,
        system=True,
        username="bench-admin",
        password="bench-pw-123456",
        admin_role=AdminRole.SYSTEM,
    )
    worker = accounts.user_create(
        actor=None, system=True, username="bench-worker", password="bench-pw-123456"
    )

    def node(kind: str, name: str, parent: Any, code: str = "") -> Any:
        return territory.node_create(actor=admin, kind=kind, name=name, parent=parent, code=code)

    city = node(NodeKind.CITY, "无锡市", None, "320200000000")
    district = node(NodeKind.DISTRICT, "梁溪区", city, "320213000000")
    subdistrict = node(NodeKind.SUBDISTRICT, "崇安寺街道", district, "320213001000")
    community = node(NodeKind.COMMUNITY, "胜利门社区", subdistrict, "320213001001")
    codes = [node(NodeKind.GRID, f"第{i + 1}网格", community).code for i in range(grids)]
    accounts.role_grant(actor=None, system=True, user=worker, role=Role.COMMUNITY_WORKER, node=community)
    return worker, codes


def timed(store: dict[str, float], name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the wall and CPU seconds of each call to ``store[name]`` and ``store[name + " cpu"]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            store[name] = store.get(name, 0.0) + time.perf_counter() - start
            store[f"{name} cpu"] = store.get(f"{name} cpu", 0.0) + time.process_time() - cpu

    return wrapper


def run(rows: int, fmt: str) -> None:
    from civicgrid.exchange import services
    from civicgrid.exchange.importers.registry import ResidentImporter
    from civicgrid.exchange.models import ImportKind, ImportStatus
    from civicgrid.registry.models import Resident

    worker, grid_codes = make_city(20)
    data = encode(build_rows(rows, grid_codes), fmt)
    phases: dict[str, float] = {}
    services._read = timed(phases, "read", services._read)  # type: ignore[attr-defined]
    ResidentImporter.validate = timed(phases, "validate", ResidentImporter.validate)  # type: ignore[method-assign]
    services._save = timed(phases, "write", services._save)  # type: ignore[attr-defined]

    start, cpu_start = time.perf_counter(), time.process_time()
    job = services.import_job_create(
        actor=worker, kind=ImportKind.RESIDENTS, upload=SimpleUploadedFile(f"residents.{fmt}", data)
    )
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.message, job.errors[:5])
    assert Resident.objects.count() == rows
    vendor = connection.vendor
    print(f"{vendor}: {rows} residents from {fmt} ({len(data) / 1e6:.1f} MB), counts {job.counts}")
    for name in ("read", "validate", "write"):
        seconds, cpu_seconds = phases[name], phases[f"{name} cpu"]
        print(
            f"  {name:<9}{seconds:7.2f} s  {rows / seconds:9,.0f} rows/s"
            f"   (cpu {cpu_seconds:6.2f} s, {rows / cpu_seconds:9,.0f} rows/s)"
        )
    print(f"  {'job':<9}{total:7.2f} s  {rows / total:9,.0f} rows/s  (upload, read, validate, write, audit)")
    print(f"  {'job cpu':<9}{cpu:7.2f} s  {rows / cpu:9,.0f} rows per CPU second of this process")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="civicgrid-bench-"))
    settings.MEDIA_ROOT = workdir / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        db.setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows, args.format)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
