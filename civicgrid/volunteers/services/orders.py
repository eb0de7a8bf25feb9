"""Service orders (点单 · 派单 · 接单 · 晒单): one mechanism for volunteers, party members and units.

The flow::

    service_order_create ──► ordered (待派单) ──publish──► published (待接单) ──take──┐
                                   └────────dispatch──────────────────────────────────┴─► assigned (服务中)
    assigned ──complete (photos)──► completed (待确认) ──confirm (rating)──► confirmed (已评价)
    assigned ──release──► back to ordered (dispatched) or published (taken)
    completed ──reopen──► assigned;   ordered / published / assigned ──cancel──► cancelled

Completed and confirmed orders appear on the community's public board (晒单) unless staff
hides one (``service_order_board_set``).

Orderers: a resident (``orderer_resident``; through their account or by staff), a council
or a unit (``orderer_organisation``), or staff on behalf of a need. ``origin`` is a free
reference string of where the need came from (``"party.council:12"``, ``"party.need:7"``,
``"requests.request:345"``) for the app that created it to find its orders again
(``selectors.orders_with_origin``).

Takers (``Taker``): a volunteer (``Taker.of_volunteer``), a party member, i.e. a registry
resident (``Taker.of_party_member``), or a partner unit, i.e. a registry organisation
(``Taker.of_unit``). Points are credited to the taker's resident or organisation when the
order is confirmed.

Who may act (``transitions.ORDER_TRANSITIONS``): staff are community workers of the place
with ``VOLUNTEER_MANAGE`` or ``PARTY_EDIT``. Another app that has checked by itself that its
user may act (e.g. ``civicgrid.party`` for a unit's contact person or an in-service member
reported to the community) passes ``actor=civicgrid.requests.permissions.SYSTEM``, which
every service accepts. Every service locks the order row, checks the step against the
table, writes an ``OrderEvent`` and an audit row in one transaction, and raises
``PermissionDenied`` / ``ValidationError`` / ``Conflict`` (with Chinese messages) changing
nothing. ``expected_version`` (optional): the ``version`` the caller read; a mismatch is a
``Conflict``.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.uploads import IMAGE_TYPES, upload_is_whole
from civicgrid.registry.models import Organisation, Resident
from civicgrid.requests.permissions import SYSTEM
from civicgrid.territory.models import Node
from civicgrid.volunteers import points_link
from civicgrid.volunteers import transitions as t
from civicgrid.volunteers.constants import (
    ON_BOARD,
    POINTS_SOURCE_ORDER,
    AssignmentMode,
    ConfirmVia,
    OrderAction,
    OrdererKind,
    OrderStatus,
    ServiceType,
    TakerKind,
    Verb,
    VolunteerStatus,
)
from civicgrid.volunteers.models import OrderEvent, OrderPhoto, ServiceOrder, Skill, Volunteer
from civicgrid.volunteers.permissions import acting_resident, is_order_staff, is_self, is_system
from civicgrid.volunteers.services.common import (
    actor_name,
    choice,
    community_of,
    difficulty_value,
    hours_value,
    notify_resident,
    raise_if,
    text,
    user_or_none,
    within_horizon,
)
from civicgrid.volunteers.signals import order_cancelled

# Sent inside the confirming transaction, after the order is saved as 已评价, with ``order``
# and ``actor`` (as ``signals.order_cancelled``). The party app listens to mark a need done
# whose orders are all confirmed (``civicgrid.party.services.orders``).
order_confirmed = Signal()

MAX_PHOTOS = 9
PHOTO_TYPES = IMAGE_TYPES  # each checked whole (core.uploads)
VERBS: dict[str, str] = {
    OrderAction.CREATE: Verb.ORDER_CREATED,
    OrderAction.PUBLISH: Verb.ORDER_PUBLISHED,
    OrderAction.DISPATCH: Verb.ORDER_DISPATCHED,
    OrderAction.TAKE: Verb.ORDER_TAKEN,
    OrderAction.RELEASE: Verb.ORDER_RELEASED,
    OrderAction.COMPLETE: Verb.ORDER_COMPLETED,
    OrderAction.CONFIRM: Verb.ORDER_CONFIRMED,
    OrderAction.REOPEN: Verb.ORDER_REOPENED,
    OrderAction.CANCEL: Verb.ORDER_CANCELLED,
    OrderAction.BOARD: Verb.ORDER_BOARD_SET,
}


@dataclass(frozen=True)
class Taker:
    """Who takes an order: build one with ``of_volunteer``, ``of_party_member`` or ``of_unit``."""

    kind: str
    volunteer: Volunteer | None = None
    resident: Resident | None = None
    organisation: Organisation | None = None

    @classmethod
    def of_volunteer(cls, volunteer: Volunteer) -> "Taker":
        return cls(TakerKind.VOLUNTEER, volunteer=volunteer, resident=volunteer.resident)

    @classmethod
    def of_party_member(cls, resident: Resident) -> "Taker":
        return cls(TakerKind.PARTY_MEMBER, resident=resident)

    @classmethod
    def of_unit(cls, organisation: Organisation) -> "Taker":
        return cls(TakerKind.UNIT, organisation=organisation)

    @property
    def label(self) -> str:
        if self.kind == TakerKind.UNIT and self.organisation is not None:
            return self.organisation.name
        return self.resident.name if self.resident is not None else ""

    @property
    def holder(self) -> Resident | Organisation:
        """Whose points: the person, or the unit."""
        holder = self.organisation if self.kind == TakerKind.UNIT else self.resident
        assert holder is not None
        return holder


def taker_of(order: ServiceOrder) -> Taker | None:
    """The taker an order holds now (None while nobody holds it)."""
    if order.taker_kind == TakerKind.VOLUNTEER and order.taker_volunteer is not None:
        return Taker.of_volunteer(order.taker_volunteer)
    if order.taker_kind == TakerKind.PARTY_MEMBER and order.taker_resident is not None:
        return Taker.of_party_member(order.taker_resident)
    if order.taker_kind == TakerKind.UNIT and order.taker_organisation is not None:
        return Taker.of_unit(order.taker_organisation)
    return None


def actor_kinds(actor: Any, order: ServiceOrder) -> set[str]:
    """What the actor is to this order (see ``transitions``)."""
    if is_system(actor):
        return {t.SYSTEM}
    kinds: set[str] = set()
    if is_order_staff(actor, order.node_path):
        kinds.add(t.STAFF)
    resident = acting_resident(actor)
    if resident is not None:
        kinds.add(t.CANDIDATE)
        if resident.pk in (order.orderer_resident_id, order.beneficiary_id):
            kinds.add(t.ORDERER)
        if resident.pk == order.taker_resident_id:
            kinds.add(t.TAKER)
    if order.taker_user_id is not None and getattr(actor, "pk", None) == order.taker_user_id:
        kinds.add(t.TAKER)
    return kinds


def may(actor: Any, order: ServiceOrder, action: str) -> bool:
    """Whether the actor may take this step on the order now (for buttons; the service checks
    again under the lock)."""
    rule = t.ORDER_TRANSITIONS[action]
    kinds = actor_kinds(actor, order) & rule.actors
    if not kinds or order.status not in rule.sources:
        return False
    if action == OrderAction.CANCEL and kinds == {t.ORDERER}:
        return order.status in t.ORDERER_MAY_CANCEL
    # nobody serves their own order
    return not (action == OrderAction.TAKE and t.ORDERER in actor_kinds(actor, order))


# --- the engine: lock, check, record ------------------------------------------------------------


def _lock(order: ServiceOrder) -> ServiceOrder:
    return (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("taker_volunteer__resident", "taker_resident", "taker_organisation", "node")
        .get(pk=order.pk)
    )


def guard(actor: Any, order: ServiceOrder, action: str) -> set[str]:
    """The actor's kinds that the step allows; ``PermissionDenied`` when there are none."""
    kinds = actor_kinds(actor, order) & t.ORDER_TRANSITIONS[action].actors
    if not kinds:
        raise PermissionDenied(
            gettext("您无权对该服务单执行「{label}」").format(label=OrderAction(action).label)
        )
    return kinds


