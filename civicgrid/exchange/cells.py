"""What a spreadsheet cell holds, read as the person who typed it meant it.

Shared by every import (the exchange importers, the party's, historical requests, the
catalogue, saved answers, the classifier's files), so a cell means the same everywhere:

* text: leading and trailing spaces (also no-break and ideographic ones) and invisible
  characters (zero-width spaces, the BOM, direction marks: ``core.validators.INVISIBLE``)
  are dropped, a no-break space inside becomes a plain one (``clean_text``);
* numbers Excel stored as numbers: their digits as text (``number_text``), marked
  ``FromNumber``; beyond 15 significant digits Excel has already lost the last ones
  (``LostDigits``: an ID number typed into a number cell), which is said, not stored;
* identifiers (ID numbers, phones, credit codes): full-width forms as ASCII, masked
  copies from our own exports (``110***********1234``) and Excel's scientific notation
  (``3.20213E+17``) refused with a reason (``id_number_cell``, ``phone_cell``…);
* identifiers behind an apostrophe or in ``="…"`` (other systems' way of keeping Excel off
  the digits) read without it (``unquoted``);
* dates: date cells, Excel serial numbers of five digits (45292 is 2024-01-01), ``2024-01-31``,
  ``2024/1/31``, ``2024.01.31``, ``2024年1月31日``, ``20240131``, with or without a time
  of day, in full-width digits too (``parse_date``); any other plain number (a year, an age)
  and a date cell before 1900-03-01 are refused (``BareNumber``, ``date_reason``);
* person names: spaces between Chinese characters dropped (``person_name``).

Messages are built when used (``gettext``), never at import time.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from civicgrid.core.validators import (
    INVISIBLE,
    fold,
    is_masked,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
    phone_problem,
)

Cell = str | date | time
T = TypeVar("T")

_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_SPACES_RE = re.compile(r"\s+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A space between two Chinese characters, or beside a middle dot (after _SPACES_RE).
_NAME_GAP_RE = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])| (?=·)|(?<=·) ")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug makes day 60 1900-02-29).
EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_MAX = 2_958_465  # 9999-12-31
# A plain number is read as a serial only with five digits (``parse_date``).
SERIAL_MIN, SERIAL_END = 10_000, 100_000
# Where Excel's calendar becomes right (serial 61); a date cell before it held a small number.
SERIAL_CALENDAR_START = date(1900, 3, 1)
_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2}(?:\.\d+)?秒?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")  # 10000 (1927) to 99999: never a year or a compact date
_FORMULA_TEXT_RE = re.compile(r'^=\s*"([^"]*)"$')  # ="0510-8888888"
_SCIENTIFIC_RE = re.compile(r"^[0-9](?:\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)
# How many rows above the header a sheet may hold (a title, a date, a blank row…).
HEADER_SEARCH_ROWS = 10


class FromNumber(str):
    """Text of a cell Excel stored as a number (a phone's leading 0 is gone, for one)."""

    __slots__ = ()


class BareNumber(ValueError):
    """A number (or a date-formatted small number) in a date column: a year, an age, a count."""


class LostDigits(FromNumber):
    """Text of a long number Excel stored as a float: digits past the 15th are already lost."""

    __slots__ = ()


# --- text ----------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Stripped, invisible characters dropped, a no-break space inside made a plain one."""
    if value.isascii() or value.isprintable():  # neither holds an invisible or no-break character
        return value.strip()
    if _INVISIBLE_RE.search(value) is not None:
        value = _INVISIBLE_RE.sub("", value)
    return value.replace("\xa0", " ").strip()


def person_name(text: str) -> str:
    """A person's name as typed into a sheet, as stored: ``clean_text``, runs of spaces
    (ideographic ones too) as one, none between two Chinese characters ("王　伟" and
    "王 伟" are 王伟, the padding of aligned two-character names) nor around "·"
    ("阿依古丽 · 买买提"); a space between Latin letters stays ("Anna Li")."""
    text = _SPACES_RE.sub(" ", clean_text(text).replace("\u3000", " "))
    return _NAME_GAP_RE.sub("", text)


def comparable(text: str) -> str:
    """What two cells must share to mean the same thing (duplicate checks): full-width forms
    as ASCII, no spaces, case ignored. "1单元 301" and "１单元301" are one room."""
    return _SPACES_RE.sub("", fold(text)).casefold()


def number_text(value: int | float) -> str:
    """The digits of a number cell, as Excel shows them in a text cell."""
    if isinstance(value, float):
        if not value.is_integer():
            return FromNumber(repr(value))
        text = str(int(value))
        return LostDigits(text) if abs(value) >= 1e15 else FromNumber(text)
    return FromNumber(str(value))


def cell_text(value: Any) -> Cell:
    """A spreadsheet cell as clean text (``clean_text``), or a date for date cells."""
    if value is None:
        return ""
    if type(value) is str:
        return clean_text(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):  # 3:15 typed into a General cell: refused outside date columns
        return value
    if isinstance(value, bool):
        # i18n: data (compared with the yes/no spellings)
        return "是" if value else "否"
    if isinstance(value, int | float):
        return number_text(value)
    return clean_text(str(value))


# --- dates ---------------------------------------------------------------------------------


def serial_datetime(number: float) -> datetime | None:
    """The moment an Excel serial number stands for (None outside 1900-9999)."""
    if not 1 <= number <= SERIAL_MAX:
        return None
    return EXCEL_EPOCH + timedelta(seconds=round(number * 86400))  # Excel keeps times to the second


def _serial_date(number: float) -> date:
    """The day of a plain number read as an Excel serial: only five digits (10000 is
    1927-05-18, 99999 is 2173-10-13), so a year (1958), an age (65) or a count (1) typed
    into a date column is refused instead of becoming a day in 1900-1905."""
    moment = serial_datetime(number) if SERIAL_MIN <= number < SERIAL_END else None
    if moment is None:
        raise BareNumber(number)
    return moment.date()


def parse_date(value: Any) -> date:
    """A date cell, an Excel serial number of five digits, or text such as 2024-01-31,
    2024/1/31, 2024.1.31, 2024年1月31日, 20240131 (a time of day after it is ignored).
    ValueError otherwise (``BareNumber`` for a number that is no date: ``date_reason``).

    A date cell before 1900-03-01 is refused too: it is a small number in a date-formatted
    cell (1 shows as 1900-01-01), and Excel's own calendar is wrong there (1900-02-29)."""
    if isinstance(value, date):
        cell_day = value.date() if isinstance(value, datetime) else value
        if cell_day < SERIAL_CALENDAR_START:
            raise BareNumber(cell_day)
        return cell_day
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(value)
    text = fold(str(value))
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match is not None:
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    # A number cell or a 5-digit text (a CSV saved from a date column in General format).
    if (isinstance(value, FromNumber) and text.replace(".", "", 1).isdecimal()) or _SERIAL_RE.match(text):
        return _serial_date(float(text))
    raise ValueError(text)


def date_reason(header: str, value: Any) -> str:
    """Why ``value`` (refused by ``parse_date``) is not a date, naming the column."""
    if isinstance(value, date):
        return _("{header}应为日期，如 1990-03-05；该格是设成日期格式的数字（显示为 {shown}）").format(
            header=header, shown=value.isoformat()[:10]
        )
    text = fold(str(value)).strip()
    if isinstance(value, int | float) or text.replace(".", "", 1).isdecimal():
        return _("{header}应为日期，如 1990-03-05；单独的数字 {number} 不是日期").format(
            header=header, number=text
        )
    return _("{header}应为日期，如 1990-03-05").format(header=header)


# --- identifiers ---------------------------------------------------------------------------


def lost_digits_reason(header: str) -> str:
    return _("{header}在 Excel 中被存成了数字，后几位已丢失；请把该列设为文本格式后重新录入").format(
        header=header
    )


def masked_reason(header: str) -> str:
    return _("{header}已脱敏（带 * 号，是导出文件中的遮挡写法），无法导入；请填写完整号码或留空").format(
        header=header
    )


def unquoted(text: str) -> str:
    """An identifier as other systems export it to keep Excel off its digits: a leading
    apostrophe (``'3202…``) or a formula giving text (``="3202…"``) taken off."""
    text = fold(text)
    if text.startswith("'"):
        return text[1:].strip()
    found = _FORMULA_TEXT_RE.match(text)
    return found.group(1).strip() if found is not None else text


def _identifier(value: Any, header: str, normalise: Callable[[str], str]) -> tuple[str, str | None]:
    if isinstance(value, LostDigits):
        return "", lost_digits_reason(header)
    text = normalise(unquoted(str(value)))
    if not text:
        return "", None
    if is_masked(text):
        return "", masked_reason(header)
    if _SCIENTIFIC_RE.match(text):
        return "", lost_digits_reason(header)
    return text, None


def id_number_cell(value: Any, header: str) -> tuple[str, str | None]:
    """(the ID number as stored, or ""; the reason it cannot be read, or None)."""
    return _identifier(value, header, normalise_id_number)


def credit_code_cell(value: Any, header: str) -> tuple[str, str | None]:
    """(the credit code as stored, or ""; the reason it cannot be read, or None)."""
    return _identifier(value, header, normalise_credit_code)


def phone_cell(value: Any, header: str) -> tuple[str, str | None]:
    """(the phone in its canonical form, or ""; the reason it is refused, or None).

    A landline typed into a number cell lost its leading 0 (5108888888): it is put back
    when the number then reads as a landline."""
    text, problem = _identifier(value, header, fold)
    if problem is not None or not text:
        return text, problem
    canonical = normalise_phone(text)
    if canonical is None and isinstance(value, FromNumber) and text.isdecimal() and text[0] != "0":
        canonical = normalise_phone("0" + text)
    if canonical is None:
        return "", phone_problem(text) or _("电话号码格式不正确（手机号11位，固定电话如0510-12345678）")
    return canonical, None


# --- the header row ------------------------------------------------------------------------


def find_header(
    records: Iterable[T],
    cells_of: Callable[[T], Sequence[Any]],
    matches: Callable[[Sequence[Any]], int],
    enough: int,
) -> tuple[int, T | None, Iterator[T]]:
    """(the header's row number, the header record, the records after it).

    The header is the first of the first ``HEADER_SEARCH_ROWS`` rows in which ``matches``
    finds at least ``enough`` known column names, so a title row ("XX社区居民信息表") and
    blank rows above it are passed over; when no row qualifies, the first non-blank row
    (whose missing columns are then reported). Row numbers count from 1, as Excel shows."""
    source = iter(records)
    buffered: list[T] = []
    for record in source:
        buffered.append(record)
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    chosen = next((i for i, r in enumerate(buffered) if matches(cells_of(r)) >= enough), None)
    if chosen is None:
        chosen = next((i for i, r in enumerate(buffered) if _filled(cells_of(r))), None)
    if chosen is None:
        return 0, None, iter(())
    return chosen + 1, buffered[chosen], chain(buffered[chosen + 1 :], source)


def _filled(cells: Sequence[Any]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)
