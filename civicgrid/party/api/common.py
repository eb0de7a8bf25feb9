"""The router all the party's endpoint modules add to, and small helpers."""

from datetime import date
from typing import Any

from ninja import Router, Schema

router = Router(tags=["party 党建引领"])

MAX_LIMIT = 500


def window(limit: int, offset: int) -> tuple[int, int]:
    """A safe slice (a negative one would fail with a 500)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return offset, offset + limit


class Ok(Schema):
    ok: bool = True


class PageOf(Schema):
    count: int
    results: list[Any]


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