def _begin(actor: Any, order: ServiceOrder, action: str, expected_version: int | None) -> ServiceOrder:
    """The order locked, after checking who acts and that the step is allowed from its status."""
    rule = t.ORDER_TRANSITIONS[action]
    guard(actor, order, action)
    locked = _lock(order)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            gettext("该服务单已被他人处理（当前状态：{label}），请刷新后再试").format(
                label=OrderStatus(locked.status).label
            ),
            detail={"status": locked.status, "version": locked.version},
        )
    if locked.status not in rule.sources:
        raise Conflict(
            gettext("服务单当前状态为「{status}」，不能{action}").format(
                status=OrderStatus(locked.status).label, action=OrderAction(action).label
            ),
            detail={"status": locked.status, "version": locked.version},
        )
    return locked


def _record(
    actor: Any,
    order: ServiceOrder,
    action: str,
    from_status: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """The history row and the audit row of one step (after the order was saved)."""
    event = OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=from_status,
        to_status=order.status,
        actor=user_or_none(actor),
        actor_name=actor_name(actor)[:150],
        note=note[:500],
        data=data or {},
    )
    audit_write(
        actor=actor,
        verb=VERBS[action],
        target=order,
        node=order.node,
        before={"status": from_status},
        after={"status": order.status, "version": order.version, "note": note[:200], **(data or {})},
    )
    return event


