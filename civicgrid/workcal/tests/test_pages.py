"""The working-calendar pages of the system administrator (/workcal/): who may see them, setting
and clearing a day, confirming and loading a year, entering many days at once, the warnings."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.requests.deadlines import set_deadlines
from civicgrid.requests.models import Category, Request
from civicgrid.workcal import clock, selectors
from civicgrid.workcal.constants import LimitUnit
from civicgrid.workcal.models import CalendarDay, CalendarYear

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)  # the autumn the 2027 schedule is published
SPRING_FESTIVAL_2027 = "2027-02-06 至 2027-02-14 休 春节\n2027-02-20 班 春节调休\n"


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    return TODAY


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state() -> tuple[list[tuple[date, bool, str]], list[int], int]:
    """Everything the pages can change: the days, the confirmed years, the audit rows."""
    days = list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name"))
    return days, sorted(CalendarYear.objects.values_list("year", flat=True)), AuditLog.objects.count()


def version(year: int) -> str:
    return selectors.year_version(year)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "alice", "dave", "olivia", "secadmin", "auditor"])
def test_only_the_system_administrator_may_edit_the_calendar(city: Any, who: str) -> None:
    client = client_for(getattr(city, who))
    before = state()
    # Every staff account reads the calendar (test_wcalfix_read_only); only the forms are refused.
    assert client.get(reverse("workcal:day_form", args=[2027]) + "?date=2027-01-01").status_code == 403
    posts = {
        "workcal:day_set": {"date": "2027-01-01", "kind": "rest", "name": "元旦"},
        "workcal:day_clear": {"date": "2026-10-01"},
        "workcal:confirm": {"note": ""},
        "workcal:seed": {"agree": "1"},
        "workcal:import": {"lines": SPRING_FESTIVAL_2027, "confirm": "1"},
    }
    for name, data in posts.items():
        year = 2026 if name in ("workcal:day_clear", "workcal:seed") else 2027
        assert client.post(reverse(name, args=[year]), data).status_code == 403, name
    assert state() == before
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("workcal:index") not in home
    assert "节假日安排尚未录入" not in home


@pytest.mark.django_db
def test_a_visitor_not_signed_in_is_sent_to_sign_in(city: Any) -> None:
    response = Client().get(reverse("workcal:index"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_the_years_page_warns_that_2027_is_not_entered(city: Any) -> None:
    client = client_for(city.sysadmin)
    page = client.get(reverse("workcal:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2027 年节假日安排尚未录入，期限按周一至周五计算" in text
    assert reverse("workcal:year", args=[2027]) in text and reverse("workcal:year", args=[2026]) in text
    assert "已确认" in text  # 2026, seeded from chinese-calendar
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("workcal:index") in home  # the menu entry
    assert "2027 年节假日安排" in home and "未录入" in home  # the home page's figure
    notice = f'<li class="warning"><a href="{reverse("workcal:year", args=[2027])}">2027 年节假日安排尚未录入'
    assert notice in home  # and the notice above everything


@pytest.mark.django_db
def test_before_october_next_year_is_only_a_hint(city: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "today", lambda: date(2026, 5, 1))
    text = client_for(city.sysadmin).get(reverse("workcal:index")).content.decode()
    assert "2027 年节假日安排尚未录入" not in text
    assert "通常在每年秋季公布次年安排" in text


@pytest.mark.django_db
def test_the_year_page_shows_the_months_with_names_and_marks(city: Any) -> None:
    page = client_for(city.sysadmin).get(reverse("workcal:year", args=[2026]))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('class="workcal-month"') == 12
    assert 'title="国庆节"' in text and "workcal-day makeup" in text
    assert "从 chinese-calendar 载入 2026 年安排" in text
    page_2027 = client_for(city.sysadmin).get(reverse("workcal:year", args=[2027])).content.decode()
    assert "2027 年节假日安排尚未录入，期限按周一至周五计算" in page_2027
    assert "从 chinese-calendar 载入" not in page_2027  # the installed library has no 2027


@pytest.mark.django_db
def test_a_click_on_a_day_fills_the_form(city: Any) -> None:
    url = reverse("workcal:day_form", args=[2026]) + "?date=2026-10-01"
    text = client_for(city.sysadmin).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="2026-10-01"' in text and 'value="国庆节"' in text and "清除 2026-10-01 的设置" in text


@pytest.mark.django_db
def test_set_clear_and_confirm_a_day_of_2027_each_audited(city: Any) -> None:
    client = client_for(city.sysadmin)
    url = reverse("workcal:day_set", args=[2027])
    response = client.post(
        url, {"date": "2027-01-01", "kind": "rest", "name": "元旦", "version": version(2027)}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=date(2027, 1, 1), is_workday=False, name="元旦").exists()
    response = client.post(
        reverse("workcal:day_clear", args=[2027]), {"date": "2027-01-01", "version": version(2027)}
    )
    assert response.status_code == 302 and not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    url = reverse("workcal:confirm", args=[2027])
    response = client.post(url, {"note": "国办发明电", "version": version(2027)})
    text = response.content.decode()
    assert response.status_code == 422  # nothing entered: asks first
    assert "2027 年只录入了 0 天工作日放假，每年法定节假日至少 11 天" in text
    assert 'name="few_ok"' in text and "国办发明电" in text
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = client.post(url, {"note": "国办发明电", "few_ok": "1", "version": version(2027)})
    assert response.status_code == 302 and CalendarYear.objects.filter(year=2027, note="国办发明电").exists()
    verbs = list(
        AuditLog.objects.filter(verb__startswith="workcal.").order_by("id").values_list("verb", flat=True)
    )
    assert verbs == ["workcal.day_set", "workcal.day_cleared", "workcal.year_confirmed"]
    assert "2027 年节假日安排尚未录入" not in client.get(reverse("workcal:index")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"date": "2027-01-02", "kind": "rest", "name": "元旦"}, "2027-01-02 是星期六，本来就休息"),
        ({"date": "2027-01-04", "kind": "work", "name": ""}, "调休上班日应为周六或周日"),
        ({"date": "2027-02-30", "kind": "rest"}, "应为有效日期"),
        ({"date": "2028-01-03", "kind": "rest"}, "日期不在 2027 年"),
        ({"date": "2027-01-01", "kind": "holiday"}, "请选择 休 或 班"),
        ({"date": "2027-01-01", "kind": "rest", "name": "长" * 51}, "名称最多 50 个字"),
    ],
)
def test_a_bad_day_is_refused_at_its_field_and_changes_nothing(
    city: Any, data: dict[str, str], reason: str
) -> None:
    before = state()
    response = client_for(city.sysadmin).post(
        reverse("workcal:day_set", args=[2027]), {**data, "version": version(2027)}
    )
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert state() == before


@pytest.mark.django_db
def test_bulk_entry_with_one_bad_line_changes_nothing(city: Any) -> None:
    before = state()
    lines = "2027-01-01 休 元旦\n" + SPRING_FESTIVAL_2027 + "2027-02-21 班 春节调休\n2027-02-29 休\n"
    response = client_for(city.sysadmin).post(
        reverse("workcal:import", args=[2027]), {"lines": lines, "confirm": "1", "version": version(2027)}
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "第5行：日期无效（没有这一天）" in text
    assert "第1行" not in text.split("第5行")[0].rsplit("workcal-errors", 1)[-1]
    assert lines.strip() in text  # what was typed comes back to be put right
    assert state() == before


# The 2026 schedule (国办发明电〔2025〕7号) as an administrator would type it: 13 weekday holidays.
WHOLE_YEAR_2026 = """2026-01-01 至 2026-01-03 休 元旦
2026-01-04 班 元旦调休
2026-02-15 至 2026-02-23 休 春节
2026-02-14 班 春节调休
2026-02-28 班 春节调休
2026-04-04 至 2026-04-06 休 清明节
2026-05-01 至 2026-05-05 休 劳动节
2026-05-09 班 劳动节调休
2026-06-19 至 2026-06-21 休 端午节
2026-09-25 至 2026-09-27 休 中秋节
2026-10-01 至 2026-10-07 休 国庆节
2026-09-20 班 国庆节调休
2026-10-10 班 国庆节调休
"""


@pytest.mark.django_db
def test_confirming_with_a_bulk_entry_in_part_asks_first_and_enters_nothing(city: Any) -> None:
    before = state()
    client = client_for(city.sysadmin)
    data = {"lines": "2027-01-01 休 元旦\n", "confirm": "1", "version": version(2027)}
    response = client.post(reverse("workcal:import", args=[2027]), data)
    text = response.content.decode()
    assert response.status_code == 422
    assert "2027 年只录入了 1 天工作日放假" in text and 'name="few_ok"' in text
    assert "2027-01-01 休 元旦" in text  # what was typed comes back
    assert state() == before  # the day is not entered either


@pytest.mark.django_db
def test_pasted_lines_with_a_byte_order_mark_or_zero_width_spaces_are_read(city: Any) -> None:
    lines = "\ufeff2027-01-01 休 元旦\n\u200b2027-02-20 班 春节调休\u200b\n"
    response = client_for(city.sysadmin).post(
        reverse("workcal:import", args=[2027]), {"lines": lines, "version": version(2027)}
    )
    assert response.status_code == 302, response.content.decode()
    assert list(CalendarDay.objects.filter(date__year=2027).order_by("date").values_list("date", "name")) == [
        (date(2027, 1, 1), "元旦"),
        (date(2027, 2, 20), "春节调休"),
    ]


@pytest.mark.django_db
def test_a_whole_year_is_confirmed_without_asking(city: Any) -> None:
    CalendarDay.objects.filter(date__year=2026).delete()
    response = client_for(city.sysadmin).post(
        reverse("workcal:import", args=[2026]),
        {"lines": WHOLE_YEAR_2026, "confirm": "1", "version": version(2026)},
    )
    assert response.status_code == 302, response.content.decode()
    assert CalendarDay.objects.filter(date__year=2026, is_workday=False).count() >= 11
    assert CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.django_db
def test_a_deadline_after_entering_2027_runs_on_the_new_holidays(
    city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    category = Category(resolution_limit=5, resolution_unit=LimitUnit.WORKING_DAYS)
    start = datetime(2027, 2, 5, 10, tzinfo=SH)  # a Friday, the day before the Spring Festival
    clock.forget()
    before = Request()
    set_deadlines(before, category, start)  # this process now holds the calendar without 2027
    assert before.due_resolution_at == datetime(2027, 2, 12, 10, tzinfo=SH)
    assert "2027 年节假日安排尚未录入，期限按周一至周五计算" in before.calendar_warning

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(city.sysadmin).post(
            reverse("workcal:import", args=[2027]),
            {
                "lines": "2027-01-01 休 元旦\n" + SPRING_FESTIVAL_2027,
                "confirm": "1",
                "few_ok": "1",
                "version": version(2027),
            },
        )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 7  # 元旦, five weekdays, one Saturday
    assert AuditLog.objects.filter(verb="workcal.day_set").count() == 7
    assert AuditLog.objects.filter(verb="workcal.year_confirmed", target_id=str(2027)).count() == 1

    after = Request()
    set_deadlines(after, category, start)
    assert after.due_resolution_at == datetime(2027, 2, 19, 10, tzinfo=SH)  # 02-08..12 off
    assert after.calendar_warning == ""


@pytest.mark.django_db
def test_a_page_shown_before_another_administrators_change_gets_a_conflict(city: Any) -> None:
    client = client_for(city.sysadmin)
    seen = version(2027)
    client.post(
        reverse("workcal:day_set", args=[2027]), {"date": "2027-01-01", "kind": "rest", "version": seen}
    )
    before = state()
    response = client.post(
        reverse("workcal:import", args=[2027]),
        {"lines": SPRING_FESTIVAL_2027, "confirm": "1", "version": seen},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "2027年的安排刚被他人修改" in text and SPRING_FESTIVAL_2027.strip() in text
    assert state() == before
    assert f'value="{version(2027)}"' in text  # sending again after a look goes through


@pytest.mark.django_db
def test_loading_a_year_from_chinese_calendar_asks_first(city: Any) -> None:
    client = client_for(city.sysadmin)
    CalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    before = state()
    response = client.post(reverse("workcal:seed", args=[2026]), {"version": version(2026)})
    assert response.status_code == 422 and "请先勾选确认" in response.content.decode()
    assert state() == before
    response = client.post(reverse("workcal:seed", args=[2026]), {"agree": "1", "version": version(2026)})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=date(2026, 10, 1), name="国庆节").exists()
    assert AuditLog.objects.filter(verb="workcal.year_seeded", target_id="2026").count() == 1
    response = client.post(reverse("workcal:seed", args=[2027]), {"agree": "1", "version": version(2027)})
    assert response.status_code == 422 and "不包含 2027 年的安排" in response.content.decode()


@pytest.mark.django_db
def test_a_year_out_of_range_is_not_found(city: Any) -> None:
    assert client_for(city.sysadmin).get(reverse("workcal:year", args=[1999])).status_code == 404


@pytest.mark.django_db
def test_the_django_admin_edits_through_the_services(city: Any) -> None:
    client = client_for(city.sysadmin)
    assert client.get(reverse("admin:workcal_calendarday_changelist")).status_code == 200
    response = client.post(
        reverse("admin:workcal_calendarday_add"), {"date": "2027-01-01", "is_workday": "", "name": "元旦"}
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(verb="workcal.day_set", target_label__contains="2027-01-01").count() == 1
    response = client.post(
        reverse("admin:workcal_calendarday_add"), {"date": "2027-01-02", "is_workday": "", "name": "周六"}
    )
    assert response.status_code == 422 and "本来就休息" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2027, 1, 2)).exists()
    assert client_for(city.secadmin).get(reverse("admin:workcal_calendarday_changelist")).status_code == 403


@pytest.mark.django_db
def test_the_pages_read_in_a_few_queries_whatever_the_years(
    city: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(city.sysadmin)
    client.get(reverse("workcal:index"))  # the session and the account, once
    with django_assert_max_num_queries(10):
        assert client.get(reverse("workcal:index")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("workcal:year", args=[2026])).status_code == 200
