"""``civicgrid workcal_import FILE``: the line format of the year page, all or nothing."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicgrid.core.models import AuditLog
from civicgrid.workcal.models import CalendarDay, CalendarYear


@pytest.mark.django_db
def test_a_file_with_a_bad_line_changes_nothing(city: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 休 元旦\n2027-01-02 休 元旦\n", encoding="utf-8")
    audits = AuditLog.objects.count()
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("workcal_import", str(path), "--year", "2027", "--confirm")
    assert "第2行：2027-01-02 是星期六" in capsys.readouterr().err
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists() and AuditLog.objects.count() == audits


@pytest.mark.django_db
def test_a_good_file_is_entered_and_confirmed_as_the_system_administrator(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.txt"
    path.write_text("\ufeff2027-01-01 休 元旦\n2027-02-06 至 2027-02-14 休 春节\n2027-02-20 班 春节调休\n")
    call_command(
        "workcal_import", str(path), "--year", "2027", "--confirm", "--note", "国办发明电", "--few-ok"
    )
    assert CalendarDay.objects.filter(date__year=2027).count() == 7
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).is_workday
    assert CalendarYear.objects.get(year=2027).note == "国办发明电"
    rows = AuditLog.objects.filter(verb="workcal.day_set")
    assert rows.count() == 7 and set(rows.values_list("actor", flat=True)) == {city.sysadmin.pk}


@pytest.mark.django_db
def test_confirming_a_year_entered_in_part_needs_few_ok(city: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 休 元旦\n", encoding="utf-8")
    audits = AuditLog.objects.count()
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("workcal_import", str(path), "--year", "2027", "--confirm")
    assert "2027 年只录入了 1 天工作日放假" in capsys.readouterr().err
    assert not CalendarDay.objects.filter(date__year=2027).exists()  # the day is rolled back too
    assert not CalendarYear.objects.filter(year=2027).exists() and AuditLog.objects.count() == audits