def _save(order: ServiceOrder, fields: list[str]) -> None:
    order.version = F("version") + 1
    order.save(update_fields=[*fields, "version", "updated_at"])
    order.refresh_from_db(fields=["version"])


REASON = gettext_lazy("原因")


def _reason(value: str, field: str = "reason", label: StrOrPromise = REASON, limit: int = 200) -> str:
    errors: dict[str, list[str]] = {}
    cleaned = text(value, field, label, errors, limit=limit)
    raise_if(errors)
    return cleaned


# --- order ---------------------------------------------------------------------------------------


@dataclass
class NewOrder:
    """What an orderer asks for (pages, the API and other apps build one).

    ``node``: where the service is needed (a building, grid or the community); for a resident
    ordering for themself it defaults to where they live.
    """

    title: str
    content: str
    service_type: str = ServiceType.MUTUAL_AID
    orderer_kind: str = OrdererKind.RESIDENT
    node: Node | None = None
    difficulty: int = 2
    orderer_resident: Resident | None = None
    orderer_organisation: Organisation | None = None
    orderer_label: str = ""
    origin: str = ""
    beneficiary: Resident | None = None
    address: str = ""
    wanted_from: datetime | None = None
    wanted_until: datetime | None = None
    skills: tuple[str, ...] = ()


def order_validate(data: NewOrder) -> tuple[dict[str, list[str]], list[Skill]]:
    """Every problem of a new order at once, and its skills."""
    errors: dict[str, list[str]] = {}
    text(data.title, "title", gettext("服务内容"), errors, limit=100)
    text(data.content, "content", gettext("需求描述"), errors, limit=2000)
    text(data.address, "address", gettext("服务地点"), errors, limit=200, required=False)
    text(data.orderer_label, "orderer_label", gettext("点单方名称"), errors, limit=100, required=False)
    text(data.origin, "origin", gettext("来源"), errors, limit=100, required=False)
    choice(data.service_type, ServiceType, "service_type", gettext("服务类别"), errors)
    choice(data.orderer_kind, OrdererKind, "orderer_kind", gettext("点单方"), errors)
    difficulty_value(data.difficulty, errors)
    if data.orderer_kind == OrdererKind.RESIDENT and data.orderer_resident is None:
        errors.setdefault("orderer_resident", []).append(gettext("居民点单须指明点单居民"))
    if data.orderer_kind == OrdererKind.UNIT and data.orderer_organisation is None:
        errors.setdefault("orderer_organisation", []).append(gettext("单位点单须指明点单单位"))
    if data.orderer_kind == OrdererKind.COUNCIL and not (data.orderer_label.strip() or data.origin.strip()):
        errors.setdefault("orderer_label", []).append(gettext("议事会点单须填写议事会名称或来源"))
    _check_wanted(data, errors)
    codes = list(dict.fromkeys(data.skills))
    skills = list(Skill.objects.filter(code__in=codes))
    if len(skills) != len(codes):
        errors.setdefault("skills", []).append(gettext("所需技能中有未知技能"))
    return errors, skills


