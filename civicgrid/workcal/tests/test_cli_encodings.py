"""``workcal_import`` reads text as the other imports do: GB18030/GBK and UTF-8 with BOM, and
dates written 20270220 (a file saved by Notepad in ANSI was refused as not UTF-8)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicgrid.workcal.bulk import Action, parse_lines
from civicgrid.workcal.models import CalendarDay

LINES = "2027-01-01 休 元旦\n20270206 至 20270214 休 春节\n20270220 班 春节调休\n"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_a_file_in_a_chinese_windows_encoding_is_entered(city: Any, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "2027.txt"
    path.write_bytes(LINES.encode(encoding))
    call_command("workcal_import", str(path), "--year", "2027")
    assert CalendarDay.objects.filter(date__year=2027).count() == 7
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).name == "春节调休"


@pytest.mark.django_db
def test_bytes_in_no_known_encoding_are_refused_saying_what_to_do(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.txt"
    path.write_bytes(b"\x81\x30\xff\xfe 2027")
    days = CalendarDay.objects.count()
    with pytest.raises(CommandError, match="文件编码无法识别，请另存为 UTF-8 或 GBK 编码的文本"):
        call_command("workcal_import", str(path))
    assert CalendarDay.objects.count() == days


def test_compact_dates_are_read_like_in_the_other_imports() -> None:
    entries = parse_lines("20270220 班 春节调休\n２０２７０２０８－２０２７０２０９ 休 （春节）\n")
    assert [(e.day, e.action, e.name) for e in entries] == [
        (date(2027, 2, 20), Action.WORK, "春节调休"),
        (date(2027, 2, 8), Action.REST, "（春节）"),
        (date(2027, 2, 9), Action.REST, "（春节）"),
    ]


def test_an_eight_digit_number_that_is_no_date_is_still_refused() -> None:
    with pytest.raises(Exception, match="第1行：日期无效（没有这一天）"):
        parse_lines("20271340 休 元旦\n")
