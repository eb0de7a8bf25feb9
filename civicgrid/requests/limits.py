"""Per-address budgets of the public pages and endpoints (H5, doorplate, the public API):
how many submissions, and how many failed look-ups of a number and phone, an address gets in
a window (``REQUESTS_H5_WINDOW_SECONDS``). The H5 track page and ``GET /api/v1/requests/track``
share one budget of misses, so guessing number/phone pairs gets one allowance, not two."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from civicgrid.core.middleware import client_ip


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _limit_key(kind: str, request: HttpRequest) -> str:
    return f"civicgrid:h5:{kind}:{client_ip(request) or 'unknown'}"


def limit_reached(kind: str, request: HttpRequest, allowed: int) -> bool:
    return int(cache.get(_limit_key(kind, request), 0)) >= allowed


def limit_window() -> int:
    """Seconds a window of counted hits lasts (from its first hit)."""
    return limit("REQUESTS_H5_WINDOW_SECONDS", 3600)


def limit_count(kind: str, request: HttpRequest) -> None:
    """One more hit in the current window (the window starts at the first hit)."""
    key = _limit_key(kind, request)
    window = limit_window()
    if not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