def _check_wanted(data: NewOrder, errors: dict[str, list[str]]) -> None:
    """When the service is wanted: not on a day already past (the same day is fine: "as soon
    as possible" typed at 10:30 for 10:00), the end after the start and after now, neither
    more than two years ahead."""
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if data.wanted_from is not None:
        if data.wanted_from < today:
            errors.setdefault("wanted_from", []).append(gettext("期望开始时间不能早于今天"))
        within_horizon(data.wanted_from, "wanted_from", gettext("期望开始时间"), errors, now=now)
    if data.wanted_until is not None:
        if data.wanted_from is not None and data.wanted_until <= data.wanted_from:
            errors.setdefault("wanted_until", []).append(gettext("期望完成时间应晚于期望开始时间"))
        elif data.wanted_until <= now:
            errors.setdefault("wanted_until", []).append(gettext("期望完成时间应晚于现在"))
        within_horizon(data.wanted_until, "wanted_until", gettext("期望完成时间"), errors, now=now)


def _order_place(actor: Any, data: NewOrder) -> Node:
    """Where the order lives, after checking the actor may order there."""
    resident = data.orderer_resident
    node = data.node or (resident.node if resident is not None else None)
    if node is None:
        errors, _ = order_validate(data)
        errors.setdefault("node", []).append(gettext("请选择服务地点所在的社区或网格"))
        raise_if(errors)
    assert node is not None
    community_of(node)
    if is_system(actor) or is_order_staff(actor, node.path):
        return node
    own = data.orderer_kind == OrdererKind.RESIDENT and is_self(actor, resident)
    if not own or (data.beneficiary is not None and data.beneficiary.pk != resident.pk):  # type: ignore[union-attr]
        raise PermissionDenied(gettext("您无权在该区域点单"))
    if resident is not None and not node.path.startswith(community_of(resident.node).path):
        raise ValidationError(gettext("只能为本人所在社区点单"), field="node")
    return node


@transaction.atomic
def service_order_create(*, actor: Any, data: NewOrder, publish: bool = False) -> ServiceOrder:
    """Order a service (点单). Status 待派单 (``ordered``), or 待接单 when ``publish`` (staff).

    A resident orders for themself through their account (``orderer_kind="resident"``,
    ``orderer_resident`` = their resident, no other beneficiary). Staff of the place order
    for anyone: a resident who phoned, a council (``orderer_kind="council"`` with a label or
    ``origin``), a unit (``orderer_organisation``) or on behalf of a need (``"staff"``). The
    community is told (notification) and decides who serves.
    """
    node = _order_place(actor, data)
    errors, skills = order_validate(data)
    raise_if(errors)
    community = community_of(node)
    label = data.orderer_label.strip() or _orderer_label(data)
    order = ServiceOrder.objects.create(
        node=node,
        node_path=node.path,
        community=community,
        title=data.title.strip(),
        content=data.content.strip(),
        service_type=data.service_type,
        difficulty=difficulty_value(data.difficulty, {}),
        address=data.address.strip(),
        wanted_from=data.wanted_from,
        wanted_until=data.wanted_until,
        orderer_kind=data.orderer_kind,
        origin=data.origin.strip(),
        orderer_label=label[:100],
        orderer_resident=data.orderer_resident,
        orderer_organisation=data.orderer_organisation,
        beneficiary=data.beneficiary or data.orderer_resident,
        ordered_by=user_or_none(actor),
    )
    order.skills.set(skills)
    _record(actor, order, OrderAction.CREATE, "", note=order.title, data={"origin": order.origin})
    if publish:
        service_order_publish(actor=actor, order=order)
        order.refresh_from_db()
    return order


def _orderer_label(data: NewOrder) -> str:
    if data.orderer_kind == OrdererKind.UNIT and data.orderer_organisation is not None:
        return data.orderer_organisation.name
    if data.orderer_resident is not None:
        return data.orderer_resident.name
    return str(OrdererKind(data.orderer_kind).label)


