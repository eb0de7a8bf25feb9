"""Reads of points.

Public API used by other apps (keep stable): ``balance(holder)``, ``time_bank_hours(holder)``,
``movements(holder)``, ``leaderboard(node, period, team=None)``. These take a holder (a
``registry.Resident`` or ``registry.Organisation``) and do no scope check: the caller shows
them to the holder themself or to staff who may see the holder. The ``*_visible(actor)``
selectors are cut to the actor's scope for the pages and the API.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.core.errors import NotFound
from civicgrid.points import ledger
from civicgrid.points.constants import Source
from civicgrid.points.ledger import Holder
from civicgrid.points.models import (
    HOLDER_KINDS,
    Account,
    AccountKind,
    Adjustment,
    AdjustmentStatus,
    Goods,
    Lot,
    Movement,
    MovementKind,
    PointsRule,
    Redemption,
    RedemptionStatus,
    TimeBankEntry,
)
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Node

# ---------------------------------------------------------------------------------------------
# Per holder (no scope check; see the module's docstring)


def account_for(holder: Holder) -> Account | None:
    """The holder's account, or None when they never had points."""
    return ledger.find_holder_account(holder)


def balance(holder: Holder) -> int:
    """Spendable points now (points reserved by open redemptions are already taken off).

    One indexed lookup of the kept balance, in plain SQL: it is read on many pages.
    """
    column = "resident_id" if isinstance(holder, Resident) else "organisation_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT balance FROM {Account._meta.db_table} WHERE {column} = %s",  # noqa: S608 - fixed names
            [holder.pk],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def time_bank_hours(holder: Holder) -> Decimal:
    """Service hours banked (时间银行), kept apart from points."""
    row = _holder_filter(holder).values_list("hours", flat=True).first()
    return Decimal(row or 0)


def movements(holder: Holder) -> QuerySet[Movement]:
    """The holder's movements, newest first (in and out)."""
    account = account_for(holder)
    if account is None:
        return Movement.objects.none()
    return (
        Movement.objects.filter(ledger.movements_of(account))
        .select_related("from_account", "to_account", "node")
        .order_by("-created_at", "-id")
    )


def signed_amount(movement: Movement, account: Account) -> int:
    """+amount when the movement credits ``account``, −amount when it debits it."""
    return movement.amount if movement.to_account_id == account.pk else -movement.amount


def earned_total(holder: Holder) -> int:
    account = account_for(holder)
    if account is None:
        return 0
    return int(
        Movement.objects.filter(to_account=account, kind=MovementKind.EARN).aggregate(s=Sum("amount"))["s"]
        or 0
    )


def expiring_soon(holder: Holder, *, within_days: int = 30) -> tuple[int, datetime | None]:
    """Points that expire in the next ``within_days`` days, and the first such date."""
    account = account_for(holder)
    if account is None:
        return 0, None
    until = timezone.now() + timedelta(days=within_days)
    lots = Lot.objects.filter(account=account, remaining__gt=0, expires_at__lte=until)
    agg = lots.aggregate(s=Sum("remaining"))
    first = lots.order_by("expires_at").values_list("expires_at", flat=True).first()
    return int(agg["s"] or 0), first


def _holder_filter(holder: Holder) -> QuerySet[Account]:
    if isinstance(holder, Resident):
        return Account.objects.filter(resident=holder)
    return Account.objects.filter(organisation=holder)


# ---------------------------------------------------------------------------------------------
# Leaderboards


