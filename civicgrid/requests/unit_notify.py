"""Messages to a handling unit: to its people, not to its name.

A unit has no phone of its own. Whatever tells a unit something (a new work order, a
deadline warning, 督办, a 吹哨 summons, a spike alert) tells each of its active staff
(``UnitMembership``) on every channel they can be reached on (``notify.services.notify_each``),
keyed ``{key}:{user}:{channel}``; a unit nobody in which can be reached gets one row
``{key}:nobody`` recorded as failed with the reason, so the outbox shows who was not told.

Each process keeps a unit's contacts (its members, their work mobiles or posts' phones
decrypted, their e-mail) for ``CONTACTS_CHECK_SECONDS`` (2 s by default), as dispatch keeps its rules: every
intake addresses the lead unit's people, and reading them was half of an intake's CPU. A
change through the models (a membership, a post, an account) drops what this process kept,
at once and again at the commit; until then the changing transaction reads afresh. A change
elsewhere (another process, a bulk insert, SQL) is seen within that many seconds.
"""

import logging
import threading
import time
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.notify.backends import channel_configured
from civicgrid.notify.models import Channel, Notification
from civicgrid.notify.services import Contact, message_rows_each, queue_each, staff_contacts
from civicgrid.requests.models import HandlingUnit, UnitMembership
from civicgrid.requests.permissions import text_for_anyone
from civicgrid.territory.models import Position

KEPT_UNITS_MAX = 5_000

logger = logging.getLogger(__name__)