# --- publish, dispatch, take, release -------------------------------------------------------------


@transaction.atomic
def service_order_publish(
    *, actor: Any, order: ServiceOrder, note: str = "", expected_version: int | None = None
) -> ServiceOrder:
    """Publish an order to be taken (待接单): approved volunteers of the community (and party
    members and units, through the Party app) see it; the first to take it gets it."""
    locked = _begin(actor, order, OrderAction.PUBLISH, expected_version)
    before = locked.status
    locked.status = OrderStatus.PUBLISHED
    _save(locked, ["status"])
    _record(actor, locked, OrderAction.PUBLISH, before, note=note.strip())
    return locked


def _check_taker(actor: Any, order: ServiceOrder, taker: Taker, *, staff_assigns: bool) -> None:
    """The taker fits the order; when someone takes for themself, it is really them."""
    if taker.kind not in TakerKind.values:
        raise ValidationError(gettext("接单方类别无效"), field="taker")
    if taker.resident is not None and taker.resident.pk in (order.orderer_resident_id, order.beneficiary_id):
        raise ValidationError(gettext("不能为自己点的服务单接单"), field="taker")
    if taker.kind == TakerKind.VOLUNTEER:
        volunteer = taker.volunteer
        if volunteer is None:
            raise ValidationError(gettext("请选择志愿者"), field="taker")
        if volunteer.status != VolunteerStatus.APPROVED:
            raise ValidationError(gettext("该志愿者尚未通过审核或已暂停服务"), field="taker")
        if volunteer.community_id != order.community_id and not staff_assigns:
            raise ValidationError(gettext("只能接本人服务社区的服务单"), field="taker")
        needed = set(order.skills.values_list("code", flat=True))
        missing = needed - set(volunteer.skills.values_list("code", flat=True))
        if missing:
            names = "、".join(Skill.objects.filter(code__in=missing).values_list("name", flat=True))
            raise ValidationError(gettext("该服务需要技能：{names}").format(names=names), field="taker")
    elif taker.kind == TakerKind.PARTY_MEMBER:
        if taker.resident is None or not taker.resident.is_active:
            raise ValidationError(gettext("请选择在册的党员"), field="taker")
    elif taker.organisation is None:
        raise ValidationError(gettext("请选择共建单位"), field="taker")
    if staff_assigns or is_system(actor):
        return
    # Taking for oneself: a volunteer or party member takes as themself; units through staff.
    if taker.kind == TakerKind.UNIT or not is_self(actor, taker.resident):
        raise PermissionDenied(gettext("只能以本人身份接单"))


def _assign(actor: Any, order: ServiceOrder, taker: Taker, mode: str, taker_user: Any) -> None:
    order.status = OrderStatus.ASSIGNED
    order.assignment = mode
    order.taker_kind = taker.kind
    order.taker_volunteer = taker.volunteer
    order.taker_resident = taker.resident
    order.taker_organisation = taker.organisation
    order.taker_user = taker_user
    order.taker_label = taker.label[:100]
    order.assigned_at = timezone.now()
    _save(
        order,
        [
            "status",
            "assignment",
            "taker_kind",
            "taker_volunteer",
            "taker_resident",
            "taker_organisation",
            "taker_user",
            "taker_label",
            "assigned_at",
        ],
    )


def _taker_data(taker: Taker) -> dict[str, Any]:
    return {
        "taker_kind": taker.kind,
        "volunteer": taker.volunteer.pk if taker.volunteer else None,
        "resident": taker.resident.pk if taker.resident else None,
        "organisation": taker.organisation.pk if taker.organisation else None,
    }


@transaction.atomic
def service_order_dispatch(
    *, actor: Any, order: ServiceOrder, taker: Taker, note: str = "", expected_version: int | None = None
) -> ServiceOrder:
    """The community dispatches (派单) an ordered or published order to a volunteer, a party
    member or a partner unit; it goes straight to 服务中 and the taker is told."""
    locked = _begin(actor, order, OrderAction.DISPATCH, expected_version)
    _check_taker(actor, locked, taker, staff_assigns=True)
    before = locked.status
    _assign(actor, locked, taker, AssignmentMode.DISPATCHED, None)
    _record(actor, locked, OrderAction.DISPATCH, before, note=note.strip(), data=_taker_data(taker))
    _tell_taker(locked, taker, gettext("派单"))
    return locked


