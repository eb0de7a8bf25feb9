"""What a calendar day may say: the checks shared by the services, the line format and the admin."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_YEAR = 2000
LAST_YEAR = 2100
NAME_MAX = 50
NOTE_MAX = 255
# The fewest weekday holidays a real year has: the statutory holidays (11 days until 2024,
# 13 from 2025), moved to weekdays when they fall on a weekend. Confirming a year with fewer
# asks first (``few_ok``): most likely the schedule was entered only in part.
MIN_HOLIDAYS = 11

WEEKDAYS = (
    gettext_lazy("星期一"),
    gettext_lazy("星期二"),
    gettext_lazy("星期三"),
    gettext_lazy("星期四"),
    gettext_lazy("星期五"),
    gettext_lazy("星期六"),
    gettext_lazy("星期日"),
)


def year_errors(year: int) -> list[str]:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return []
    return [_("年份应在 {first} 至 {last} 之间").format(first=FIRST_YEAR, last=LAST_YEAR)]


def day_errors(day: date, is_workday: bool, name: str) -> dict[str, list[str]]:
    """Reasons, by field (``date``, ``name``), why ``day`` cannot be set so; {} if it can.

    Only departures from Monday–Friday are stored: a holiday falls on a weekday and a
    make-up working day on a Saturday or Sunday.
    """
    errors: dict[str, list[str]] = {}
    if year_errors(day.year):
        errors["date"] = [_("日期超出范围（{first} 至 {last} 年）").format(first=FIRST_YEAR, last=LAST_YEAR)]
    elif is_workday and day.weekday() < 5:
        errors["date"] = [
            _("{date} 是{weekday}，本来就上班；调休上班日应为周六或周日").format(
                date=day.isoformat(), weekday=WEEKDAYS[day.weekday()]
            )
        ]
    elif not is_workday and day.weekday() >= 5:
        errors["date"] = [
            _("{date} 是{weekday}，本来就休息，无需录入放假").format(
                date=day.isoformat(), weekday=WEEKDAYS[day.weekday()]
            )
        ]
    if len(name.strip()) > NAME_MAX:
        errors["name"] = [_("名称最多 {n} 个字").format(n=NAME_MAX)]
    return errors
