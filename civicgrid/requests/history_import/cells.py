"""Parsing the cells of a historical-requests file: times, numbers and choices.

Times are local (``TIME_ZONE``, Asia/Shanghai) unless the cell carries an offset. A parsed
time keeps two forms: the naive local ``datetime`` used for every comparison and month,
and the text sent to the database — the cell itself when it is already ISO
(``2025-03-01 08:15``), else its ISO form — followed by the UTC offset in force then.
Building that text costs a dictionary lookup, not a ``datetime`` formatting per cell.

A cell that reads as neither is tried once more, off the common path: with full-width
digits and signs as ASCII (``core.validators.fold``), and as an Excel serial number
(``45717.34375`` is 2025-03-01 08:15, a CSV saved from a date column in General format).
"""

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from civicgrid.core.validators import fold
from civicgrid.exchange.cells import serial_datetime
from civicgrid.exchange.columns import Column

_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_LOOSE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?)?$"
)


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class Clock:
    """Turns time cells into (naive local datetime, database text), caching the offsets."""

    def __init__(self) -> None:
        self.zone = local_zone()
        self._offsets: dict[str, str] = {}

    def _offset(self, moment: datetime, key: str) -> str:
        """The UTC offset at ``moment``, cached by ``key`` (its text up to the hour)."""
        found = self._offsets.get(key)
        if found is None:
            delta = moment.replace(tzinfo=self.zone).utcoffset()
            seconds = int(delta.total_seconds()) if delta is not None else 0
            sign = "-" if seconds < 0 else "+"
            seconds = abs(seconds)
            found = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
            self._offsets[key] = found
        return found

    def parse(self, text: str) -> tuple[datetime, str] | None:
        """None when the cell is not a time."""
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            match = _LOOSE_TIME.match(text)
            if match is None:
                return self._parse_odd(text)
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            try:
                moment = datetime(year, month, day, hour, minute, second)
            except ValueError:
                return None
            text = moment.isoformat(" ")
            return moment, text + self._offset(moment, text[:13])
        if moment.tzinfo is not None:
            return moment.astimezone(self.zone).replace(tzinfo=None), text
        if len(text) < 16 or text[10] not in " T" or "," in text:
            text = moment.isoformat(" ")
        return moment, text + self._offset(moment, text[:13])

    def _parse_odd(self, text: str) -> tuple[datetime, str] | None:
        """A cell in full-width forms, or an Excel serial number; None when neither."""
        if not text.isascii():
            folded = fold(text)
            return self.parse(folded) if folded != text and folded.isascii() else None
        if _SERIAL.match(text) is not None and (moment := serial_datetime(float(text))) is not None:
            iso = moment.isoformat(" ")
            return moment, iso + self._offset(moment, iso[:13])
        return None

    def now(self) -> datetime:
        return datetime.now(self.zone).replace(tzinfo=None)


class Choices:
    """A choice column's lookup; ``seen`` caches the raw cells already looked up."""

    def __init__(self, column: Column) -> None:
        self.column = column
        self.seen: dict[str, str | None] = {}

    def __call__(self, raw: str) -> str | None:
        value = self.column.choice_value(raw)
        self.seen[raw] = value
        return value

    @property
    def labels(self) -> str:
        return "、".join(self.column.labels)


def parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        if text.isascii():
            return None
        return parse_float(fold(text)) if fold(text).isascii() else None
    return value if value == value and value not in (float("inf"), float("-inf")) else None