@transaction.atomic
def service_order_take(
    *, actor: Any, order: ServiceOrder, taker: Taker | None = None, expected_version: int | None = None
) -> ServiceOrder:
    """Take a published order (接单). First come, first served: the order row is locked and
    must still be 待接单, so of many takers at the same moment exactly one gets it; the others
    get a ``Conflict`` ("该服务单已被他人接单") and nothing changes for them.

    ``taker`` defaults to the actor's own volunteer record. A volunteer must be approved,
    of the order's community and have the skills it needs. A party member (a resident)
    takes as themself; a unit's taking is entered by staff or by another app as ``SYSTEM``.
    """
    if taker is None:
        from civicgrid.volunteers.permissions import acting_volunteer

        volunteer = acting_volunteer(actor)
        if volunteer is None:
            raise PermissionDenied(gettext("请先注册成为志愿者"))
        taker = Taker.of_volunteer(volunteer)
    kinds = guard(actor, order, OrderAction.TAKE)
    locked = _lock(order)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(gettext("该服务单已被他人处理，请刷新后再试"), detail={"status": locked.status})
    if locked.status != OrderStatus.PUBLISHED:
        if locked.status == OrderStatus.ASSIGNED:
            raise Conflict(gettext("该服务单已被他人接单"), detail={"status": locked.status})
        raise Conflict(
            gettext("服务单当前状态为「{label}」，不能接单").format(label=OrderStatus(locked.status).label)
        )
    _check_taker(actor, locked, taker, staff_assigns=t.STAFF in kinds and not is_self(actor, taker.resident))
    _assign(actor, locked, taker, AssignmentMode.TAKEN, user_or_none(actor))
    _record(actor, locked, OrderAction.TAKE, OrderStatus.PUBLISHED, data=_taker_data(taker))
    return locked


def _tell_taker(order: ServiceOrder, taker: Taker, what: str) -> None:
    if taker.resident is None:
        return
    notify_resident(
        taker.resident,
        key=f"order:{order.pk}:v{order.version}:taker",
        subject=gettext("服务单{what}").format(what=what),
        body=(
            gettext(
                "【志愿服务】{name}：社区向您{what}服务单 {number}「{title}」，请及时联系服务对象。"
            ).format(name=taker.resident.name, what=what, number=order.number, title=order.title)
        ),
        target=order,
    )


@transaction.atomic
def service_order_release(
    *, actor: Any, order: ServiceOrder, reason: str, expected_version: int | None = None
) -> ServiceOrder:
    """The taker gives an order back (or staff takes it away), with a reason: a dispatched
    order returns to 待派单, a taken one to 待接单."""
    guard(actor, order, OrderAction.RELEASE)
    reason = _reason(reason)
    locked = _begin(actor, order, OrderAction.RELEASE, expected_version)
    before = locked.status
    held = taker_of(locked)
    data = {"released": _taker_data(held) if held is not None else {}}
    taken = locked.assignment == AssignmentMode.TAKEN
    locked.status = OrderStatus.PUBLISHED if taken else OrderStatus.ORDERED
    locked.assignment = ""
    locked.taker_kind = ""
    locked.taker_volunteer = locked.taker_resident = locked.taker_organisation = locked.taker_user = None
    locked.taker_label = ""
    locked.assigned_at = None
    _save(
        locked,
        [
            "status",
            "assignment",
            "taker_kind",
            "taker_volunteer",
            "taker_resident",
            "taker_organisation",
            "taker_user",
            "taker_label",
            "assigned_at",
        ],
    )
    _record(actor, locked, OrderAction.RELEASE, before, note=reason, data=data)
    return locked


# --- complete, confirm, reopen, cancel, board ---------------------------------------------------


