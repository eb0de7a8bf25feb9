"""Who an actor is with respect to one request (the actor kinds of ``transitions``)."""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, scope_q
from civicgrid.core import crypto
from civicgrid.requests import transitions as t
from civicgrid.requests.models import HandlingUnit, Request, UnitMembership, WhistleSummons, WorkOrder


class SystemActor:
    """The product acting by itself (automatic dispatch, periodic tasks)."""

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return _("系统")


SYSTEM = SystemActor()


class RequesterActor:
    """The resident, identified by the rating link's token (no account)."""

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return _("诉求人")


REQUESTER = RequesterActor()


def unit_ids(actor: Any) -> set[int]:
    """Handling units the actor belongs to (cached on the user object). An administrator's
    membership counts for nothing: they hold no business role (三员分立)."""
    if not getattr(actor, "is_authenticated", False) or bool(getattr(actor, "admin_role", None)):
        return set()
    cache = actor.__dict__.get("_civicgrid_units")
    if cache is None:
        cache = set(
            UnitMembership.objects.filter(user=actor, unit__is_active=True).values_list("unit_id", flat=True)
        )
        actor.__dict__["_civicgrid_units"] = cache
    return set(cache)


# Who sees a confidential requester (masked name, phone, the clear ones on reveal, and finding
# requests by phone): the dispatchers and supervisors of the place, and the unit above the
# lead unit (the supervisor actor kind) — not the handling units, community or grid workers.
REQUESTER_READERS = (Capability.REQUEST_DISPATCH, Capability.REQUEST_SUPERVISE)


def sees_requests(actor: Any) -> bool:
    """Whether ``actor`` sees any requests: by territory (REQUEST_VIEW) or as a member of a
    handling unit (its own). Opens the ledger; shows its and the whistle page's menu entries."""
    return has_capability(actor, Capability.REQUEST_VIEW) or bool(unit_ids(actor))


def sees_requester(actor: Any, request: Request) -> bool:
    if not request.confidential or any(can(actor, c, request.node_path) for c in REQUESTER_READERS):
        return True
    units = unit_ids(actor)
    return bool(
        units
        and request.lead_unit_id
        and HandlingUnit.objects.filter(pk=request.lead_unit_id, parent_id__in=units).exists()
    )


def requester_shown(actor: Any, request: Request) -> bool:
    """Whether ``actor`` is shown who filed ``request`` (masked, as everywhere): not when it is
    anonymous, nor when it is confidential and ``sees_requester`` says no. Where not, the ID
    numbers and phones in its title, content and address are masked as well
    (``crypto.mask_numbers_in_text``): a number typed into the text must not give away the
    person the request hides. Remembered on the request for the actor (a list asks per field)."""
    key = getattr(actor, "pk", None)
    cached = getattr(request, "_requester_shown", None)
    if cached is not None and cached[0] == key:
        return bool(cached[1])
    shown = not request.anonymous and sees_requester(actor, request)
    request._requester_shown = (key, shown)  # type: ignore[attr-defined]
    return shown


REQUEST_TEXT_FIELDS = ("title", "address", "content")


def shown_text(actor: Any, request: Any, field: str) -> str:
    """``request``'s ``field`` (title, address or content) as ``actor`` is shown it: where
    ``requester_shown`` says no, the ID numbers and phones typed into it are masked
    (``crypto.mask_numbers_in_text``). The request page, the lists (``{% shown %}``), a
    view's own rows (a map's labels). The common row (neither anonymous nor confidential)
    asks nothing; a row without those flags (a test's stand-in) is as typed."""
    if field not in REQUEST_TEXT_FIELDS:
        raise ValueError(f"not a request text field: {field}")
    if request is None:
        return ""
    text = str(getattr(request, field, "") or "")
    if not text or not (getattr(request, "anonymous", False) or getattr(request, "confidential", False)):
        return text  # the common row: nothing hidden, nothing to ask
    return text if requester_shown(actor, request) else crypto.mask_numbers_in_text(text)


def text_for_anyone(request: Request, field: str = "title") -> str:
    """``request``'s title (or ``field``) as it goes where its reader is not known: a message
    to a unit's staff, a history row on another request, a copy into another module (a party
    need). Where the request hides its requester (anonymous or confidential), the ID numbers
    and phones typed into it are masked (``crypto.mask_numbers_in_text``), as the lists show
    it to a reader not shown the requester."""
    text = str(getattr(request, field) or "")
    if request.anonymous or request.confidential:
        return crypto.mask_numbers_in_text(text)
    return text


def requester_seen_q(actor: Any) -> Q | None:
    """The requests whose requester ``actor`` sees (``sees_requester``); None: all of them."""
    scopes = [scope_q(actor, c) for c in REQUESTER_READERS]
    if any(q is None for q in scopes):
        return None
    units = unit_ids(actor)
    above = [Q(lead_unit__parent_id__in=units)] if units else []
    return reduce(or_, [*scopes, *above], Q(confidential=False))


def approver_unit_ids(actor: Any) -> set[int]:
    if not getattr(actor, "is_authenticated", False) or bool(getattr(actor, "admin_role", None)):
        return set()
    return set(UnitMembership.objects.filter(user=actor, is_approver=True).values_list("unit_id", flat=True))


def actor_kinds(actor: Any, request: Request) -> set[str]:
    if actor is SYSTEM:
        return {t.SYSTEM}
    if actor is REQUESTER:
        return {t.REQUESTER}
    if not getattr(actor, "is_authenticated", False):
        return set()
    kinds: set[str] = set()
    path = request.node_path
    if can(actor, Capability.REQUEST_DISPATCH, path):
        kinds.add(t.DISPATCHER)
    if can(actor, Capability.REQUEST_VERIFY, path):
        kinds.add(t.GRID)
    if can(actor, Capability.REQUEST_SUPERVISE, path):
        kinds.add(t.SUPERVISOR)
    units = unit_ids(actor)
    if units:
        if request.lead_unit_id in units:
            kinds.add(t.LEAD)
        other = WorkOrder.objects.filter(request=request, is_active=True, unit_id__in=units).exclude(
            unit_id=request.lead_unit_id
        )
        # summoned by a whistle still open (a closed one ended the unit's part)
        summoned = WhistleSummons.objects.filter(
            whistle__request=request, whistle__closed_at__isnull=True, unit_id__in=units
        )
        if other.exists() or summoned.exists():
            kinds.add(t.ASSIST)
        if (
            request.lead_unit_id
            and HandlingUnit.objects.filter(pk=request.lead_unit_id, parent_id__in=units).exists()
        ):
            kinds.add(t.SUPERVISOR)
    return kinds
