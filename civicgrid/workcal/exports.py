"""A year's holidays and make-up working days as text, in the line format of 批量录入
(``bulk``): the file exported from the year page is entered again as it is, or after an edit,
through the same box or ``civicgrid workcal_import``.

One day a line (``2027-01-01 休 元旦``, ``2027-02-07 班 春节调休``), in date order, after
comment lines (``#``, ignored by the import) saying the year and whether it is confirmed.
A name the format cannot carry back (one holding a word 休/班/清除… on its own, or starting
with a date or a dash) gets a comment line above it asking to rename it before importing.
"""

from django.utils.translation import gettext as _

from civicgrid.workcal import bulk
from civicgrid.workcal.models import CalendarDay, CalendarYear

# i18n: data (the format's own action words, read back by bulk.parse_lines)
WORD_REST = "休"
WORD_WORK = "班"  # i18n: data (as above)
BOM = "\ufeff"  # Notepad and WPS then keep the file UTF-8; the import ignores it


def _name_problem(name: str) -> bool:
    actions, _rest = bulk._action_and_name(name)
    return bool(actions) or bool(bulk._NOT_A_NAME.match(name.translate(bulk._NARROW)))


def year_text(year: int) -> str:
    """Every day entered for ``year`` in the import's line format (empty of days if none)."""
    confirmed = CalendarYear.objects.filter(year=year).values_list("note", flat=True).first()
    lines = [
        "# "
        + _("{year} 年节假日与调休（工作日历导出）。可修改后在该年页面的“批量录入”中录入。").format(
            year=year
        ),
        "# "
        + (
            _("该年已确认全年安排已录入。") + (_("备注：{note}").format(note=confirmed) if confirmed else "")
            if confirmed is not None
            else _("该年尚未确认全年安排已录入。")
        ),
    ]
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    for day in days:
        name = " ".join(day.name.replace("\u3000", " ").split())
        if name and _name_problem(name):
            lines.append(
                "# "
                + _("下一行的名称“{name}”含有 休、班 等词或以日期、连接号开头，录入前请修改").format(
                    name=name
                )
            )
        word = WORD_WORK if day.is_workday else WORD_REST
        lines.append(f"{day.date.isoformat()} {word} {name}".rstrip())
    if not days:
        lines.append("# " + _("{year} 年还没有录入任何节假日或调休。").format(year=year))
    return BOM + "\n".join(lines) + "\n"


def file_name(year: int) -> str:
    return _("工作日历_{year}.txt").format(year=year)