def photos_validate(photos: list[UploadedFile]) -> dict[str, list[str]]:
    """Whole JPG, PNG or WEBP images (``core.uploads``, not only an image's first bytes), at
    most nine, each within the limit."""
    problems = []
    if len(photos) > MAX_PHOTOS:
        problems.append(gettext("最多上传{max_photos}张照片").format(max_photos=MAX_PHOTOS))
    limit = settings.REQUESTS_ATTACHMENT_MAX_BYTES
    for f in photos:
        if f.size is None or f.size > limit:
            problems.append(
                gettext("{name}：文件超过{megabytes}MB").format(name=f.name, megabytes=limit // (1024 * 1024))
            )
        elif (f.content_type or "") not in PHOTO_TYPES or not upload_is_whole(f, max_bytes=limit):
            problems.append(gettext("{name}：只接受 JPG、PNG、WEBP 图片").format(name=f.name))
    return {"photos": problems} if problems else {}


@transaction.atomic
def service_order_complete(
    *,
    actor: Any,
    order: ServiceOrder,
    note: str,
    hours: Decimal | str | float,
    photos: list[UploadedFile],
    expected_version: int | None = None,
) -> ServiceOrder:
    """The taker (or staff) reports the service done (待确认) with what was done, the hours
    spent (0.5 to 24) and one to nine photos (JPG/PNG/WEBP) for the board. The orderer is
    asked to confirm and rate."""
    guard(actor, order, OrderAction.COMPLETE)
    errors: dict[str, list[str]] = {}
    note = text(note, "note", gettext("服务情况"), errors, limit=1000)
    spent = hours_value(hours, "hours", errors)
    if not photos:
        errors.setdefault("photos", []).append(gettext("请至少上传一张服务照片"))
    errors.update(photos_validate(photos))
    raise_if(errors)
    locked = _begin(actor, order, OrderAction.COMPLETE, expected_version)
    before = locked.status
    locked.status = OrderStatus.COMPLETED
    locked.completed_at = timezone.now()
    locked.completion_note = note
    locked.hours = spent
    _save(locked, ["status", "completed_at", "completion_note", "hours"])
    for f in photos:
        OrderPhoto.objects.create(
            order=locked,
            file=f,
            name=(f.name or gettext("照片"))[:200],
            content_type=f.content_type or "",
            size=f.size or 0,
            uploaded_by=user_or_none(actor),
        )
    _record(
        actor,
        locked,
        OrderAction.COMPLETE,
        before,
        note=note,
        data={"hours": str(spent), "photos": len(photos)},
    )
    if locked.beneficiary_id is not None:
        notify_resident(
            Resident.objects.get(pk=locked.beneficiary_id),
            key=f"order:{locked.pk}:v{locked.version}:done",
            subject=gettext("服务已完成"),
            body=gettext("【志愿服务】您的服务单 {number}「{title}」已完成，请确认并评价。").format(
                number=locked.number, title=locked.title
            ),
            target=locked,
        )
    return locked


@transaction.atomic
def service_order_confirm(
    *, actor: Any, order: ServiceOrder, rating: int, comment: str = "", expected_version: int | None = None
) -> ServiceOrder:
    """The resident confirms the service and rates it (1–5 stars); staff may confirm on their
    behalf after a return visit (社区回访确认). Points go to the taker (the resident, or the
    unit) by the points rule of the place: service type, hours and difficulty."""
    guard(actor, order, OrderAction.CONFIRM)
    errors: dict[str, list[str]] = {}
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors.setdefault("rating", []).append(gettext("评价应为1到5星"))
    comment = text(comment, "comment", gettext("评价内容"), errors, limit=300, required=False)
    raise_if(errors)
    kinds = actor_kinds(actor, order)
    locked = _begin(actor, order, OrderAction.CONFIRM, expected_version)
    before = locked.status
    locked.status = OrderStatus.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.confirmed_via = ConfirmVia.SELF if t.ORDERER in kinds else ConfirmVia.STAFF
    locked.rating = rating
    locked.rating_comment = comment
    taker = taker_of(locked)
    if taker is not None and locked.hours > 0:
        locked.points = points_link.award(
            actor=actor if t.STAFF in kinds else SYSTEM,
            holder=taker.holder,
            activity_type=locked.service_type,
            hours=locked.hours,
            difficulty=locked.difficulty,
            rule_type=points_link.ORDER_RULE_TYPE,
            source=POINTS_SOURCE_ORDER,
            source_ref=f"order:{locked.pk}",
            node=locked.node,
            note=gettext("服务单 {number}：{title}").format(number=locked.number, title=locked.title),
        )
    _save(locked, ["status", "confirmed_at", "confirmed_via", "rating", "rating_comment", "points"])
    if locked.taker_volunteer_id is not None:
        Volunteer.objects.filter(pk=locked.taker_volunteer_id).update(
            hours_total=F("hours_total") + locked.hours, orders_done=F("orders_done") + 1
        )
    _record(
        actor,
        locked,
        OrderAction.CONFIRM,
        before,
        note=comment,
        data={"rating": rating, "via": locked.confirmed_via, "points": locked.points},
    )
    order_confirmed.send(sender=ServiceOrder, order=locked, actor=actor)
    return locked


@transaction.atomic
def service_order_reopen(
    *, actor: Any, order: ServiceOrder, reason: str, expected_version: int | None = None
) -> ServiceOrder:
    """Not done after all (退回重办): back to the taker (服务中) with the orderer's reason."""
    guard(actor, order, OrderAction.REOPEN)
    reason = _reason(reason)
    locked = _begin(actor, order, OrderAction.REOPEN, expected_version)
    before = locked.status
    locked.status = OrderStatus.ASSIGNED
    locked.completed_at = None
    _save(locked, ["status", "completed_at"])
    _record(actor, locked, OrderAction.REOPEN, before, note=reason)
    taker = taker_of(locked)
    if taker is not None:
        _tell_taker(locked, taker, gettext("退回重办"))
    return locked


@transaction.atomic
def service_order_cancel(
    *, actor: Any, order: ServiceOrder, reason: str, expected_version: int | None = None
) -> ServiceOrder:
    """Withdraw an order with a reason: staff until it is done, the orderer while nobody holds it."""
    guard(actor, order, OrderAction.CANCEL)
    reason = _reason(reason)
    kinds = actor_kinds(actor, order)
    locked = _begin(actor, order, OrderAction.CANCEL, expected_version)
    if kinds & t.ORDER_TRANSITIONS[OrderAction.CANCEL].actors == {t.ORDERER} and (
        locked.status not in t.ORDERER_MAY_CANCEL
    ):
        raise Conflict(gettext("服务已有人接单，请联系社区取消"))
    before = locked.status
    held_by = taker_of(locked) if before == OrderStatus.ASSIGNED else None
    locked.status = OrderStatus.CANCELLED
    locked.cancel_reason = reason
    _save(locked, ["status", "cancel_reason"])
    _record(actor, locked, OrderAction.CANCEL, before, note=reason)
    if held_by is not None and t.TAKER not in kinds:
        _tell_cancelled(locked, held_by, reason)
    order_cancelled.send(sender=ServiceOrder, order=locked, actor=actor)
    return locked


def _tell_cancelled(order: ServiceOrder, taker: Taker, reason: str) -> None:
    """The person serving an order hears that it was withdrawn (as ``_tell_taker``, a unit
    has no phone here: the community that dispatched to it tells it)."""
    if taker.resident is None:
        return
    notify_resident(
        taker.resident,
        key=f"order:{order.pk}:v{order.version}:cancelled",
        subject=gettext("服务单已取消"),
        body=gettext("【志愿服务】服务单 {number}「{title}」已取消，无需再服务。原因：{reason}").format(
            number=order.number, title=order.title, reason=reason
        ),
        target=order,
    )


@transaction.atomic
def service_order_board_set(
    *, actor: Any, order: ServiceOrder, on_board: bool, expected_version: int | None = None
) -> ServiceOrder:
    """Show or hide a completed order on the community's public board (晒单)."""
    locked = _begin(actor, order, OrderAction.BOARD, expected_version)
    if locked.status not in ON_BOARD:  # pragma: no cover - the table says the same
        raise Conflict(gettext("只有已完成的服务单可以晒单"))
    locked.on_board = bool(on_board)
    _save(locked, ["on_board"])
    _record(actor, locked, OrderAction.BOARD, locked.status, data={"on_board": locked.on_board})
    return locked
