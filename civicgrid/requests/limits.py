"""Per-address budgets of the public pages and endpoints (H5, doorplate, the public API):
how many submissions, and how many failed look-ups of a number and phone, an address gets in
a window (``REQUESTS_H5_WINDOW_SECONDS``). The H5 track page and ``GET /api/v1/requests/track``
share one per-address count of misses, so guessing number/phone pairs gets one allowance, not
two. The H5 track page also keys a budget per (address, number) and one per number across
addresses (``track_blocked``): a carrier's NAT puts many residents behind one address, and
one of them guessing must not block the others, while nobody can try phone after phone for one
number from one address or from many; and strangers' misses from elsewhere do not lock the
requester out (past the per-number budget an address keeps a few tries of its own)."""

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.core.middleware import client_ip


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _limit_key(kind: str, request: HttpRequest | None, scope: str = "") -> str:
    """The counter's key: per address (``request``), narrowed to ``scope`` (e.g. a request
    number, hashed: it is what a visitor typed); ``request`` None: one count for everybody."""
    key = f"civicgrid:h5:{kind}"
    if request is not None:
        key += f":{client_ip(request) or 'unknown'}"
    if scope:
        key += ":" + hashlib.sha256(scope.encode()).hexdigest()[:24]
    return key


def limit_reached(kind: str, request: HttpRequest | None, allowed: int, scope: str = "") -> bool:
    return int(cache.get(_limit_key(kind, request, scope), 0)) >= allowed


def limit_window() -> int:
    """Seconds a window of counted hits lasts (from its first hit)."""
    return limit("REQUESTS_H5_WINDOW_SECONDS", 3600)


def limit_count(kind: str, request: HttpRequest | None, scope: str = "") -> None:
    """One more hit in the current window (the window starts at the first hit)."""
    key = _limit_key(kind, request, scope)
    window = limit_window()
    if not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def track_blocked(request: HttpRequest, number: str) -> bool:
    """The H5 track page's budgets of failed look-ups, any of them used up:

    - ``REQUESTS_H5_TRACK_LIMIT`` misses for one number from one address;
    - ``REQUESTS_H5_TRACK_IP_LIMIT`` misses from one address, whatever the numbers (the count
      the public API's track endpoint keeps too, which refuses at ``REQUESTS_H5_TRACK_LIMIT``);
    - ``REQUESTS_H5_TRACK_NUMBER_LIMIT`` misses for one number from all addresses together:
      then an address that missed this number ``REQUESTS_H5_TRACK_OWNER_MISSES`` times or more
      is refused, one that missed it fewer times may still look it up. Misses from elsewhere
      (anybody can send a hundred wrong phones) must not lock the requester out of their own
      request for the whole window, while guessing from many addresses gets a few tries per
      address instead of ``REQUESTS_H5_TRACK_LIMIT``.
    """
    here = int(cache.get(_limit_key("track-number", request, number), 0))
    if here >= limit("REQUESTS_H5_TRACK_LIMIT", 20):
        return True
    if limit_reached("track", request, limit("REQUESTS_H5_TRACK_IP_LIMIT", 200)):
        return True
    if limit_reached("track-any", None, limit("REQUESTS_H5_TRACK_NUMBER_LIMIT", 100), scope=number):
        return here >= limit("REQUESTS_H5_TRACK_OWNER_MISSES", 3)
    return False


def track_missed(request: HttpRequest, number: str) -> None:
    """Count one failed look-up of ``number`` in each of ``track_blocked``'s budgets."""
    limit_count("track-number", request, scope=number)
    limit_count("track", request)
    limit_count("track-any", None, scope=number)


def window_words() -> str:
    """The window, as a resident reads it: "1小时", "30分钟", "45秒"."""
    seconds = limit_window()
    if seconds >= 3600 and seconds % 3600 == 0:
        return _("{n}小时").format(n=seconds // 3600)
    if seconds >= 60:
        return _("{n}分钟").format(n=math.ceil(seconds / 60))
    return _("{n}秒").format(n=seconds)