PERIODS = {
    "week": gettext_lazy("本周"),
    "month": gettext_lazy("本月"),
    "quarter": gettext_lazy("本季度"),
    "year": gettext_lazy("本年"),
    "all": gettext_lazy("累计"),
}


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    """Start of the named period in local time (None for "all")."""
    local = timezone.localtime(now or timezone.now())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    if period == "quarter":
        return midnight.replace(month=(midnight.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return midnight.replace(month=1, day=1)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    account_id: int
    kind: str
    name: str
    points: int
    hours: Decimal

    @property
    def masked_name(self) -> str:
        """The name as shown to the public (张*明, 李*)."""
        if self.kind != AccountKind.PERSON or len(self.name) < 2:
            return self.name
        if len(self.name) == 2:
            return self.name[0] + "*"
        return self.name[0] + "*" * (len(self.name) - 2) + self.name[-1]


def leaderboard(
    node: Node,
    period: str | tuple[datetime, datetime] = "month",
    team: str | None = None,
    *,
    kind: str | None = None,
    limit: int = 20,
) -> list[LeaderRow]:
    """Holders ranked by points earned under ``node`` in ``period``, with their hours.

    ``period`` is "week", "month", "quarter", "year", "all" or a (start, end) pair; ``team``
    (the team code given to ``points_award``) restricts to that team's earnings; ``kind``
    (``AccountKind.PERSON`` / ``UNIT``) to persons or units. Only earnings count (spending
    does not lower a rank).

    ``hours`` is what the time bank (时间银行) holds for the holder under ``node`` in the
    period: the one truth of hours, the same as the holder's card and ``Account.hours``.
    Hours that only fed a rule (``points_award(bank_hours=False)``) are not counted; hours a
    0-point rule banked are. With ``team``, only hours banked by that team's earnings.
    """
    start, end = _period_bounds(period)
    qs = Movement.objects.filter(kind=MovementKind.EARN, node_path__startswith=node.path)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    if team:
        qs = qs.filter(team=team)
    if kind:
        qs = qs.filter(to_account__kind=kind)
    rows = list(
        qs.values("to_account_id").annotate(points=Sum("amount")).order_by("-points", "to_account_id")[:limit]
    )
    ids = [r["to_account_id"] for r in rows]
    hours = _banked_hours(ids, node, start, end, team)
    names = _account_names(ids)
    return [
        LeaderRow(
            rank=i + 1,
            account_id=r["to_account_id"],
            kind=names[r["to_account_id"]][0],
            name=names[r["to_account_id"]][1],
            points=int(r["points"] or 0),
            hours=hours.get(r["to_account_id"], Decimal(0)),
        )
        for i, r in enumerate(rows)
    ]


def _period_bounds(period: str | tuple[datetime, datetime]) -> tuple[datetime | None, datetime | None]:
    if isinstance(period, tuple):
        return period[0], period[1]
    return period_start(period), None


def _banked_hours(
    account_ids: list[int], node: Node, start: datetime | None, end: datetime | None, team: str | None
) -> dict[int, Decimal]:
    """Σ hours of the time bank per account, banked under ``node`` between ``start`` and ``end``
    (by ``team``'s earnings when given)."""
    qs = TimeBankEntry.objects.filter(account_id__in=account_ids, node__path__startswith=node.path)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    if team:
        qs = qs.filter(
            Exists(
                Movement.objects.filter(
                    source=OuterRef("source"), source_ref=OuterRef("source_ref"), team=team
                )
            )
        )
    return {
        r["account_id"]: Decimal(r["s"] or 0)
        for r in qs.values("account_id").annotate(s=Sum("hours")).order_by("account_id")
    }


def _account_names(ids: list[int]) -> dict[int, tuple[str, str]]:
    accounts = Account.objects.filter(pk__in=ids).select_related("resident", "organisation")
    return {a.pk: (a.kind, str(a)) for a in accounts}


# ---------------------------------------------------------------------------------------------
# Cut to the actor's scope (pages, API)


def accounts_visible(actor: Any) -> QuerySet[Account]:
    qs = Account.objects.filter(kind__in=HOLDER_KINDS).select_related("resident", "organisation", "node")
    return scope_filter(qs, actor, Capability.POINTS_MANAGE)


def account_get(actor: Any, pk: int) -> Account:
    found = accounts_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("积分账户不存在或您无权查看"))
    return found


def goods_visible(actor: Any) -> QuerySet[Goods]:
    return scope_filter(Goods.objects.select_related("donor", "node"), actor, Capability.POINTS_MANAGE)


def goods_get(actor: Any, pk: int) -> Goods:
    found = goods_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("商品不存在或您无权查看"))
    return found


def goods_for_resident(resident: Resident) -> QuerySet[Goods]:
    """The shop a resident sees: goods on sale in their community."""
    community = ledger.community_of(resident.node)
    return (
        Goods.objects.filter(node_path__startswith=community.path, is_active=True)
        .select_related("donor")
        .order_by("price", "id")
    )


def redemptions_visible(actor: Any) -> QuerySet[Redemption]:
    qs = Redemption.objects.select_related("goods", "account__resident", "account__organisation")
    return scope_filter(qs, actor, Capability.POINTS_MANAGE)


