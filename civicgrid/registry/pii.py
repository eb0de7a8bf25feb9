"""Guards around what the masks still let through.

A masked ID number (``411***********8772``) next to the full birth date leaves about ninety
candidates, and a search by a full ID number or phone (the blind-index lookup) says whether a
guess is right. So:

* every such search is an audit row (who, which kind of identifier, how many hits; never the
  value), for every role (``pii_search_checked``);
* a user gets ``REGISTRY_PII_SEARCH_LIMIT`` of them (``CIVICGRID_PII_SEARCH_LIMIT``, 30) within
  ``REGISTRY_PII_SEARCH_WINDOW_MINUTES`` (``CIVICGRID_PII_SEARCH_WINDOW_MINUTES``, 10); past it
  the search is refused (``PiiSearchLimited``, 429) before anything is looked up or written.
  Counted from the audit log itself, like the sign-in lock (``web/login.py``), so every worker
  process sees the same count;
* where an actor may not reveal PII (``Capability.PII_VIEW`` at the resident's node), the
  residents the registry's selectors hand out carry the birth year only (``birth_date`` is
  None, ``birth_year`` the year): the masked ID and the full birth date never go out together.
"""

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import CivicError
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import normalise_id_number, normalise_phone
from civicgrid.registry.constants import PiiKind, Verb
from civicgrid.registry.models import Resident

_ID_SHAPE = re.compile(r"^\d{15}(?:\d{2}[\dX])?$")  # 18 characters, or the old 15 digits
SEARCH_TARGET = "registry.resident"


class PiiSearchLimited(CivicError):
    """Too many searches by ID number or phone in the window."""

    code = "rate_limited"
    http_status = 429


def search_limit() -> int:
    return int(settings.REGISTRY_PII_SEARCH_LIMIT)


def search_window_minutes() -> int:
    return int(settings.REGISTRY_PII_SEARCH_WINDOW_MINUTES)


def pii_kind(q: str) -> str:
    """Which identifier a search text is (``PiiKind``), or "" for a name."""
    if _ID_SHAPE.match(normalise_id_number(q)):
        return PiiKind.ID_NUMBER
    if normalise_phone(q.strip()):
        return PiiKind.PHONE
    return ""


def _actor_key(actor: Any) -> str:
    return str(getattr(actor, "pk", "") or "")


def searches_in_window(actor: Any) -> int:
    start = timezone.now() - timedelta(minutes=search_window_minutes())
    rows = AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED, created_at__gte=start)
    return rows.filter(actor_id=getattr(actor, "pk", None)).count()


def _serialise(actor: Any) -> None:
    """One search at a time per user (PostgreSQL: a transaction-level advisory lock), so that
    searches sent at once cannot all pass the count before any is written."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.pii-search:{_actor_key(actor)}"]
        )


def limited_message() -> str:
    return _(
        "按身份证号或手机号查询过于频繁（{minutes}分钟内最多{limit}次），请稍后再试；按姓名查询不受影响。"
    ).format(minutes=search_window_minutes(), limit=search_limit())


def pii_search_checked(*, actor: Any, kind: str, qs: QuerySet[Resident]) -> int:
    """Refuse when the actor's budget is spent; else count the hits and audit the search.
    Returns the number of hits."""
    with transaction.atomic():
        _serialise(actor)
        if searches_in_window(actor) >= search_limit():
            raise PiiSearchLimited(limited_message(), retry_after=search_window_minutes() * 60)
        hits = qs.count()
        audit_write(
            actor=actor,
            verb=Verb.RESIDENT_PII_SEARCHED,
            target_type=SEARCH_TARGET,
            after={"kind": kind, "hits": hits},
        )
    return hits


# --- birth dates next to masked ID numbers ------------------------------------------------


def may_reveal(actor: Any, resident: Resident) -> bool:
    return can(actor, Capability.PII_VIEW, resident.node_path)


def reduce_birth(actor: Any, resident: Resident) -> Resident:
    """Give the resident ``birth_year`` and ``birth_shown`` (``birth_text``); blank
    ``birth_date`` where ``actor`` may not reveal. A resident so reduced is for showing only
    (the services read the row afresh before they change it)."""
    if "birth_shown" in resident.__dict__:  # reduced already
        return resident
    born = resident.birth_date
    resident.birth_year = born.year if born else None  # type: ignore[attr-defined]
    if born is not None and not may_reveal(actor, resident):
        resident.birth_date = None
    resident.birth_shown = birth_text(resident)  # type: ignore[attr-defined]
    return resident


def birth_text(resident: Resident) -> str:
    """What a list or an export shows: the date, or "1990年" where it was reduced."""
    if resident.birth_date is not None:
        return resident.birth_date.isoformat()
    year = getattr(resident, "birth_year", None)
    return _("{year}年").format(year=year) if year else ""


class _ReducedIterable(ModelIterable):
    actor: Any = None

    def __iter__(self) -> Any:
        for resident in super().__iter__():
            yield reduce_birth(self.actor, resident)


def with_reduced_birth(qs: QuerySet[Resident], actor: Any) -> QuerySet[Resident]:
    """The queryset, its residents reduced for ``actor`` however it is read further (sliced,
    filtered, ``iterator()``): the API's schemas and the exports read ``birth_date``."""
    qs = qs.all()
    qs._iterable_class = type("ReducedIterable", (_ReducedIterable,), {"actor": actor})
    return qs
