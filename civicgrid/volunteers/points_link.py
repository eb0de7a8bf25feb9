"""The one place this app talks to ``civicgrid.points`` (the ledger is another app's).

``award`` credits points through ``points.services.points_award`` (idempotent by source and
source_ref: a second call for the same check-out or order changes nothing);
``estimate`` gives the points a service would earn under the rule of the place, for the
activity pages; ``balance`` / ``time_bank_hours`` / ``movements`` read a holder's account.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from civicgrid.registry.models import Organisation, Resident

Holder = Resident | Organisation

# The kind of points rule that pays a service order (点单服务), tried before its service type's.
ORDER_RULE_TYPE = "service_order"


def award(
    *,
    actor: Any,
    holder: Holder,
    activity_type: str,
    hours: Decimal,
    difficulty: int,
    source: str,
    source_ref: str,
    node: Any,
    note: str = "",
    team: str = "",
    at: datetime | None = None,
    rule_type: str = "",
) -> int | None:
    """Credit the holder (a Resident or an Organisation) and bank the hours; the points
    credited (None when the rule gives none). ``actor`` None is the system: this app's
    service has authorised the action itself (a volunteer checking out by QR code).
    ``rule_type`` is the kind of rule tried first (``ORDER_RULE_TYPE`` for an order)."""
    from civicgrid.points.services import points_award

    result = points_award(
        actor=actor,
        holder=holder,
        activity_type=activity_type,
        hours=hours,
        difficulty=difficulty,
        source=source,
        source_ref=source_ref,
        node=node,
        note=note[:255],
        team=team,
        at=at,
        rule_type=rule_type,
    )
    return _amount(result)


def _amount(result: Any) -> int | None:
    if result is None:
        return None
    if isinstance(result, int):
        return result
    amount = getattr(result, "amount", None)
    return int(amount) if amount is not None else None


def estimate(*, node: Any, activity_type: str, hours: Decimal, difficulty: int) -> int:
    """Points the rule of the place gives for this service."""
    from civicgrid.points.rules import rule_for

    return int(rule_for(node, activity_type).points_for(hours, difficulty))


def balance(holder: Holder) -> int:
    from civicgrid.points.selectors import balance as points_balance

    return int(points_balance(holder))


def time_bank_hours(holder: Holder) -> Decimal:
    from civicgrid.points.selectors import time_bank_hours as hours

    return Decimal(hours(holder))


def movements(holder: Holder, limit: int = 20) -> list[tuple[Any, int]]:
    """The latest movements of the holder, each with its signed amount (+ in, − out)."""
    from civicgrid.points.selectors import account_for, signed_amount
    from civicgrid.points.selectors import movements as points_movements

    account = account_for(holder)
    if account is None:
        return []
    return [(m, signed_amount(m, account)) for m in points_movements(holder)[:limit]]


def movement_count(holder: Holder) -> int:
    from civicgrid.points.selectors import movements as points_movements

    return int(points_movements(holder).count())


def movements_all(holder: Holder) -> Any:
    """Every movement of the holder, newest first (a queryset, to page through)."""
    from civicgrid.points.selectors import movements as points_movements

    return points_movements(holder)


def signed(holder: Holder, page: Any) -> list[tuple[Any, int]]:
    """The movements of ``page``, each with its signed amount for the holder."""
    from civicgrid.points.selectors import account_for, signed_amount

    account = account_for(holder)
    return [(m, signed_amount(m, account)) for m in page] if account is not None else []


def account_url(actor: Any, holder: Holder) -> str | None:
    """The staff page of the holder's points account, when the actor may see it."""
    from django.urls import reverse

    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import can
    from civicgrid.points.selectors import account_for

    account = account_for(holder)
    if account is None or not can(actor, Capability.POINTS_MANAGE, account.node_path):
        return None
    return reverse("points:account", args=[account.pk])


def leaderboard(
    node: Any, period: str | tuple[datetime, datetime] = "all", team: str | None = None, limit: int = 10
) -> list[Any]:
    """Holders ranked by points earned under ``node`` (persons only) in ``period``: a name
    of the points app ("month" is the calendar month) or a (start, end) pair."""
    from civicgrid.points.models import AccountKind
    from civicgrid.points.selectors import leaderboard as points_leaderboard

    return points_leaderboard(node, period, team, kind=AccountKind.PERSON, limit=limit)


def team_key(activity: Any) -> str:
    """What the points leaderboards group an activity's points by: its team's name (the
    same colour team name in every community, so a district board adds them up)."""
    team = activity.team
    return str(team.name) if team is not None else ""
