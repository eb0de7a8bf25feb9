"""Bulk import of historical requests (civicgrid.requests.history_import)."""

import csv
import io
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook

from civicgrid.core import crypto
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.requests.history_import import COLUMNS, VERB, requests_history_import, template_csv
from civicgrid.requests.history_import.columns import HEADERS
from civicgrid.requests.history_import.writer import TABLES
from civicgrid.requests.models import (
    CatalogueVersion,
    Category,
    Rating,
    Request,
    RequestCounter,
    RequestEvent,
    WorkOrder,
)
from civicgrid.requests.rates.cells import by_unit, cells, raw_cells, rollup_build
from civicgrid.requests.rates.figures import Counts, Period, add_months, rates_of
from civicgrid.requests.rates.ranking import ranking_recompute_check
from civicgrid.requests.rollups import RateRollupMonth
from civicgrid.requests.services.intake import next_number
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def month_ago(n: int) -> date:
    today = date.today()
    return add_months(date(today.year, today.month, 1), -n)


MONTH = month_ago(2)
DAY = MONTH.replace(day=10)


def at(day_offset: int, hhmm: str) -> str:
    return f"{DAY + timedelta(days=day_offset):%Y-%m-%d} {hhmm}"


def good_rows(hotline: Any) -> list[dict[str, str]]:
    """Four closed requests of MONTH: point, area code, direct consultation, unit's area."""
    return [
        {
            "number": f"{DAY:%Y%m%d}-000007",
            "received_at": at(0, "09:00"),
            "channel": "12345热线",
            "type": "投诉举报",
            "title": "电梯停运",
            "content": "3号楼电梯坏了三天",
            "lon": "120.305",
            "lat": "31.575",
            "requester_name": "张三丰",
            "requester_phone": "13812345678",
            "category_code": "010101",
            "unit_code": "S01",
            "dispatched_at": at(0, "09:10"),
            "responded_at": at(0, "10:00"),
            "replied_at": at(2, "16:00"),
            "closed_at": at(3, "10:00"),
            "reply": "已修好",
            "contacted": "是",
            "resolution": "已解决",
            "satisfaction": "满意",
        },
        {
            "number": "LEGACY-0002",
            "external_id": "OLD-2",
            "received_at": at(1, "08:30"),
            "channel": "web",
            "type": "help",
            "title": "夜间施工噪声",
            "content": "工地夜里施工太吵",
            "area_code": hotline.city.comm_b1.code,
            "requester_phone": "0510-82345678",
            "category_code": "040101",
            "unit_code": "S02",
            "closed_at": at(4, "11:00"),
            "contacted": "否",
            "resolution": "部分解决",
            "satisfaction": "基本满意",
            "rated_at": at(4, "12:00"),
            "rating_via": "短信链接",
        },
        {
            "number": "LEGACY-0003",
            "received_at": at(2, "14:00"),
            "channel": "来访",
            "type": "咨询",
            "title": "医保怎么报销",
            "content": "请问门诊医保报销比例",
            "lon": "120.315",
            "lat": "31.575",
            "requester_name": "李四",
            "requester_phone": "13900001111",
            "category_code": "050101",
            "closed_at": at(2, "14:05"),
            "reply": "门诊报销比例为50%",
            "contacted": "是",
            "resolution": "已解决",
            "satisfaction": "满意",
        },
        {
            "number": "LEGACY-0004",
            "received_at": at(3, "07:45:30"),
            "channel": "网格员上报",
            "type": "投诉",
            "urgency": "紧急",
            "title": "占道经营",
            "content": "路口有人摆摊",
            "anonymous": "是",
            "category_code": "020101",
            "unit_code": "B01",
            "closed_at": at(3, "12:00"),
        },
    ]


