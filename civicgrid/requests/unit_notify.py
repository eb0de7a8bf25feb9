"""Messages to a handling unit: to its people, not to its name.

A unit has no phone of its own. Whatever tells a unit something (a new work order, a
deadline warning, 督办, a 吹哨 summons, a spike alert) tells each of its active staff
(``UnitMembership``) on every channel they can be reached on (``notify.services.notify_each``),
keyed ``{key}:{user}:{channel}``; a unit nobody in which can be reached gets one row
``{key}:nobody`` recorded as failed with the reason, so the outbox shows who was not told.
"""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.notify.backends import channel_configured
from civicgrid.notify.models import Channel, Notification
from civicgrid.notify.services import Contact, message_rows_each, queue_each, staff_contacts
from civicgrid.requests.models import HandlingUnit, UnitMembership


def unit_contacts(unit: HandlingUnit) -> list[Contact]:
    """The unit's active staff (``UnitMembership``) and how each can be reached."""
    memberships = UnitMembership.objects.filter(unit=unit, user__is_active=True).select_related("user")
    return staff_contacts([m.user for m in memberships.order_by("user_id")], label_prefix=unit.name)


def nobody_reason(unit: HandlingUnit, contacts: list[Contact], *, role: str, what: str) -> str:
    """Why nobody in ``unit`` (``role``: 承办单位, 被召集单位…) hears of ``what`` (提醒, 新工单…)."""
    if not contacts:
        return _("{role}「{name}」没有在岗的单位人员，{what}无人接收").format(
            role=role, name=unit.name, what=what
        )
    if channel_configured(Channel.EMAIL):
        return _("{role}「{name}」的单位人员均未登记手机号（岗位任职）或电子邮箱，{what}无人接收").format(
            role=role, name=unit.name, what=what
        )
    return _("{role}「{name}」的单位人员均未登记手机号（岗位任职），{what}无人接收").format(
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