def _read_contacts(unit: HandlingUnit) -> list[Contact]:
    """The members and how each is reached: the work mobile entered on the membership, else
    the phone of a post they hold (``staff_contacts``); and their e-mail."""
    memberships = list(
        UnitMembership.objects.filter(unit=unit, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    contacts = staff_contacts([m.user for m in memberships], label_prefix=unit.name)
    work = {m.user_id: m.phone_enc for m in memberships if m.phone_enc}
    found = []
    for contact in contacts:
        enc = work.get(contact.user.pk)
        if enc:
            try:
                contact = replace(contact, phone=crypto.decrypt(enc))
            except crypto.UndecryptableError:
                logger.warning(
                    "notify: the work phone of user %s in unit %s cannot be decrypted",
                    contact.user.pk,
                    unit.pk,
                )
        found.append(contact)
    return found


class UnitContactsCache:
    """Each unit's contacts, by unit id, read at most every ``CONTACTS_CHECK_SECONDS`` and
    never across a change of day (a post's phone counts from its start to its end date)."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[float, Any, str, list[Contact]]] = {}
        self._generation = 0  # moves on at each invalidation
        self._lock = threading.Lock()

    def contacts(self, unit: HandlingUnit) -> list[Contact]:
        if self._changing_here():
            return _read_contacts(unit)  # this transaction's own changes, unseen by other threads
        now, today = time.monotonic(), timezone.localdate()
        kept = self._kept.get(unit.pk)
        if kept is not None:
            read_at, day, name, contacts = kept
            if now - read_at < settings.CONTACTS_CHECK_SECONDS and day == today and name == unit.name:
                return list(contacts)
        generation = self._generation
        contacts = _read_contacts(unit)
        with self._lock:
            # Kept only if nothing was invalidated while this read was under way.
            if self._generation == generation and len(self._kept) < KEPT_UNITS_MAX:
                self._kept[unit.pk] = (now, today, unit.name, contacts)
        return list(contacts)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._kept = {}

    def changed(self, **_: Any) -> None:
        """A membership, a post or an account changed (a signal's receiver)."""
        self.invalidate()
        if connection.in_atomic_block and not self._changing_here():
            transaction.on_commit(self.invalidate)

    def _changing_here(self) -> bool:
        """Whether this thread's open transaction changed what contacts are made of: its
        commit hook is still pending (Django drops the hooks of a transaction rolled back)."""
        return any(hook[1] == self.invalidate for hook in connection.run_on_commit)


contacts_cache = UnitContactsCache()


def connect() -> None:
    """Drop the kept contacts whenever a membership, a post or an account changes."""
    from django.contrib.auth import get_user_model

    for model in (UnitMembership, Position, get_user_model()):
        name = model.__name__
        post_save.connect(contacts_cache.changed, sender=model, dispatch_uid=f"contacts-save-{name}")
        post_delete.connect(contacts_cache.changed, sender=model, dispatch_uid=f"contacts-delete-{name}")


def unit_contacts(unit: HandlingUnit) -> list[Contact]:
    """The unit's active staff (``UnitMembership``) and how each can be reached."""
    return contacts_cache.contacts(unit)


def nobody_reason(unit: HandlingUnit, contacts: list[Contact], *, role: str, what: str) -> str:
    """Why nobody in ``unit`` (``role``: 承办单位, 被召集单位…) hears of ``what`` (提醒, 新工单…)."""
    if not contacts:
        return _("{role}「{name}」没有在岗的单位人员，{what}无人接收").format(
            role=role, name=unit.name, what=what
        )
    if channel_configured(Channel.EMAIL):
        return _(
            "{role}「{name}」的单位人员均未登记手机号（单位人员工作手机或岗位任职）或电子邮箱，{what}无人接收"
        ).format(role=role, name=unit.name, what=what)
    return _("{role}「{name}」的单位人员均未登记手机号（单位人员工作手机或岗位任职），{what}无人接收").format(
        role=role, name=unit.name, what=what
    )


def notify_unit(
    unit: HandlingUnit,
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    target: Any,
    role: str,
    what: str,
) -> int:
    """Queue ``body`` to each reachable member of ``unit`` (in the caller's transaction, sent
    after commit), or record the failed ``{dedupe_key}:nobody`` row. Returns the rows queued."""
    return queue_each(
        unit_message_rows(
            unit, dedupe_key=dedupe_key, subject=subject, body=body, target=target, role=role, what=what
        )
    )


def tell_lead_unit(
    request: Any, unit: HandlingUnit | None, *, key: str, subject: str, text: str, what: str
) -> int:
    """Something done to ``request`` told to the unit handling it (``unit``: the lead unit, or the
    one a return concerned), e.g. an extension approved, a suspension, a 核查 found 不属实:
    "【接诉即办】{unit}：工单 {number}「{title}」{text}", keyed ``{key}:{unit}`` (the caller's key
    names the change, e.g. its history row, so a retried transaction queues it once)."""
    if unit is None:
        return 0
    return notify_unit(
        unit,
        dedupe_key=f"{key}:{unit.pk}",
        subject=f"{subject} {request.number}",
        body=_("【接诉即办】{name}：工单 {number}「{title}」{text}").format(
            name=unit.name, number=request.number, title=text_for_anyone(request), text=text
        ),
        target=request,
        role=_("承办单位"),
        what=what,
    )


def notify_units(
    units: list[HandlingUnit],
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    target: Any,
    role: str,
    what: str,
) -> int:
    """``notify_unit`` for each of ``units`` with the same message, each person once per
    channel however many of the units they are in (``{dedupe_key}:{unit}`` keys the unit
    through which they are reached: the first of ``units`` that has them)."""
    seen: set[tuple[int, str]] = set()
    rows: list[Notification] = []
    for unit in units:
        for row in unit_message_rows(
            unit,
            dedupe_key=f"{dedupe_key}:{unit.pk}",
            subject=subject,
            body=body,
            target=target,
            role=role,
            what=what,
        ):
            person = (row.recipient_user_id, row.channel) if row.recipient_user_id is not None else None
            if person in seen:
                continue
            if person is not None:
                seen.add(person)
            rows.append(row)
    return queue_each(rows)


def unit_message_rows(
    unit: HandlingUnit,
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    target: Any,
    role: str,
    what: str,
) -> list[Notification]:
    """The unsaved rows ``notify_unit`` would queue, for a caller that inserts them together
    with the other rows of a new record (whose key no message can hold yet) and calls
    ``drain_after_commit`` itself. Same keys, channels, addresses and failed row."""
    contacts = unit_contacts(unit)
    return message_rows_each(
        dedupe_key=dedupe_key,
        contacts=contacts,
        subject=subject,
        body=body,
        target=target,
        nobody_label=unit.name,
        nobody_reason=nobody_reason(unit, contacts, role=role, what=what),
    )