def csv_file(rows: list[dict[str, str]], keys: list[str] | None = None) -> bytes:
    keys = keys or [c.key for c in COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([HEADERS[k] for k in keys])
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return out.getvalue().encode("utf-8")


def run(actor: Any, rows: list[dict[str, str]], **kw: Any) -> Any:
    return requests_history_import(actor=actor, file_name="history.csv", data=csv_file(rows), **kw)


def imports() -> int:
    return AuditLog.objects.filter(verb=VERB).count()


def test_writer_columns_cover_every_column_of_the_tables() -> None:
    for model, columns in TABLES:
        wanted = {f.column for f in model._meta.concrete_fields} - ({"id"} if model is not Request else set())
        assert set(columns) == wanted, model.__name__
        assert len(columns) == len(set(columns))


def test_good_file_imports_exactly(hotline: Any) -> None:
    city = hotline.city
    result = run(city.sysadmin, good_rows(hotline))
    assert result.ok, result.errors
    assert result.counts == {"requests": 4, "work_orders": 3, "events": 4, "ratings": 3}
    assert Request.objects.count() == 4 and WorkOrder.objects.count() == 3 and Rating.objects.count() == 3

    lift = Request.objects.get(number=f"{DAY:%Y%m%d}-000007")
    assert lift.status == "closed" and lift.node == city.grid_a1_1 and lift.node_path == city.grid_a1_1.path
    assert (
        lift.category == hotline.lift and lift.lead_unit == hotline.sub_a_unit and lift.level == "subdistrict"
    )
    assert (lift.lon, lift.lat) == (120.305, 31.575)
    # Protected exactly as intake protects it.
    assert lift.requester_phone_enc.startswith("v1:") and "13812345678" not in lift.requester_phone_enc
    assert crypto.decrypt(lift.requester_phone_enc) == "13812345678"
    assert lift.requester_phone_hash == crypto.blind_index("13812345678")
    assert lift.requester_phone_masked == "138****5678"
    assert crypto.decrypt(lift.requester_name_enc) == "张三丰" and lift.requester_name_masked == "张*丰"
    assert lift.rating_token == "" and lift.reopen_count == 0 and lift.light == "green"
    assert lift.received_at == datetime.fromisoformat(f"{at(0, '09:00')}+08:00")
    assert lift.closed_at == datetime.fromisoformat(f"{at(3, '10:00')}+08:00")
    order = WorkOrder.objects.get(request=lift)
    assert order.unit == hotline.sub_a_unit and order.role == "lead" and order.reply == "已修好"
    assert order.signed_at is not None and order.replied_at is not None

    noise = Request.objects.get(number="LEGACY-0002")
    assert noise.node == city.comm_b1 and noise.external_id == "OLD-2"
    assert noise.requester_phone_masked == "0510****5678" and noise.requester_name_enc == ""
    rating = Rating.objects.get(request=noise)
    assert (rating.contacted, rating.resolution, rating.satisfaction, rating.via) == (
        False,
        "partly",
        "basic",
        "link",
    )
    assert (
        rating.month == MONTH and rating.unit == hotline.sub_b_unit and rating.node_path == city.comm_b1.path
    )

    question = Request.objects.get(number="LEGACY-0003")
    assert question.lead_unit is None and question.direct_answer == "门诊报销比例为50%"
    assert question.node == city.grid_a1_2 and not question.work_orders.exists()
    assert question.events.get().action == "direct_close"

    vending = Request.objects.get(number="LEGACY-0004")
    assert vending.node == city.district and vending.anonymous and vending.urgency == "urgent"
    assert vending.level == "district" and not vending.ratings.exists()

    # One history row per request (the closure), marked with the import's key; one audit row.
    assert RequestEvent.objects.count() == 4
    assert RequestEvent.objects.filter(data__imported=result.key, action="close").count() == 3
    audit = AuditLog.objects.get(verb=VERB)
    assert audit.actor == city.sysadmin and audit.target_id == result.key
    assert audit.after is not None and audit.after["rows"] == 4
    assert audit.after["counts"] == {"requests": 4, "work_orders": 3, "events": 4, "ratings": 3}
    # The live counter of that day now continues after the imported number.
    assert RequestCounter.objects.get(day=DAY).last == 7
    assert next_number(DAY) == f"{DAY:%Y%m%d}-000008"


def test_rates_after_the_import_equal_a_recount_of_the_raw_rows(hotline: Any) -> None:
    rollup_build(MONTH)  # the month had a rollup before the import: it must not go stale
    result = run(hotline.city.sysadmin, good_rows(hotline))
    assert result.months_dropped == [MONTH] and result.months_rebuilt == [MONTH]
    assert RateRollupMonth.objects.filter(month=MONTH).exists()
    served, source = cells(Period.month(MONTH))
    assert source == "rollup"
    raw = raw_cells(Period.month(MONTH))
    assert by_unit(served) == by_unit(raw)
    total = sum(by_unit(raw).values(), Counts())
    assert (total.received, total.closed, total.rated, total.contacted) == (4, 4, 3, 2)
    assert (total.solved, total.partly, total.satisfied, total.basic) == (2, 1, 2, 1)
    assert rates_of(total).response == Fraction(2, 3)
    assert rates_of(total).resolution == Fraction(5, 6)  # (2 solved + 0.5 · 1 partly) / 3
    assert by_unit(raw)[hotline.sub_b_unit.pk].rated == 1
    assert by_unit(raw)[None].closed == 1  # the consultation answered at once has no unit
    assert ranking_recompute_check(MONTH).differences == []


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(hotline: Any) -> None:
    rows = good_rows(hotline)
    rows[0]["received_at"] = "2025-13-45 99:00"
    rows[0]["requester_phone"] = "12345"
    rows[1]["unit_code"] = "NOPE"
    rows[1]["category_code"] = "0401"  # a level-2 code
    rows[2]["resolution"] = ""  # two of three answers only
    rows[3]["closed_at"] = at(2, "08:00")  # before it was received
    rows[3]["number"] = rows[1]["number"]  # twice in the file
    rows.append({**rows[2], "number": "LEGACY-0005", "lon": "120.315", "lat": ""})
    result = run(hotline.city.sysadmin, rows)
    assert not result.ok and result.imported == 0
    found = {(e.row, e.column, e.reason) for e in result.errors}
    assert (2, "受理时间", "受理时间格式不正确，应如 2025-03-01 08:15") in found
    assert (2, "联系电话", "电话号码格式不正确（手机号11位，固定电话如0510-12345678）") in found
    assert (3, "承办单位编码", "承办单位编码 NOPE 不存在") in found
    assert (3, "分类编码", "分类编码 0401 不是三级分类") in found
    assert (4, "解决情况", "三项评价（是否联系、解决情况、满意度）须同时填写") in found
    assert (5, "诉求编号", "与第3行的诉求编号重复") in found
    assert (5, "办结时间", "办结时间不能早于受理时间") in found
    assert (6, "纬度", "经度和纬度需同时填写") in found
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert Request.objects.count() == 0 and RequestEvent.objects.count() == 0 and imports() == 0


def test_a_missing_required_column_is_reported_on_the_header_row(hotline: Any) -> None:
    keys = [c.key for c in COLUMNS if c.key != "closed_at"]
    data = csv_file(good_rows(hotline), keys)
    result = requests_history_import(actor=hotline.city.sysadmin, file_name="h.csv", data=data)
    assert [(e.row, e.column) for e in result.errors] == [(1, "办结时间")]
    assert Request.objects.count() == 0


def test_catalogue_version_in_force_at_reception(hotline: Any) -> None:
    old = hotline.version
    CatalogueVersion.objects.filter(pk=old.pk).update(created_at=datetime(2020, 1, 1).astimezone())
    old.is_current = False
    old.save(update_fields=["is_current"])
    new = CatalogueVersion.objects.create(number=2, is_current=True)
    CatalogueVersion.objects.filter(pk=new.pk).update(
        created_at=datetime.fromisoformat(f"{at(2, '00:00')}+08:00")
    )
    lift_v2 = Category.objects.create(
        version=new, code="990101", name="新类", level=3, full_name="新/新/新类"
    )
    rows = good_rows(hotline)[:2]
    rows[0]["category_code"] = "990101"  # received on day 0: version 1 was in force
    rows[1]["category_code"] = "990101"
    rows[1]["received_at"], rows[1]["closed_at"] = at(3, "08:00"), at(4, "08:00")
    rows[1].pop("rated_at")
    result = run(hotline.city.sysadmin, rows)
    assert [(e.row, e.reason) for e in result.errors] == [(2, "分类编码 990101 不在第1版派单目录中")]
    rows[0]["catalogue_version"] = "2"
    result = run(hotline.city.sysadmin, rows)
    assert result.ok, result.errors
    assert set(Request.objects.values_list("category", flat=True)) == {lift_v2.pk}


def test_permissions_outsider_gets_nothing_and_leaves_no_audit_row(hotline: Any) -> None:
    city = hotline.city
    # carol (community worker of B1) may import only what happened in B1.
    result = run(city.carol, good_rows(hotline))
    assert {(e.row, e.reason) for e in result.errors} == {
        (2, "该诉求所在区域不在您可导入的管辖范围内"),
        (4, "该诉求所在区域不在您可导入的管辖范围内"),
        (5, "该诉求所在区域不在您可导入的管辖范围内"),
    }
    assert Request.objects.count() == 0 and imports() == 0
    # Roles without the import capability are refused before the file is read.
    for actor in (city.olivia, hotline.hank, city.dave, city.secadmin):
        with pytest.raises(PermissionDenied):
            run(actor, good_rows(hotline))
    assert Request.objects.count() == 0 and imports() == 0
    # Within her area she may.
    result = run(city.carol, [good_rows(hotline)[1]])
    assert result.ok and Request.objects.get().number == "LEGACY-0002" and imports() == 1


def test_reimporting_the_same_numbers_is_refused_or_skipped(hotline: Any) -> None:
    admin = hotline.city.sysadmin
    assert run(admin, good_rows(hotline)).ok
    again = run(admin, good_rows(hotline))
    assert not again.ok and {e.reason for e in again.errors} == {
        f"诉求编号 {n} 已存在（已导入过）" for n in (r["number"] for r in good_rows(hotline))
    }
    assert Request.objects.count() == 4 and imports() == 1
    skipped = run(admin, good_rows(hotline), skip_existing=True)
    assert skipped.ok and skipped.imported == 0 and len(skipped.skipped) == 4 and imports() == 1
    more = [*good_rows(hotline), {**good_rows(hotline)[1], "number": "LEGACY-0099"}]
    added = run(admin, more, skip_existing=True)
    assert added.imported == 1 and [n for _, n in added.skipped][:1] == [good_rows(hotline)[0]["number"]]
    assert Request.objects.count() == 5 and imports() == 2


def test_dry_run_writes_nothing(hotline: Any) -> None:
    result = run(hotline.city.sysadmin, good_rows(hotline), dry_run=True)
    assert result.ok and result.rows == 4 and result.imported == 0
    assert Request.objects.count() == 0 and imports() == 0 and not RequestCounter.objects.exists()


def test_xlsx_with_date_cells_imports_like_csv(hotline: Any) -> None:
    book = Workbook()
    sheet: Any = book.active
    keys = [c.key for c in COLUMNS]
    sheet.append([HEADERS[k] for k in keys])
    for row in good_rows(hotline):
        values: list[Any] = []
        for key in keys:
            value: Any = row.get(key, "")
            if key.endswith("_at") and value:
                value = datetime.fromisoformat(value)  # a real date-time cell
            elif key in ("lon", "lat") and value:
                value = float(value)
            values.append(value or None)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    result = requests_history_import(actor=hotline.city.sysadmin, file_name="h.xlsx", data=out.getvalue())
    assert result.ok, result.errors
    for row in good_rows(hotline):
        found = Request.objects.get(number=row["number"])
        assert found.received_at == datetime.fromisoformat(f"{row['received_at']}+08:00")
        assert found.node_path  # placed as from the CSV


def test_command_prints_counts_and_refuses_bad_files(hotline: Any, tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(good_rows(hotline)))
    call_command("requests_import_history", str(good), "--dry-run")
    assert "校验通过（试运行，未写入）：可导入 4 件" in capsys.readouterr().out
    call_command("requests_import_history", str(good), "--user", "sysadmin")
    out = capsys.readouterr().out
    assert "诉求 4 件、工单 3 条、办理记录 4 条、评价 3 次" in out and "件/秒" in out
    with pytest.raises(CommandError, match="共 4 处错误"):
        call_command("requests_import_history", str(good))
    template = tmp_path / "template.xlsx"
    call_command("requests_import_history", "--template", str(template))
    assert template.stat().st_size > 0
    assert template_csv().decode("utf-8-sig").startswith("诉求编号*,")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_live_intake_during_an_import_never_reuses_an_imported_number(hotline: Any, monkeypatch: Any) -> None:
    """A live intake of a day the import fills: never the same number; live intake never fails.

    Numbers are counted from the day's first live one: on PostgreSQL a day's sequence outlives
    an earlier test's flushed rows (yesterday here is today for a test run just before
    midnight), so the first need not be 000001."""
    from civicgrid.requests.history_import import service
    from civicgrid.requests.services import request_create

    day = date.today() - timedelta(days=1)
    received = datetime.fromisoformat(f"{day:%Y-%m-%d} 10:00+08:00")
    olivia = hotline.city.olivia
    first = request_create(actor=olivia, data=hotline.new(received_at=received))
    assert first.number.startswith(f"{day:%Y%m%d}-")
    base = int(first.number[-6:])

    def number(k: int) -> str:
        return f"{day:%Y%m%d}-{base + k:06d}"

    rows = [
        {
            **good_rows(hotline)[3],
            "number": number(k),
            "received_at": f"{day:%Y-%m-%d} 08:0{k + 1}",
            "closed_at": f"{day:%Y-%m-%d} 09:00",
        }
        for k in (1, 2, 3)
    ]
    slow_audit(monkeypatch, service)
    imported, live = run_at_once(
        lambda: run(hotline.city.sysadmin, rows),
        lambda: request_create(actor=olivia, data=hotline.new(received_at=received)),
        stagger=0.3,
    )
    assert not isinstance(live, Exception), live
    numbers = list(Request.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    if isinstance(imported, Exception):  # the live request took the next number first: nothing imported
        assert live.number == number(1) and Request.objects.count() == 2
    else:
        assert imported.imported == 3 and live.number == number(4)
    later = request_create(actor=olivia, data=hotline.new(received_at=received))
    assert later.number not in numbers


@postgres_only
def test_on_postgresql_references_are_checked_set_wise_and_a_vanished_one_imports_nothing(
    hotline: Any, monkeypatch: Any
) -> None:
    """The test role is a superuser: the row-by-row foreign-key checks are off for the COPY,
    the references are locked and counted instead, and the checks are back on afterwards."""
    from civicgrid.requests.history_import import writer

    seen: list[str] = []
    copy = writer.copy_rows

    def watching(*args: Any) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            seen.append(cursor.fetchone()[0])
        return copy(*args)

    monkeypatch.setattr(writer, "copy_rows", watching)
    result = run(hotline.city.sysadmin, good_rows(hotline))
    assert result.ok and result.imported == 4 and "write:references" in result.seconds
    assert seen == ["replica"] * 4
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"

    # A grid the file names disappears between the check of the rows and the write.
    locked = writer._references_locked

    def vanished(items: Any, done: Any) -> None:
        for item in items:
            item.node_id = 10**9
        locked(items, done)

    monkeypatch.setattr(writer, "_references_locked", vanished)
    before = Request.objects.count()
    rows = [{**row, "number": f"X-{n}"} for n, row in enumerate(good_rows(hotline))]
    with pytest.raises(Conflict) as refused:
        run(hotline.city.sysadmin, rows)
    assert refused.value.code == "reference_gone" and Request.objects.count() == before


def test_rows_are_written_a_chunk_at_a_time_and_counted_once(hotline: Any, monkeypatch: Any) -> None:
    """Chunks of two rows: four rows go in two chunks, every table counted across them, the
    day counter raised and the audit row written once."""
    from civicgrid.requests.history_import import validate, writer

    monkeypatch.setattr(validate, "CHUNK_ROWS", 2)
    written: list[list[str]] = []
    write = writer.Writer.write

    def watching(self: Any, items: Any, counters: Any) -> None:
        written.append(sorted(i.number for i in items))
        write(self, items, counters)

    monkeypatch.setattr(writer.Writer, "write", watching)
    rows = good_rows(hotline)
    result = run(hotline.city.sysadmin, rows)
    assert result.ok and result.imported == 4, result.errors
    assert written == [sorted([rows[0]["number"], "LEGACY-0002"]), ["LEGACY-0003", "LEGACY-0004"]]
    assert result.counts == {"requests": 4, "work_orders": 3, "events": 4, "ratings": 3}
    assert RequestCounter.objects.get(day=DAY).last == 7
    audit = AuditLog.objects.get(verb=VERB).after
    assert audit is not None and audit["numbers"] == [rows[0]["number"], "LEGACY-0004"]


def test_a_bad_row_after_written_chunks_rolls_them_back_and_every_problem_is_listed(
    hotline: Any, monkeypatch: Any
) -> None:
    """The first chunk is written before the bad row is read; the rows after it are still
    checked; nothing stays (requests, counters, audit)."""
    from civicgrid.requests.history_import import validate, writer

    monkeypatch.setattr(validate, "CHUNK_ROWS", 2)
    written: list[int] = []
    write = writer.Writer.write

    def watching(self: Any, items: Any, counters: Any) -> None:
        written.append(len(items))
        write(self, items, counters)

    monkeypatch.setattr(writer.Writer, "write", watching)
    rows = good_rows(hotline)
    rows[2]["title"] = ""  # row 4
    rows[3]["channel"] = "飞鸽传书"  # row 5, after the first problem
    result = run(hotline.city.sysadmin, rows)
    if connection.vendor == "sqlite":  # the whole file is checked before the write lock
        assert written == []
    else:
        assert written == [2]  # the first chunk went in before row 4 was read
    assert [(e.row, e.column) for e in result.errors] == [(4, "标题"), (5, "渠道")]
    assert result.imported == 0 and not result.counts
    assert Request.objects.count() == 0 and WorkOrder.objects.count() == 0 and Rating.objects.count() == 0
    assert not RequestCounter.objects.exists() and imports() == 0


def test_on_sqlite_the_file_is_checked_before_the_write_lock_is_taken(hotline: Any, monkeypatch: Any) -> None:
    """SQLite's transaction takes its single write lock at once: every row is read and
    checked outside it, the numbers compared and the rows written inside it."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL checks and writes chunk by chunk in the transaction")
    from civicgrid.requests.history_import import validate

    seen: list[tuple[str, bool]] = []
    outside = len(connection.atomic_blocks)  # the test's own transaction
    row, check_taken = validate.Validator.row, validate.Validator.check_taken

    def row_watched(self: Any, number: int, cells: Any) -> Any:
        seen.append(("row", len(connection.atomic_blocks) > outside))
        return row(self, number, cells)

    def check_taken_watched(self: Any, chunk: Any) -> Any:
        seen.append(("taken", len(connection.atomic_blocks) > outside))
        return check_taken(self, chunk)

    monkeypatch.setattr(validate.Validator, "row", row_watched)
    monkeypatch.setattr(validate.Validator, "check_taken", check_taken_watched)
    result = run(hotline.city.sysadmin, good_rows(hotline))
    assert result.ok and result.imported == 4
    assert seen == [("row", False)] * 4 + [("taken", True)]


def test_a_number_taken_in_a_later_chunk_rolls_the_import_back(hotline: Any, monkeypatch: Any) -> None:
    from civicgrid.requests.history_import import validate

    admin = hotline.city.sysadmin
    rows = good_rows(hotline)
    assert run(admin, rows[3:]).ok  # LEGACY-0004 is in the database
    monkeypatch.setattr(validate, "CHUNK_ROWS", 2)
    result = run(admin, rows)
    assert [(e.row, e.reason) for e in result.errors] == [(5, "诉求编号 LEGACY-0004 已存在（已导入过）")]
    assert Request.objects.count() == 1 and imports() == 1


def test_an_existing_number_is_reported_on_a_row_with_other_problems_too(hotline: Any) -> None:
    admin = hotline.city.sysadmin
    assert run(admin, good_rows(hotline)[1:2]).ok  # LEGACY-0002 is in the database
    rows = good_rows(hotline)
    rows[1]["title"] = ""
    result = run(admin, rows)
    assert {(e.row, e.column) for e in result.errors} == {(3, "标题"), (3, "诉求编号")}
    skipped = run(admin, rows, skip_existing=True)
    assert skipped.skipped == [(3, "LEGACY-0002")] and [(e.row, e.column) for e in skipped.errors] == [
        (3, "标题")
    ]
    assert Request.objects.count() == 1