def redemptions_of(holder: Holder) -> QuerySet[Redemption]:
    account = account_for(holder)
    if account is None:
        return Redemption.objects.none()
    return Redemption.objects.filter(account=account).select_related("goods").order_by("-created_at", "-id")


def redeemed_quantities(holder: Holder) -> dict[int, int]:
    """Quantity per goods the holder holds or took (reserved or handed over): what counts
    against a per-person limit."""
    account = account_for(holder)
    if account is None:
        return {}
    rows = (
        Redemption.objects.filter(
            account=account, status__in=[RedemptionStatus.RESERVED, RedemptionStatus.HANDED_OVER]
        )
        .values("goods_id")
        .annotate(n=Sum("quantity"))
        .order_by("goods_id")
    )
    return {r["goods_id"]: int(r["n"] or 0) for r in rows}


def refund_renewal(redemption: Redemption) -> Lot | None:
    """The new lot a cancelled or expired redemption's refund opened for points whose own lot
    had expired (None: every point went back to a lot still valid)."""
    return Lot.objects.filter(
        movement__source=Source.REDEMPTION, movement__source_ref=f"{redemption.pk}:{redemption.status}"
    ).first()


def redemption_of_resident(resident: Resident, pk: int) -> Redemption:
    found = redemptions_of(resident).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("兑换记录不存在"))
    return found


def adjustments_visible(actor: Any) -> QuerySet[Adjustment]:
    qs = Adjustment.objects.select_related("account__resident", "account__organisation", "requested_by")
    scoped = scope_filter(qs, actor, Capability.POINTS_MANAGE)
    approvable = scope_filter(qs, actor, Capability.POINTS_APPROVE)
    return (scoped | approvable).distinct()


def adjustments_pending_for(actor: Any) -> QuerySet[Adjustment]:
    qs = Adjustment.objects.filter(status=AdjustmentStatus.PENDING)
    return scope_filter(qs, actor, Capability.POINTS_APPROVE)


def rules_visible(actor: Any) -> QuerySet[PointsRule]:
    return scope_filter(PointsRule.objects.filter(is_active=True), actor, Capability.POINTS_MANAGE)


def open_redemptions_count(actor: Any) -> int:
    return redemptions_visible(actor).filter(status=RedemptionStatus.RESERVED).count()


# ---------------------------------------------------------------------------------------------
# Checking the books


@dataclass(frozen=True)
class LedgerCheck:
    total: int  # Σ over all accounts of the derived balance: always 0
    accounts: int
    balance_mismatches: list[int]  # holder accounts whose kept balance ≠ the derived one
    lot_mismatches: list[int]  # holder accounts whose open lots ≠ the kept balance
    negative: list[int]  # holder accounts below zero

    @property
    def ok(self) -> bool:
        return self.total == 0 and not (self.balance_mismatches or self.lot_mismatches or self.negative)


def ledger_check(where: Q | None = None) -> LedgerCheck:
    """Recompute every account from the movements and compare with what is kept."""
    derived: dict[int, int] = {}
    for row in Movement.objects.values("to_account_id").annotate(s=Sum("amount")):
        derived[row["to_account_id"]] = derived.get(row["to_account_id"], 0) + int(row["s"])
    for row in Movement.objects.values("from_account_id").annotate(s=Sum("amount")):
        derived[row["from_account_id"]] = derived.get(row["from_account_id"], 0) - int(row["s"])
    lots = {
        r["account_id"]: int(r["s"] or 0)
        for r in Lot.objects.values("account_id").annotate(s=Sum("remaining"))
    }
    holders = Account.objects.filter(kind__in=HOLDER_KINDS)
    if where is not None:
        holders = holders.filter(where)
    mismatches, lot_bad, negative = [], [], []
    for pk, kept in holders.values_list("pk", "balance"):
        if derived.get(pk, 0) != kept:
            mismatches.append(pk)
        if lots.get(pk, 0) != kept:
            lot_bad.append(pk)
        if kept < 0:
            negative.append(pk)
    return LedgerCheck(
        total=sum(derived.values()),
        accounts=len(derived),
        balance_mismatches=mismatches,
        lot_mismatches=lot_bad,
        negative=negative,
    )
