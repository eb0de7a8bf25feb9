"""Historical requests from real-world sheets: a title row above the header, UTF-16 text,
Excel serial times, full-width digits, invisible characters, phones typed every way (stored
in one form), and masked names and phones from an export refused by name."""

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

from civicgrid.core import crypto
from civicgrid.requests.history_import import COLUMNS, requests_history_import
from civicgrid.requests.history_import.columns import HEADERS
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_history_import import csv_file, good_rows

pytestmark = pytest.mark.django_db

KEYS = [c.key for c in COLUMNS]
FULL_WIDTH = str.maketrans("0123456789-:", "０１２３４５６７８９－：")


def serial(text: str) -> float:
    """The Excel serial number of a local time such as ``at(0, "09:00")``."""
    return (datetime.fromisoformat(text) - datetime(1899, 12, 30)).total_seconds() / 86400


def text_file(rows: list[list[Any]], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[HEADERS[k] for k in KEYS], *([row.get(k, "") for k in KEYS] for row in rows)]


def run(hotline: Any, name: str, data: bytes) -> Any:
    return requests_history_import(actor=hotline.city.sysadmin, file_name=name, data=data)


def test_a_title_row_above_the_header_is_passed_over_and_rows_keep_excels_numbers(hotline: Any) -> None:
    rows = good_rows(hotline)
    rows[1]["unit_code"] = "NOPE"
    book = Workbook()
    sheet: Any = book.active
    sheet.append(["2025年梁溪区12345热线历史工单"])
    sheet.append([])
    for line in table(rows):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)

    result = run(hotline, "history.xlsx", out.getvalue())

    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (5, "承办单位编码", "承办单位编码 NOPE 不存在")
    ]
    assert Request.objects.count() == 0


def test_a_missing_column_is_reported_on_the_header_row_below_a_title(hotline: Any) -> None:
    lines = table(good_rows(hotline))
    at_closed = KEYS.index("closed_at")
    lines = [["历史工单"], *([c for i, c in enumerate(line) if i != at_closed] for line in lines)]

    result = run(hotline, "history.csv", text_file(lines, ",", "utf-8"))

    assert [(e.row, e.column) for e in result.errors] == [(2, "办结时间")]


def test_excel_unicode_text_imports(hotline: Any) -> None:
    result = run(hotline, "history.txt", text_file(table(good_rows(hotline)), "\t", "utf-16"))

    assert result.ok, result.errors
    assert Request.objects.count() == 4


def test_serial_numbers_and_full_width_times_read_as_times(hotline: Any) -> None:
    rows = good_rows(hotline)
    book = Workbook()
    sheet: Any = book.active
    sheet.append([HEADERS[k] for k in KEYS])
    for row in rows:
        values: list[Any] = [row.get(k, "") or None for k in KEYS]
        values[KEYS.index("received_at")] = serial(row["received_at"])  # a number cell in General format
        values[KEYS.index("closed_at")] = row["closed_at"].translate(FULL_WIDTH)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    as_text = table(rows)
    as_text[1][KEYS.index("received_at")] = f"{serial(rows[0]['received_at']):.5f}"  # a CSV of the same

    from_xlsx = run(hotline, "history.xlsx", out.getvalue())
    assert from_xlsx.ok, from_xlsx.errors
    for row in rows:
        found = Request.objects.get(number=row["number"])
        assert found.received_at == datetime.fromisoformat(f"{row['received_at']}+08:00")
        assert found.closed_at == datetime.fromisoformat(f"{row['closed_at']}+08:00")
    Request.objects.all().delete()

    from_csv = run(hotline, "history.csv", text_file(as_text, ",", "utf-8"))

    assert from_csv.ok, from_csv.errors
    first = Request.objects.get(number=rows[0]["number"])
    assert first.received_at == datetime.fromisoformat(f"{rows[0]['received_at']}+08:00")


def test_phones_are_stored_in_one_form_and_codes_read_in_full_width(hotline: Any) -> None:
    rows = good_rows(hotline)
    rows[0]["requester_phone"] = "+86 138 1234 5678"
    rows[0]["number"] = rows[0]["number"].translate(FULL_WIDTH)
    rows[0]["unit_code"] = "Ｓ０１\u200b"
    rows[0]["category_code"] = "０１０１０１"
    rows[0]["contacted"] = "是\u200b"
    rows[1]["requester_phone"] = "（0510）82345678"
    rows[2]["lon"], rows[2]["lat"] = "１２０．３１５", "３１．５７５"

    result = run(hotline, "history.csv", csv_file(rows))

    assert result.ok, result.errors
    lift = Request.objects.get(number=good_rows(hotline)[0]["number"])
    assert crypto.decrypt(lift.requester_phone_enc) == "13812345678"
    assert lift.requester_phone_hash == crypto.blind_index("13812345678")
    assert lift.lead_unit == hotline.sub_a_unit and lift.category == hotline.lift
    noise = Request.objects.get(number="LEGACY-0002")
    assert crypto.decrypt(noise.requester_phone_enc) == "0510-82345678"
    assert noise.requester_phone_hash == crypto.blind_index("0510-82345678")
    assert (Request.objects.get(number="LEGACY-0003").lon or 0) == pytest.approx(120.315)


def test_masked_names_and_phones_from_an_export_are_refused_by_name(hotline: Any) -> None:
    rows = good_rows(hotline)
    rows[0]["requester_name"] = "张*丰"
    rows[0]["requester_phone"] = "138****5678"

    result = run(hotline, "history.csv", csv_file(rows))

    assert [(e.row, e.column, e.reason.split("（")[0]) for e in result.errors] == [
        (2, "诉求人姓名", "诉求人姓名已脱敏"),
        (2, "联系电话", "联系电话已脱敏"),
    ]
    assert Request.objects.count() == 0
