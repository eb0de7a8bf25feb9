"""Office hours as written in ``CIVICGRID_OFFICE_HOURS``: one parser, used by
``civicgrid/settings.py`` (which refuses to start on a bad value) and by ``clock.py``.

Pure Python (no Django import): settings.py imports it while settings load.

The value is one or more windows ``HH:MM-HH:MM`` separated by commas, e.g.
``09:00-12:00,13:30-17:30``. An hour may have one digit (``9:00``); spaces around a window
or its dash are ignored. Each window starts before it ends, within one day (``00:00`` to
``23:59``). Windows may be written in any order (they are sorted) but may not overlap; one
may begin where the previous one ends.
"""

import itertools
import re
from datetime import time

OfficeHours = tuple[tuple[time, time], ...]

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def _clock(text: str, window: str) -> time:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r} in window {window!r} is not a time HH:MM")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text.strip()!r} in window {window!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def parse_office_hours(spec: str) -> OfficeHours:
    """The windows of ``spec``, sorted, or ValueError saying what is wrong (without the
    variable's name, which the caller adds)."""
    if not spec.strip():
        raise ValueError("at least one window HH:MM-HH:MM is needed")
    windows = []
    for part in spec.split(","):
        window = part.strip()
        pieces = window.split("-")
        if len(pieces) != 2:
            raise ValueError(f"{window!r} is not a window HH:MM-HH:MM")
        begin, end = _clock(pieces[0], window), _clock(pieces[1], window)
        if begin >= end:
            raise ValueError(f"window {window!r} must start before it ends, within one day")
        windows.append((begin, end, window))
    windows.sort()
    for (_, previous_end, earlier), (begin, _, later) in itertools.pairwise(windows):
        if begin < previous_end:
            raise ValueError(f"windows {earlier!r} and {later!r} overlap (a time would count twice)")
    return tuple((begin, end) for begin, end, _ in windows)
