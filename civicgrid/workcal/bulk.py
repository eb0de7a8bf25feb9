"""The line format for entering a year's holidays at once (page and ``civicgrid workcal_import``).

One day or range a line, the action word anywhere after the dates, the rest is the name::

    2027-01-01 休 元旦
    2027-02-15 至 2027-02-21 休 春节
    2027-02-14 班 春节调休
    2027-02-20 清除

* dates as ``YYYY-MM-DD`` (also ``2027/2/14``, ``2027年2月14日``, ``20270214`` as the other
  imports read it, and in full-width digits and separators, ``２０２７－０２－１４``); a range
  with 至, 到, ~ or - (also the en dash –, em dash —, minus sign − and ～ 〜 a word processor puts in); a name
  starting with a dash or a date is refused (a range not read as one);
* ``休`` (放假) marks holidays: in a range, Saturdays and Sundays are rest days anyway and are
  skipped; ``班`` (上班) marks a make-up working day, a Saturday or Sunday; ``清除`` takes a
  day (or range) back to the Monday–Friday rule;
* blank lines and lines starting with ``#`` are ignored.

``parse_lines`` reads every line and reports every bad one (``第3行：…``) in one
``ValidationError`` on the field ``lines``; it changes nothing.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.workcal import rules

MAX_LINES = 500
MAX_RANGE_DAYS = 31
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
# Full-width ASCII (２０２７－０１－０１, ／, ．, ～ as WPS and Chinese input methods type them)
# read as half-width, character for character, so that a match's positions still fit the line.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class Action:
    REST = "rest"
    WORK = "work"
    CLEAR = "clear"


# i18n: data (the words typed in the format; matched, never shown)
ACTION_WORDS = {
    "休": Action.REST,
    "放假": Action.REST,
    "假": Action.REST,
    "班": Action.WORK,
    "上班": Action.WORK,
    "清除": Action.CLEAR,
    "删除": Action.CLEAR,
    "恢复": Action.CLEAR,
}

# i18n: data (the date and range forms typed in the format)
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
# A range's separator: also the dashes and tildes Word/WPS put in for "-" or "~" (en dash,
# em dash, minus sign, full-width and wave tildes).
_RANGE = "至|到|~|～|〜|—|–|−|―|－|-"  # i18n: data (as above)
_LINE = re.compile(rf"^{_DATE}(?:\s*(?:{_RANGE})\s*{_DATE})?(?:\s+(.*))?$")  # i18n: data (as above)
# The dates at a line's head, one of them (or both) possibly written 20270214.
_SPELT = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"  # i18n: data (as above)
_HEAD = re.compile(rf"^(?:(\d{{8}})|{_SPELT})(?:\s*(?:{_RANGE})\s*(?:(\d{{8}})|{_SPELT}))?(?!\d)")
# A name starting like this is a range the line did not read as one (a separator not known).
_NOT_A_NAME = re.compile(
    rf"^(?:{_RANGE}|‐|‑|‒|⁓|\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月])"
)  # i18n: data (as above)


@dataclass(frozen=True)
class Entry:
    """One day to set: ``action`` is an ``Action``; ``line`` is where it was typed (1-based)."""

    day: date
    action: str
    name: str
    line: int


def _day(parts: tuple[str | None, ...]) -> date | None:
    try:
        return date(int(parts[0] or 0), int(parts[1] or 0), int(parts[2] or 0))
    except ValueError:
        return None


def _action_and_name(rest: str) -> tuple[list[str], str]:
    words = rest.replace("\u3000", " ").split()
    actions = [ACTION_WORDS[w] for w in words if w in ACTION_WORDS]
    name = " ".join(w for w in words if w not in ACTION_WORDS)
    return actions, name


def _days_of(first: date, last: date, action: str) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if action == Action.REST and first != last:
        return [d for d in days if d.weekday() < 5]  # a weekend inside a holiday rests anyway
    return days


def _dashed(text: str, narrow: str) -> tuple[str, str]:
    """``text`` and its narrowed form with the head's compact dates (20270214) written
    2027-02-14 in both, so that positions found in one still fit the other."""
    head = _HEAD.match(narrow)
    if head is None:
        return text, narrow
    for group in (2, 1):  # the later one first: the earlier one's positions stay
        if head.group(group) is not None:
            at = head.start(group)
            text = f"{text[:at]}{text[at : at + 4]}-{text[at + 4 : at + 6]}-{text[at + 6 :]}"
            narrow = f"{narrow[:at]}{narrow[at : at + 4]}-{narrow[at + 4 : at + 6]}-{narrow[at + 6 :]}"
    return text, narrow


def parse_line(text: str, line: int, year: int | None) -> tuple[list[Entry], list[str]]:
    """The entries of one line and the reasons it is refused (without the line number)."""
    text, narrow = _dashed(text, text.translate(_NARROW))
    found = _LINE.match(narrow)
    if found is None:
        return [], [_("无法识别日期，应以 YYYY-MM-DD 开头，例如 2027-02-14 班 春节调休")]
    groups = found.groups()
    first = _day(groups[0:3])
    last = _day(groups[3:6]) if groups[3] else first
    if first is None or last is None:
        return [], [_("日期无效（没有这一天）")]
    # The name as typed (full-width brackets kept); the dates and words were read narrowed.
    actions, name = _action_and_name(text[found.start(7) : found.end(7)] if groups[6] else "")
    if len(actions) != 1:
        reason = _("应写明一个 休、班 或 清除") if not actions else _("只能写一个 休、班 或 清除")
        return [], [reason]
    action = actions[0]
    if _NOT_A_NAME.match(name.translate(_NARROW)):
        return [], [
            _("名称不能以日期或连接号开头（“{name}”）；日期范围请写成 2027-10-01 至 2027-10-07").format(
                name=name
            )
        ]
    if last < first:
        return [], [_("结束日期早于开始日期")]
    if (last - first).days >= MAX_RANGE_DAYS:
        return [], [_("日期范围最长 {n} 天").format(n=MAX_RANGE_DAYS)]
    if year is not None and (first.year != year or last.year != year):
        return [], [_("日期不在 {year} 年（本页只录入 {year} 年的安排）").format(year=year)]
    if action == Action.WORK and first != last:
        return [], [_("班（调休上班）只能写单个日期")]
    days = _days_of(first, last, action)
    if not days:
        return [], [_("该范围内都是周六、周日，本来就休息，无需录入")]
    reasons: list[str] = []
    if action != Action.CLEAR:
        for day in days:
            for field_reasons in rules.day_errors(day, action == Action.WORK, name).values():
                reasons.extend(field_reasons)
    return [Entry(day, action, name, line) for day in days], list(dict.fromkeys(reasons))


def parse_lines(text: str, *, year: int | None = None) -> list[Entry]:
    """Every entry of ``text``, or one ``ValidationError`` naming each bad line."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationError(_("最多 {n} 行，请分批录入").format(n=MAX_LINES), field="lines")
    entries: list[Entry] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for number, raw in enumerate(lines, start=1):
        # Also the byte-order mark and zero-width spaces that text pasted from Notepad or a web
        # page carries: invisible, they would make the date unreadable.
        stripped = raw.strip().strip(INVISIBLE).strip()
        if not stripped or stripped.startswith("#"):
            continue
        found, reasons = parse_line(stripped, number, year)
        for entry in found:
            if entry.day in seen:
                reasons.append(
                    _("{date} 已在第{other}行出现").format(date=entry.day.isoformat(), other=seen[entry.day])
                )
            seen.setdefault(entry.day, number)
        problems.extend(_("第{row}行：{reason}").format(row=number, reason=r) for r in reasons)
        entries.extend(found)
    if problems:
        message = _("有 {n} 处错误，未做任何修改：{first}").format(n=len(problems), first=problems[0])
        raise ValidationError(message, errors={"lines": problems})
    if not entries:
        raise ValidationError(_("请填写要录入的安排，每行一条"), field="lines")
    return entries
