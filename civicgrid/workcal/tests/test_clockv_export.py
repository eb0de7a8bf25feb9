"""Exporting a year of the work calendar (/workcal/<year>/export/): the line format of 批量录入,
so that export → edit → import round-trips, for the system administrator only."""

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from civicgrid.workcal import bulk, selectors, services
from civicgrid.workcal.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

SPRING_2027 = "2027-02-08 至 2027-02-12 休 春节\n2027-02-07 班 春节调休\n2027-10-01 休 国庆节\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days(year: int) -> list[tuple[date, bool, str]]:
    return list(
        CalendarDay.objects.filter(date__year=year).order_by("date").values_list("date", "is_workday", "name")
    )


def export(client: Client, year: int) -> str:
    response = client.get(reverse("workcal:export", args=[year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(f'工作日历_{year}.txt')}"
    return response.content.decode("utf-8")


def test_the_export_lists_every_day_in_the_import_format(city: Any) -> None:
    services.calendar_days_import(actor=city.sysadmin, text=SPRING_2027, year=2027)
    text = export(client_for(city.sysadmin), 2027)
    lines = [line for line in text.lstrip("\ufeff").splitlines() if not line.startswith("#")]
    assert lines == [
        "2027-02-07 班 春节调休",
        "2027-02-08 休 春节",
        "2027-02-09 休 春节",
        "2027-02-10 休 春节",
        "2027-02-11 休 春节",
        "2027-02-12 休 春节",
        "2027-10-01 休 国庆节",
    ]
    assert "尚未确认" in text
    parsed = [(e.day, e.action == bulk.Action.WORK, e.name) for e in bulk.parse_lines(text, year=2027)]
    assert parsed == days(2027)


def test_export_edit_import_round_trips(city: Any, tmp_path: Path) -> None:
    """The file, edited (one day dropped to 清除, one added), goes back in through the page's
    box and the command, and the year holds exactly what the file says."""
    services.calendar_days_import(actor=city.sysadmin, text=SPRING_2027, year=2027)
    client = client_for(city.sysadmin)
    original = days(2027)
    text = export(client, 2027)
    # Unchanged, through the page's box: nothing changes.
    response = client.post(
        reverse("workcal:import", args=[2027]), {"lines": text, "version": selectors.year_version(2027)}
    )
    assert response.status_code == 302
    assert days(2027) == original
    # Edited, through the command.
    edited = text.replace("2027-10-01 休 国庆节", "2027-10-01 清除") + "2027-05-03 休 劳动节\n"
    path = tmp_path / "workcal-2027.txt"
    path.write_text(edited, encoding="utf-8")
    call_command("workcal_import", str(path), "--year", "2027")
    expected = [d for d in original if d[0] != date(2027, 10, 1)] + [(date(2027, 5, 3), False, "劳动节")]
    assert days(2027) == sorted(expected)
    again = export(client, 2027)
    assert "2027-05-03 休 劳动节" in again and "2027-10-01" not in again


def test_a_confirmed_year_says_so_and_an_empty_year_still_imports_as_comments(city: Any) -> None:
    services.calendar_days_import(actor=city.sysadmin, text=SPRING_2027, year=2027)
    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕7号")
    client = client_for(city.sysadmin)
    assert "国办发明电〔2026〕7号" in export(client, 2027)
    empty = export(client, 2031)
    assert all(line.startswith("#") for line in empty.lstrip("\ufeff").splitlines())


def test_a_name_the_format_cannot_carry_is_flagged_above_its_line(city: Any) -> None:
    CalendarDay.objects.create(date=date(2027, 6, 14), is_workday=False, name="端午 休")
    text = export(client_for(city.sysadmin), 2027)
    assert "# 下一行的名称“端午 休”含有 休、班 等词或以日期、连接号开头，录入前请修改" in text


def test_the_year_page_links_to_the_export(city: Any) -> None:
    html = client_for(city.sysadmin).get(reverse("workcal:year", args=[2027])).content.decode()
    assert reverse("workcal:export", args=[2027]) in html


@pytest.mark.parametrize("who", ["bob", "alice", "olivia", "secadmin", "auditor"])
def test_every_staff_account_may_export_the_calendar(city: Any, who: str) -> None:
    response = client_for(getattr(city, who)).get(reverse("workcal:export", args=[2027]))
    assert response.status_code == 200  # read-only for all staff (test_wcalfix_calendar)


def test_a_year_out_of_range_is_not_found(city: Any) -> None:
    response = client_for(city.sysadmin).get(reverse("workcal:export", args=[1999]))
    assert response.status_code == 404
    assert "年份应在 2000 至 2100 之间" in response.content.decode()
