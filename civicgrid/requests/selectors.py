"""Reads of requests, cut to what the actor may see.

A request is visible to staff whose territory scope (``REQUEST_VIEW``) covers its place,
and to members of a unit that holds it, held it or oversees it (``unit_q``). The account that
entered it may also read it on its own (``requests_readable``: its page, its attachments, the
API's detail): a grid worker follows what they reported, wherever it lies. That does not put
it in their lists, counts or exports, nor make it a target of their actions (merge, links).
"""

import unicodedata
from typing import Any

from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import holder_paths, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, RequestType, Status, Urgency
from civicgrid.requests.models import (
    Approval,
    CatalogueVersion,
    Category,
    HandlingUnit,
    Request,
    RequestEvent,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.permissions import requester_seen_q, unit_ids


def requests_visible(actor: Any) -> QuerySet[Request]:
    qs = Request.objects.all()
    territory = scope_q(actor, Capability.REQUEST_VIEW)
    if territory is None:
        return qs
    units = unit_ids(actor)
    if not units:
        return qs.filter(territory)
    return qs.filter(territory | unit_q(units))


def unit_q(units: set[int]) -> Q:
    """The requests members of ``units`` see without a territory scope:

    - one with a work order of the unit still active (lead, assisting, copy);
    - one the unit worked on and lost: its work order signed for or replied on, or a history
      row one of its members wrote for it (a note, a return or 非本单位职责, an escalation…)
      — it may be asked about it later. A unit dispatched and moved away (改派, an approved
      return) before doing anything loses it with its work order;
    - one it was summoned to by a whistle;
    - one led by a unit directly below it (``HandlingUnit.parent``): the lead unit's parent
      unit supervises it (``permissions.actor_kinds``' ``supervisor``, 督办), as it sees its
      requester (``requester_seen_q``).
    """
    orders = WorkOrder.objects.filter(request=OuterRef("pk"), unit_id__in=units).filter(
        Q(is_active=True) | Q(signed_at__isnull=False) | Q(replied_at__isnull=False)
    )
    # Written by a member of the unit for the unit, or a 备注 (which names no unit); not the
    # dispatcher's rows under the unit's name (派单, 改派, 同意退单), nor the filing of it.
    member = "actor__unit_memberships__unit_id"
    own = Q(unit_id=F(member)) | Q(unit__isnull=True, action=Action.NOTE)
    acted = RequestEvent.objects.filter(Q(**{f"{member}__in": units}) & own, request=OuterRef("pk"))
    summoned = WhistleSummons.objects.filter(whistle__request=OuterRef("pk"), unit_id__in=units)
    below = HandlingUnit.objects.filter(parent_id__in=units).values("pk")
    return Q(Exists(orders)) | Q(Exists(acted)) | Q(Exists(summoned)) | Q(lead_unit_id__in=below)


def requests_readable(actor: Any) -> QuerySet[Request]:
    """``requests_visible``, and the requests the actor entered: for reading one request."""
    visible = requests_visible(actor)
    if not getattr(actor, "is_authenticated", False) or scope_q(actor, Capability.REQUEST_VIEW) is None:
        return visible
    return visible | Request.objects.filter(created_by=actor.pk)


def request_read(actor: Any, pk: int) -> Request:
    """One request to read (its page, its attachments): visible, or entered by the actor."""
    found = requests_readable(actor).select_related("category", "lead_unit", "node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("诉求不存在或您无权查看"))
    return found


def request_get(actor: Any, pk: int) -> Request:
    found = requests_visible(actor).select_related("category", "lead_unit", "node").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("诉求不存在或您无权查看"))
    return found


def request_by_number(actor: Any, number: str) -> Request:
    found = requests_visible(actor).filter(number=number.strip()).first()
    if found is None:
        raise NotFound(_("诉求不存在或您无权查看"))
    return found


def active_deadline() -> Case:
    """The deadline a request is bound by first: until it is signed for, the earlier of its
    response and resolution deadlines (the response one, but either may be missing); after,
    the resolution deadline. NULL when it has none."""
    return Case(
        When(
            responded_at__isnull=True,
            then=Least(
                Coalesce("due_response_at", "due_resolution_at"),
                Coalesce("due_resolution_at", "due_response_at"),
            ),
        ),
        default=F("due_resolution_at"),
        output_field=DateTimeField(),
    )


def inbox(actor: Any) -> QuerySet[Request]:
    """The handler's inbox: open requests led by (or assisted by) the actor's units, the one
    whose running clock ends first on top (``active_deadline``), those without one last."""
    units = unit_ids(actor)
    open_statuses = [
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.RETURN_PENDING,
        Status.SUSPENDED,
        Status.LONG_RUNNING,
    ]
    return (
        Request.objects.filter(status__in=open_statuses)
        .filter(Q(lead_unit_id__in=units) | Q(work_orders__unit_id__in=units, work_orders__is_active=True))
        .distinct()
        .select_related("category", "lead_unit")
        .alias(active_due=active_deadline())
        .order_by(F("active_due").asc(nulls_last=True), "id")
    )


def triage_queue(actor: Any) -> QuerySet[Request]:
    """Requests no rule could dispatch, waiting for an operator (and returned ones): the most
    pressing first (an emergency, then 特急, then 紧急), each group oldest first."""
    territory = scope_q(actor, Capability.REQUEST_DISPATCH)
    qs = Request.objects.filter(status=Status.RECEIVED)
    if territory is not None:
        qs = qs.filter(territory)
    pressing = Case(
        When(type=RequestType.EMERGENCY, then=Value(0)),
        When(urgency=Urgency.CRITICAL, then=Value(1)),
        When(urgency=Urgency.URGENT, then=Value(2)),
        default=Value(3),
    )
    return with_last_return(qs.select_related("category").order_by(pressing, "received_at", "id"))


def with_last_return(qs: QuerySet[Request]) -> QuerySet[Request]:
    """``qs`` with each request's approved returns, newest first (``not_ours_return``)."""
    approved = (
        Approval.objects.filter(kind=ApprovalKind.RETURN, state=ApprovalState.APPROVED)
        .select_related("unit", "requested_by")
        .order_by("-decided_at", "-id")
    )
    return qs.prefetch_related(Prefetch("approvals", queryset=approved, to_attr="approved_returns"))


def not_ours_return(request: Request) -> Approval | None:
    """The 非本单位职责 claim that sent a request waiting for dispatch back (received after an
    approved return whose unit said the request is not its business): who, why, when.
    None for a request never returned, or last returned for another reason (退单)."""
    if request.status != Status.RECEIVED:
        return None
    found = getattr(request, "approved_returns", None)
    if found is None:
        last = (
            Approval.objects.filter(request=request, kind=ApprovalKind.RETURN, state=ApprovalState.APPROVED)
            .select_related("unit", "requested_by")
            .order_by("-decided_at", "-id")
            .first()
        )
    else:
        last = found[0] if found else None
    return last if last is not None and last.not_ours else None


def awaiting_verification_q() -> Q:
    """Replied requests whose category needs an on-site check (核查) that a grid worker covering
    the place can still make: no callback, rating or close before it. Where no grid worker
    covers the place, nobody could verify, so the request is not held for it."""
    paths = holder_paths(Capability.REQUEST_VERIFY)
    if not paths:
        return Q(pk__in=[])
    covered = Q(node_path__startswith=paths[0])
    for path in paths[1:]:
        covered |= Q(node_path__startswith=path)
    return Q(status=Status.REPLIED, category__needs_verification=True) & covered


def awaiting_verification(request: Request) -> bool:
    """``awaiting_verification_q`` for one request (in memory, one query for the paths)."""
    category = request.category
    if request.status != Status.REPLIED or category is None or not category.needs_verification:
        return False
    return any(request.node_path.startswith(path) for path in holder_paths(Capability.REQUEST_VERIFY))


def _callback_due(actor: Any) -> QuerySet[Request]:
    """Replied (and, where the category asks, verified) requests of categories that need a
    callback, in the actor's dispatch scope."""
    territory = scope_q(actor, Capability.REQUEST_DISPATCH)
    qs = Request.objects.filter(
        status__in=[Status.REPLIED, Status.VERIFIED], category__needs_callback=True
    ).exclude(awaiting_verification_q())
    if territory is not None:
        qs = qs.filter(territory)
    return qs.select_related("category", "lead_unit").order_by("replied_at", "id")


def nobody_to_call_q() -> Q:
    """Requests nobody can call back: anonymous (匿名诉求不回访), or no phone left (a grid
    worker's report, a resident who gave none). One definition for the callback queue, the
    list to close apart, and the closing rule (``rating.request_close``)."""
    return Q(anonymous=True) | Q(requester_phone_hash="")


def nobody_to_call(request: Request) -> bool:
    """``nobody_to_call_q`` for one request in memory."""
    return request.anonymous or not request.requester_phone_hash


def callback_queue(actor: Any) -> QuerySet[Request]:
    """Replied (and, where the category asks, verified) requests waiting for the operator's
    call. Not one with nobody to call (``nobody_to_call_q``): see ``anonymous_to_close``."""
    return _callback_due(actor).exclude(nobody_to_call_q())


def anonymous_to_close(actor: Any) -> QuerySet[Request]:
    """The requests ``callback_queue`` leaves out, anonymous or without a phone: nobody calls
    them back; the operator closes them (``rating.request_close`` notes why no callback),
    unless the requester rates one first, tracking it on the H5 pages."""
    return _callback_due(actor).filter(nobody_to_call_q())


def current_catalogue() -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(is_current=True).first()


def leaf_categories(version: CatalogueVersion | None = None) -> QuerySet[Category]:
    version = version or current_catalogue()
    return Category.objects.filter(version=version, level=3).order_by("code")


def caller_history(actor: Any, phone: str) -> QuerySet[Request]:
    """Earlier requests from the same phone (exact match through the keyed hash); never an
    anonymous one (the phone must not tell who filed it), nor a confidential one outside the
    actor's handling."""
    from civicgrid.core import crypto

    if not phone.strip():
        return Request.objects.none()
    from civicgrid.core.validators import normalise_phone

    phone = phone.strip()
    found = requests_visible(actor).filter(
        requester_phone_hash=crypto.blind_index(normalise_phone(phone) or phone), anonymous=False
    )
    if (seen := requester_seen_q(actor)) is not None:  # a phone must not find a confidential requester
        found = found.filter(seen)
    return found.order_by("-received_at")


def normalise_number(raw: str) -> str:
    """A request number as typed on a phone: full-width digits and hyphens, spaces, and the
    hyphen left out (``20261125000023``) all read as ``20261125-000023``."""
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    text = text.replace("—", "-").replace("–", "-")
    if text.isdigit() and text.isascii() and len(text) > 8:
        text = f"{text[:8]}-{text[8:]}"
    return text
