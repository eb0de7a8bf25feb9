"""Guards around what the masks still let through.

A masked ID number (``320***********5005``) keeps the first three and last four characters;
the rest of the first six is the district (which the household code, the area or the address
gives away) and the middle eight are the birth date. Next to the full birth date the masked ID
is the whole ID number for most residents, and a search by a full ID number or phone (the
blind-index lookup), or a registration refused as 该身份证号已登记, says whether a guess is
right. So:

* every such search is an audit row (who, which kind of identifier, how many hits and which
  residents, at most ``AUDITED_TARGETS`` of them by id and masked label; never the typed
  value), for every role (``pii_search_checked``); so is a registration or an edit refused
  because the ID number is registered already (``id_holder_checked``), and both count against
  one budget;
* a user gets ``REGISTRY_PII_SEARCH_LIMIT`` of them (``CIVICGRID_PII_SEARCH_LIMIT``, 30) within
  ``REGISTRY_PII_SEARCH_WINDOW_MINUTES`` (``CIVICGRID_PII_SEARCH_WINDOW_MINUTES``, 10); past it
  the search is refused (``PiiSearchLimited``, 429) before anything is looked up or written.
  Counted from the audit log itself, like the sign-in lock (``web/login.py``), so every worker
  process sees the same count;
* the residents the registry's selectors hand out carry the birth year only (``birth_date``
  is None, ``birth_year`` the year), for every role: the masked ID and the full birth date
  never go out together. The full birth date is part of the audited reveal
  (``services.resident_reveal_pii``), for those who may reveal (``Capability.PII_VIEW``).
"""

import re
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, scope_filter
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import CivicError, PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import normalise_id_number, normalise_phone
from civicgrid.registry.constants import SENSITIVE_TAGS, PiiKind, Verb
from civicgrid.registry.models import Resident, ResidentTag

_ID_SHAPE = re.compile(r"^\d{15}(?:\d{2}[\dX])?$")  # 18 characters, or the old 15 digits
SEARCH_TARGET = "registry.resident"
AUDITED_TARGETS = 3  # the matched residents an ID or phone search's audit row names


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


def _check_budget(actor: Any) -> None:
    if searches_in_window(actor) >= search_limit():
        raise PiiSearchLimited(limited_message(), retry_after=search_window_minutes() * 60)


def _targets(found: list[Resident], hits: int) -> dict[str, Any]:
    """The audit row's target: the matched residents (id and masked label), so that an
    auditor looking for a person finds the searches that hit them."""
    listed = [
        {"id": r.pk, "label": f"{r.name} {r.id_number_masked or r.phone_masked}".strip()} for r in found
    ]
    return {
        "target_type": SEARCH_TARGET,
        "target_id": str(found[0].pk) if hits == 1 else "",
        "target_label": "、".join(str(t["label"]) for t in listed),
        "targets": listed,
    }


def _audit_search(
    *, actor: Any, kind: str, hits: int, found: list[Resident], via: str = "", row: int | None = None
) -> None:
    target = _targets(found, hits) if found else {"target_type": SEARCH_TARGET, "targets": []}
    after: dict[str, Any] = {"kind": kind, "hits": hits}
    if target["targets"]:
        after["targets"] = target["targets"]
    if via:
        after["via"] = via
    if row is not None:
        after["row"] = row
    audit_write(
        actor=actor,
        verb=Verb.RESIDENT_PII_SEARCHED,
        target_type=target["target_type"],
        target_id=target.get("target_id", ""),
        target_label=target.get("target_label", ""),
        after=after,
    )


def _first(qs: QuerySet[Resident]) -> list[Resident]:
    fields = ("pk", "name", "id_number_masked", "phone_masked")
    return list(qs.order_by("pk").only(*fields)[:AUDITED_TARGETS])


def pii_search_checked(*, actor: Any, kind: str, qs: QuerySet[Resident]) -> int:
    """Refuse when the actor's budget is spent; else count the hits and audit the search,
    naming the matched residents (at most ``AUDITED_TARGETS``). Returns the number of hits."""
    with transaction.atomic():
        _serialise(actor)
        _check_budget(actor)
        hits = qs.count()
        _audit_search(actor=actor, kind=kind, hits=hits, found=_first(qs) if hits else [])
    return hits


def id_holder_checked(*, actor: Any, qs: QuerySet[Resident]) -> Resident | None:
    """The resident holding an ID number typed at a registration or an edit (``qs``: the
    holders), for the refusal 该身份证号已登记. That refusal answers whether the number is
    registered, so it is an ID search: refused past the actor's budget (checked before
    looking, whatever the answer), audited with the holder when there is one, in its own
    transaction so that the refusal that follows does not take the row back with it."""
    with transaction.atomic():
        _serialise(actor)
        _check_budget(actor)
        found = _first(qs)
        if found:
            _audit_search(actor=actor, kind=PiiKind.ID_NUMBER, hits=1, found=found[:1], via="registration")
    if not found:
        return None
    return Resident.objects.only("pk", "name", "node_path", "is_active").get(pk=found[0].pk)


