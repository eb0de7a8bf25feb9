"""Needs ordered to partner units and members (点单 · 派单 · 接单 · 晒单).

There is one service-order mechanism, in ``civicgrid.volunteers.services`` (its states,
its locking, its history, the public board and the points on confirmation). The party
calls it: a need becomes a ``ServiceOrder`` with ``origin="party.need:<id>"``; the
community dispatches it to a partner unit (``Taker.of_unit``) or to a party member
(``Taker.of_party_member``), or publishes it; a member reported to that community takes a
published order as themself. Everything after that (complete with photos, confirm,
showcase) is the volunteers app's pages and services.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.party.constants import NeedCategory, NeedStatus, ReportStatus, Verb
from civicgrid.party.models import MemberReport, Need, PartyMember
from civicgrid.party.permissions import member_for_user
from civicgrid.party.services.common import Errors, add, raise_if, text
from civicgrid.registry.models import Organisation
from civicgrid.volunteers.constants import OrdererKind, OrderStatus, ServiceType, TakerKind
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.services import (
    NewOrder,
    Taker,
    service_order_cancel,
    service_order_create,
    service_order_dispatch,
    service_order_take,
)

ORIGIN = "party.need:{pk}"
# The kind of service a need of each category asks for, by default.
SERVICE_OF_CATEGORY: dict[str, str] = {
    NeedCategory.ELDERLY: ServiceType.ELDERLY_CARE,
    NeedCategory.CHILDREN: ServiceType.EDUCATION,
    NeedCategory.ENVIRONMENT: ServiceType.ENVIRONMENT,
    NeedCategory.FACILITIES: ServiceType.MUTUAL_AID,
    NeedCategory.SAFETY: ServiceType.SAFETY,
    NeedCategory.CULTURE: ServiceType.CULTURE,
    NeedCategory.HEALTH: ServiceType.HEALTH,
    NeedCategory.EMPLOYMENT: ServiceType.OTHER,
    NeedCategory.LEGAL: ServiceType.LAW,
    NeedCategory.OTHER: ServiceType.OTHER,
}


def origin_of(need: Need) -> str:
    return ORIGIN.format(pk=need.pk)


def _taker(errors: Errors, unit: Organisation | None, member: PartyMember | None) -> Taker | None:
    if unit is not None and member is not None:
        add(errors, "taker", _("请只选择一个接单方：共建单位或党员"))
        return None
    if unit is not None:
        return Taker.of_unit(unit)
    if member is not None:
        if member.resident is None:
            add(errors, "taker", _("该党员未关联实有人口档案，不能派单（请先关联档案）"))
            return None
        return Taker.of_party_member(member.resident)
    return None


@transaction.atomic
def need_order(
    *,
    actor: Any,
    need: Need,
    service_type: str = "",
    content: str = "",
    difficulty: int = 2,
    unit: Organisation | None = None,
    member: PartyMember | None = None,
    publish: bool = False,
) -> ServiceOrder:
    """Order a need (点单) as a service order; dispatch it (派单) to a partner unit or a party
    member at once, or publish it for reported members and volunteers to take (接单)."""
    need = Need.objects.select_for_update(of=("self",)).select_related("node").get(pk=need.pk)
    require(actor, Capability.PARTY_EDIT, need.node_path)
    errors: Errors = {}
    if need.status in (NeedStatus.DONE, NeedStatus.CLOSED):
        add(
            errors,
            "need",
            _("该需求已是「{status}」").format(status=need.get_status_display()),
        )
    taker = _taker(errors, unit, member)
    if taker is not None and publish:
        add(errors, "publish", _("派单给指定接单方时无需发布"))
    content = text(
        errors, "content", content or need.description or need.title, _("需求描述"), 2000, required=True
    )
    raise_if(errors)
    data = NewOrder(
        title=need.title[:100],
        content=content,
        service_type=service_type or SERVICE_OF_CATEGORY.get(need.category, ServiceType.OTHER),
        orderer_kind=OrdererKind.STAFF,
        orderer_label=_("需求清单：{title}").format(title=need.title)[:100],
        node=need.node,
        difficulty=difficulty,
        origin=origin_of(need),
        address=need.address[:200],
    )
    order = service_order_create(actor=actor, data=data, publish=publish)
    if taker is not None:
        order = service_order_dispatch(actor=actor, order=order, taker=taker, note=_("需求清单派单"))
    before = need.status
    if need.status == NeedStatus.OPEN:
        need.status = NeedStatus.ORDERED
        need.save(update_fields=["status"])
    audit_write(
        actor=actor,
        verb=Verb.NEED_ORDERED,
        target=need,
        node=need.node,
        before={"status": before},
        after={"status": need.status, "order": order.pk, "taker": taker.label if taker else ""},
    )
    return order


# Orders nobody holds yet, and those someone is serving (cancelling them tells the taker).
UNTAKEN = (OrderStatus.ORDERED, OrderStatus.PUBLISHED)
LIVE = (*UNTAKEN, OrderStatus.ASSIGNED)


def need_orders(need: Need) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(origin=origin_of(need))


def need_orders_withdraw(*, actor: Any, need: Need, reason: str, taken_too: bool) -> list[ServiceOrder]:
    """The live orders of a need being closed are cancelled with its reason (within the
    caller's transaction). One that somebody is already serving is cancelled only when the
    community says so (``taken_too``: it has spoken with the taker, who also gets an SMS);
    otherwise the closing is refused, naming the orders. Completed orders stay as they are."""
    live = list(need_orders(need).filter(status__in=LIVE).order_by("id"))
    held = [order for order in live if order.status == OrderStatus.ASSIGNED]
    if held and not taken_too:
        names = _("、").join(f"{order.number}（{order.taker_label}）" for order in held)
        raise ValidationError(
            _(
                "服务单{orders}已有人接单、正在服务；请先与接单方沟通，"
                "再勾选「同时取消服务中的服务单并通知接单方」关闭需求"
            ).format(orders=names),
            field="cancel_taken",
        )
    note = _("需求已关闭：{reason}").format(reason=reason)[:200]
    return [service_order_cancel(actor=actor, order=order, reason=note) for order in live]


@transaction.atomic
def need_order_cancel(*, actor: Any, need: Need, order: ServiceOrder, reason: str) -> ServiceOrder:
    """Cancel one order of a need from the need's page (the volunteers service does it)."""
    require(actor, Capability.PARTY_EDIT, need.node_path)
    if order.origin != origin_of(need):
        raise NotFound(_("该服务单不属于此需求"))
    return service_order_cancel(actor=actor, order=order, reason=reason)


def _need_of_order(order: ServiceOrder) -> Need | None:
    """The need an order was made for, its row locked (None for an order of anything else)."""
    kind, _sep, ref = order.origin.partition(":")
    if kind != ORIGIN.partition(":")[0] or not (ref.isascii() and ref.isdecimal()):
        return None
    return Need.objects.select_for_update(of=("self",)).filter(pk=int(ref)).first()


def need_orders_all_cancelled(*, order: ServiceOrder, actor: Any, **_: Any) -> None:
    """Receiver of ``volunteers.signals.order_cancelled``: a need said 已派单 whose every order
    is now cancelled goes back to 已立项 (it has a project) or 待认领, wherever the order was
    cancelled (the need's page, the order's page, the need being closed)."""
    need = _need_of_order(order)
    if need is None or need.status != NeedStatus.ORDERED:
        return
    if need_orders(need).exclude(status=OrderStatus.CANCELLED).exists():
        # the others may all be confirmed: then the one withdrawn was the last one waited for
        need_orders_all_confirmed_locked(need=need, order=order, actor=actor)
        return
    need.status = NeedStatus.MATCHED if need.projects.exists() else NeedStatus.OPEN
    need.save(update_fields=["status"])
    audit_write(
        actor=actor,
        verb=Verb.NEED_UNORDERED,
        target=need,
        node=need.node,
        before={"status": NeedStatus.ORDERED},
        after={"status": need.status, "order": order.pk},
    )


# Orders whose service is over: confirmed (已评价) or withdrawn. A need whose orders are all
# over, one at least confirmed, is done (已完成).
OVER = (OrderStatus.CONFIRMED, OrderStatus.CANCELLED)
# Served and reported done by the taker, whether or not the orderer has confirmed yet.
SERVED = (OrderStatus.COMPLETED, OrderStatus.CONFIRMED)


def _need_done(
    *, actor: Any, need: Need, via: str, order: ServiceOrder | None = None, note: str = ""
) -> None:
    before = need.status
    need.status = NeedStatus.DONE
    need.save(update_fields=["status"])
    after: dict[str, Any] = {"status": need.status, "via": via}
    if order is not None:
        after["order"] = order.pk
    if note:
        after["note"] = note
    audit_write(
        actor=actor, verb=Verb.NEED_DONE, target=need, node=need.node, before={"status": before}, after=after
    )


def need_orders_all_confirmed(*, order: ServiceOrder, actor: Any, **_: Any) -> None:
    """Receiver of ``volunteers.services.orders.order_confirmed``: a need said 已派单 whose
    orders are now all confirmed or cancelled (the one just confirmed among them) is done
    (已完成), once. The need's row is locked first, so of two orders of one need confirmed at
    the same moment the second sees the first confirmed and marks the need done."""
    need = _need_of_order(order)
    if need is not None:
        need_orders_all_confirmed_locked(need=need, order=order, actor=actor)


def need_orders_all_confirmed_locked(*, need: Need, order: ServiceOrder, actor: Any) -> None:
    """The need (locked by the caller) is done if it is 已派单 and its orders are all over,
    one at least confirmed."""
    if need.status != NeedStatus.ORDERED:
        return
    orders = need_orders(need)
    if orders.exclude(status__in=OVER).exists() or not orders.filter(status=OrderStatus.CONFIRMED).exists():
        return
    _need_done(actor=actor, need=need, via="orders_confirmed", order=order)


def need_may_finish(need: Need) -> bool:
    """Staff may finish (办结) a need said 已派单 whose orders are all served or withdrawn,
    one at least served (the resident's confirmation may never come)."""
    if need.status != NeedStatus.ORDERED:
        return False
    statuses = set(need_orders(need).values_list("status", flat=True))
    return bool(statuses & set(SERVED)) and statuses <= {*SERVED, OrderStatus.CANCELLED}


@transaction.atomic
def need_finish(*, actor: Any, need: Need, note: str = "") -> Need:
    """Staff finish (办结) a need whose service orders are done: every order is completed,
    confirmed or cancelled and one at least was served. Refused while an order is still to
    be taken or being served, or when the need is not 已派单."""
    need = Need.objects.select_for_update(of=("self",)).select_related("node").get(pk=need.pk)
    require(actor, Capability.PARTY_EDIT, need.node_path)
    if need.status != NeedStatus.ORDERED:
        raise Conflict(
            _("需求当前是「{status}」，只有「已派单」的需求可以办结").format(status=need.get_status_display())
        )
    errors: Errors = {}
    note = text(errors, "note", note, _("办结说明"), 255, required=False)
    raise_if(errors)
    live = [order.number for order in need_orders(need).filter(status__in=LIVE).order_by("id")]
    if live:
        raise Conflict(_("服务单{orders}尚未完成服务，不能办结").format(orders=_("、").join(live)))
    if not need_orders(need).filter(status__in=SERVED).exists():
        raise Conflict(_("该需求还没有完成服务的服务单，不能办结"))
    _need_done(actor=actor, need=need, via="staff", note=note)
    return need


def reported_community_ids(member: PartyMember) -> list[int]:
    return list(
        MemberReport.objects.filter(member=member, status=ReportStatus.CONFIRMED).values_list(
            "node_id", flat=True
        )
    )


def orders_open_to_member(member: PartyMember) -> QuerySet[ServiceOrder]:
    """Published orders of the community the member reported to (接单大厅 of in-service members)."""
    return ServiceOrder.objects.filter(
        community_id__in=reported_community_ids(member), status=OrderStatus.PUBLISHED
    ).order_by("wanted_from", "created_at", "id")


# Orders a taker holds and has not finished: being served, or reported done and awaiting
# the orderer's confirmation.
HELD = (OrderStatus.ASSIGNED, OrderStatus.COMPLETED)


def orders_taken_by_member(member: PartyMember) -> QuerySet[ServiceOrder]:
    """The orders the member holds as a party member (taken or dispatched to them) and has
    not finished (我接的服务单); none for a member without a registry entry."""
    if member.resident_id is None:
        return ServiceOrder.objects.none()
    return ServiceOrder.objects.filter(
        taker_kind=TakerKind.PARTY_MEMBER, taker_resident_id=member.resident_id, status__in=HELD
    ).order_by("status", "assigned_at", "id")


def member_order_take(*, actor: Any, order: ServiceOrder) -> ServiceOrder:
    """A party member, signed in as themself, takes a published order of the community they
    reported to (双报到党员接单). First come, first served (the order's own lock)."""
    member = member_for_user(actor)
    if member is None or member.resident is None:
        raise PermissionDenied(_("只有登记在册并关联档案的党员才能以党员身份接单"))
    if order.community_id not in reported_community_ids(member):
        raise ValidationError(_("只能接本人报到社区的服务单"), field="order")
    return service_order_take(actor=actor, order=order, taker=Taker.of_party_member(member.resident))