def import_id_holders_checked(*, actor: Any, holders: list[tuple[int, Resident]], checking: bool) -> bool:
    """The ID numbers of a resident import (``exchange.importers.registry``) that residents
    outside the importing worker's edit scope hold (``holders``: (row, holder)): the import
    refuses those rows as 该身份证号已登记（不在您的管辖范围内）, which says the number is
    registered, so each is an ID search as ``id_holder_checked`` is at a registration: one
    audit row per holder (``via``: import, the row) and one charge against the same budget.
    ``checking``: whether the file holds any ID number not held within the scope (one whose
    answer tells something). Returns False when the import is to be refused as a whole
    (``limited_message``) with none of those answers given: the budget was spent before
    (nothing is audited, as a registration is refused before looking), or the holders found
    take it past the limit (they are audited all the same: they were looked up)."""
    if not checking:
        return True
    with transaction.atomic():
        _serialise(actor)
        used = searches_in_window(actor)
        if used >= search_limit():
            return False
        for row, holder in holders:
            _audit_search(actor=actor, kind=PiiKind.ID_NUMBER, hits=1, found=[holder], via="import", row=row)
    return used + len(holders) <= search_limit()


# --- lists by a sensitive tag ---------------------------------------------------------------


def sensitive_tag_listed(*, actor: Any, tag: str, qs: QuerySet[Resident]) -> QuerySet[Resident]:
    """``qs`` (residents filtered by ``tag``, one of ``SENSITIVE_TAGS``) cut to where the actor
    may reveal PII, and the listing audited (the tag and the hits, one row a listing). An
    actor who may reveal PII nowhere is refused (``PermissionDenied``, 403), and the refusal
    audited too (``Verb.RESIDENT_PII_REFUSED``, the tag as target, in its own transaction)."""
    if not has_capability(actor, Capability.PII_VIEW):
        found = ResidentTag.objects.filter(code=tag).first()
        with transaction.atomic():
            audit_write(
                actor=actor,
                verb=Verb.RESIDENT_PII_REFUSED,
                target_type="registry.residenttag",
                target_id=tag,
                target_label=found.name if found else tag,
                after={"status": PermissionDenied.http_status, "tag": tag},
            )
        raise PermissionDenied(
            _("按敏感标签“{tag}”筛选居民须有查看居民完整信息的权限，请去掉该标签后再查询").format(
                tag=found.name if found else tag
            )
        )
    qs = scope_filter(qs, actor, Capability.PII_VIEW)
    with transaction.atomic():
        hits = qs.count()
        audit_write(
            actor=actor,
            verb=Verb.RESIDENT_SENSITIVE_LISTED,
            target_type="registry.residenttag",
            target_id=tag,
            target_label=tag,
            after={"tag": tag, "hits": hits},
        )
    return qs


# --- birth dates next to masked ID numbers ------------------------------------------------


def may_reveal(actor: Any, resident: Resident) -> bool:
    return can(actor, Capability.PII_VIEW, resident.node_path)


def reduce_birth(actor: Any, resident: Resident) -> Resident:
    """Give the resident ``birth_year`` and ``birth_shown`` (``birth_text``); blank
    ``birth_date``, for every actor (the full date is part of the audited reveal). Also
    ``sensitive_shown`` (``may_reveal``: whether its ``SENSITIVE_TAGS`` may be shown to
    ``actor``) and ``tags_shown`` (``shown_tags``, read when called, after the tags are
    prefetched; a template calls it as ``r.tags_shown``). A resident so reduced is for showing
    only (the services read the row afresh before they change it)."""
    if "birth_shown" in resident.__dict__:  # reduced already
        return resident
    born = resident.birth_date
    resident.birth_year = born.year if born else None  # type: ignore[attr-defined]
    resident.birth_date = None
    resident.birth_shown = birth_text(resident)  # type: ignore[attr-defined]
    resident.sensitive_shown = may_reveal(actor, resident)  # type: ignore[attr-defined]
    resident.tags_shown = partial(shown_tags, resident)  # type: ignore[attr-defined]
    return resident


def shown_tags(resident: Resident) -> list[ResidentTag]:
    """The resident's tags that may be shown: without the ``SENSITIVE_TAGS`` (严重精神障碍患者,
    社区矫正人员, 低保户) unless the resident was reduced for an actor who may reveal PII
    where the resident lives (``reduce_birth``); an unreduced resident shows none of them.
    Hidden on the lists, the resident page, the API and the export alike: a list by name
    must not give what the list by tag refuses."""
    shown = getattr(resident, "sensitive_shown", False)
    return [t for t in resident.tags.all() if shown or t.code not in SENSITIVE_TAGS]


def birth_text(resident: Resident) -> str:
    """What a list or an export shows: "1990年" (the date only where it was not reduced)."""
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
