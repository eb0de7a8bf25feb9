"""The posting engine under the services: accounts, one movement, lots. No permission checks here.

Every function runs inside the caller's transaction. Lock order, to stay free of deadlocks:
the holder's account row first (``lock_holder``), then goods or redemption rows; system
accounts are never locked or updated (their balances are derived).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.points.models import (
    HOLDER_KINDS,
    Account,
    AccountKind,
    Lot,
    LotUse,
    Movement,
    MovementKind,
)
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node, NodeKind

Holder = Resident | Organisation

# Movements that open a lot in the receiving holder's account.
OPENS_LOT = (MovementKind.EARN, MovementKind.ADJUST_IN)


def community_of(node: Node) -> Node:
    """The community a node lies in (the node itself when it is a community or above)."""
    if node.kind == NodeKind.COMMUNITY:
        return node
    found = Node.objects.filter(pk__in=node.ancestor_ids, kind=NodeKind.COMMUNITY).first()
    return found or node


def holder_label(holder: Holder) -> str:
    return holder.name


def check_holder(holder: Any, field: str = "holder") -> Holder:
    if not isinstance(holder, (Resident, Organisation)) or holder.pk is None:
        raise ValidationError(_("积分只能记给居民或单位"), field=field)
    return holder


def find_holder_account(holder: Holder) -> Account | None:
    """The holder's account, or None; it keeps ``holder`` as its resident or organisation, so
    labels (audit rows, pages) need no second read."""
    if isinstance(holder, Resident):
        found = Account.objects.filter(resident=holder).first()
        if found is not None:
            found.resident = holder
        return found
    found = Account.objects.filter(organisation=holder).first()
    if found is not None:
        found.organisation = holder
    return found


def holder_account(holder: Holder) -> Account:
    """The holder's account, opened on first use (safe when two transactions race to open it)."""
    found = find_holder_account(holder)
    if found is not None:
        return found
    if isinstance(holder, Resident):
        fields: dict[str, Any] = {"kind": AccountKind.PERSON, "resident": holder}
    else:
        fields = {"kind": AccountKind.UNIT, "organisation": holder}
    try:
        with transaction.atomic():
            return Account.objects.create(node_id=holder.node_id, node_path=holder.node_path, **fields)
    except IntegrityError:
        again = find_holder_account(holder)
        if again is None:
            raise
        return again


def holder_accounts(holders: list[Holder]) -> dict[tuple[str, int], Account]:
    """The accounts of many holders, keyed by ``holder_key``; missing ones opened in one insert.

    Opening ignores conflicts (another transaction opening the same account), then reads all.
    """
    keys = {holder_key(h): h for h in holders}
    residents = [pk for kind, pk in keys if kind == "r"]
    units = [pk for kind, pk in keys if kind == "o"]

    def read() -> dict[tuple[str, int], Account]:
        found: dict[tuple[str, int], Account] = {}
        if residents:
            found |= {
                ("r", int(a.resident_id or 0)): a for a in Account.objects.filter(resident_id__in=residents)
            }
        if units:
            found |= {
                ("o", int(a.organisation_id or 0)): a
                for a in Account.objects.filter(organisation_id__in=units)
            }
        return found

    found = read()
    missing = [keys[k] for k in sorted(keys) if k not in found]
    if missing:
        Account.objects.bulk_create(
            [
                Account(
                    kind=AccountKind.PERSON if isinstance(h, Resident) else AccountKind.UNIT,
                    resident=h if isinstance(h, Resident) else None,
                    organisation=h if isinstance(h, Organisation) else None,
                    node_id=h.node_id,
                    node_path=h.node_path,
                )
                for h in missing
            ],
            ignore_conflicts=True,
        )
        found = read()
    return found


def holder_key(holder: Holder) -> tuple[str, int]:
    return ("r" if isinstance(holder, Resident) else "o", int(holder.pk))


@dataclass(frozen=True)
class Credit:
    """One line of ``credit_many``."""

    account: Account
    amount: int
    source_ref: str
    team: str = ""
    note: str = ""


def credit_many(
    *,
    issuance: Account,
    credits: list[Credit],
    source: str,
    node: Node,
    actor: Any,
    at: datetime,
    expires_at: datetime | None,
) -> list[Movement]:
    """Earnings of many holders (inside the caller's transaction); returns the new movements.

    A line whose (source, source_ref) already has a movement is skipped, also when another
    transaction writes it at the same moment (it waits for that one and then skips). The
    holders' rows are locked in id order first, so concurrent writers never wait on each
    other in a cycle. On PostgreSQL the movements, their lots and the balances are
    then one statement; elsewhere three.
    """
    if not credits:
        return []
    # In one order (accounts by id, then refs) so that concurrent writers never wait on
    # each other in a cycle.
    credits = sorted(credits, key=lambda c: c.source_ref)
    ids = sorted({c.account.pk for c in credits})
    # Lock the holders first, always (even one): a writer of the same (source, source_ref)
    # then waits here rather than on the unique index while holding an account row.
    locked = Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    list(locked.values_list("pk", flat=True))
    user = _user(actor)
    if connection.vendor == "postgresql":
        return _credit_many_postgresql(issuance, credits, source, node, user, at, expires_at)
    done = set(
        Movement.objects.filter(source=source, source_ref__in=[c.source_ref for c in credits]).values_list(
            "source_ref", flat=True
        )
    )
    credits = [c for c in credits if c.source_ref not in done]
    if not credits:
        return []
    movements = Movement.objects.bulk_create([_earning(c, issuance, source, node, user, at) for c in credits])
    Lot.objects.bulk_create(
        [
            Lot(
                account=m.to_account,
                movement=m,
                amount=m.amount,
                remaining=m.amount,
                earned_at=at,
                expires_at=expires_at,
            )
            for m in movements
        ]
    )
    totals: dict[int, int] = {}
    for c in credits:
        totals[c.account.pk] = totals.get(c.account.pk, 0) + c.amount
    add_to_balances(totals)
    return movements


def _credit_many_postgresql(
    issuance: Account,
    credits: list[Credit],
    source: str,
    node: Node,
    user: Any,
    at: datetime,
    expires_at: datetime | None,
) -> list[Movement]:
    """``credit_many`` in one statement: insert the movements (skipping refs already taken),
    a lot for each one inserted, and add what was inserted to the balances."""
    movement, lot, account = Movement._meta.db_table, Lot._meta.db_table, Account._meta.db_table
    # Only table names are interpolated below.
    sql = (
        "WITH v AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[]) "  # noqa: S608
        "  AS v(account, amount, ref, team, note)), "
        f"m AS (INSERT INTO {movement} (kind, from_account_id, to_account_id, amount, source, source_ref, "
        "  node_id, node_path, team, activity_type, hours, detail, note, actor_id, created_at) "
        "  SELECT %s, %s, v.account, v.amount, %s, v.ref, %s, %s, v.team, '', 0, '{}'::jsonb, v.note, %s, %s "
        "  FROM v ON CONFLICT (source, source_ref) DO NOTHING "
        "  RETURNING id, to_account_id, amount, source_ref), "
        f"l AS (INSERT INTO {lot} (account_id, movement_id, amount, remaining, earned_at, expires_at) "
        "  SELECT m.to_account_id, m.id, m.amount, m.amount, %s, %s FROM m), "
        f"b AS (UPDATE {account} SET balance = {account}.balance + t.total "
        "  FROM (SELECT to_account_id, SUM(amount) AS total FROM m GROUP BY to_account_id) t "
        f"  WHERE {account}.id = t.to_account_id) "
        "SELECT id, source_ref FROM m"
    )
    params = [
        [c.account.pk for c in credits],
        [c.amount for c in credits],
        [c.source_ref for c in credits],
        [c.team[:64] for c in credits],
        [c.note[:255] for c in credits],
        MovementKind.EARN,
        issuance.pk,
        source,
        node.pk,
        node.path,
        user.pk if user is not None else None,
        at,
        at,
        expires_at,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        made = dict((ref, pk) for pk, ref in cursor.fetchall())
    return [
        _earning(c, issuance, source, node, user, at, pk=made[c.source_ref])
        for c in credits
        if c.source_ref in made
    ]


def _earning(
    c: Credit, issuance: Account, source: str, node: Node, user: Any, at: datetime, pk: int | None = None
) -> Movement:
    """An earning as an object: unsaved without ``pk``, else the row just written with it."""
    movement = Movement(
        pk=pk,
        kind=MovementKind.EARN,
        from_account=issuance,
        to_account=c.account,
        amount=c.amount,
        source=source,
        source_ref=c.source_ref,
        node=node,
        node_path=node.path,
        team=c.team[:64],
        note=c.note[:255],
        actor=user,
        created_at=at,
    )
    if pk is not None:
        movement._state.adding, movement._state.db = False, connection.alias
    return movement


def add_to_balances(totals: dict[int, int]) -> None:
    """balance += amount for many accounts in one statement (PostgreSQL and SQLite)."""
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(totals))
    params = [value for pair in sorted(totals.items()) for value in pair]
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(id, amount) AS (VALUES {rows}) "  # noqa: S608 - only placeholders are interpolated
            f"UPDATE {table} SET balance = balance + (SELECT v.amount FROM v WHERE v.id = {table}.id) "
            f"WHERE id IN (SELECT v.id FROM v)",
            params,
        )


def system_account(kind: str, node: Node) -> Account:
    """The system account of ``kind`` for the community of ``node`` (opened on first use)."""
    found = (
        Account.objects.filter(kind=kind, node_id__in=node.path_ids)
        .filter(Q(node__kind=NodeKind.COMMUNITY) | Q(node_id=node.pk))
        .order_by("-node_path")
        .first()
    )
    if found is not None:
        return found
    community = community_of(node)
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, node=community, node_path=community.path)
    except IntegrityError:
        return Account.objects.get(kind=kind, node=community)


def lock_holder(account: Account) -> Account:
    """Lock the holder's account row for the rest of the transaction and return it fresh."""
    return Account.objects.select_for_update().get(pk=account.pk)


@dataclass(frozen=True)
class Posting:
    kind: str
    from_account: Account
    to_account: Account
    amount: int
    source: str
    source_ref: str
    node: Node
    actor: Any = None
    at: datetime | None = None
    expires_at: datetime | None = None
    team: str = ""
    activity_type: str = ""
    hours: Any = 0
    detail: dict[str, Any] | None = None
    note: str = ""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def post(p: Posting) -> Movement:
    """Write one movement and carry it into holder balances and lots.

    A holder paying out must already be locked (``lock_holder``) by the caller, which has also
    checked the balance; the conditional update below is the last guard (and the CHECK).
    """
    if p.amount <= 0:
        raise ValidationError(_("积分必须为正整数"), field="amount")
    movement = Movement.objects.create(
        kind=p.kind,
        from_account=p.from_account,
        to_account=p.to_account,
        amount=p.amount,
        source=p.source,
        source_ref=p.source_ref,
        node=p.node,
        node_path=p.node.path,
        team=p.team,
        activity_type=p.activity_type,
        hours=p.hours,
        detail=p.detail or {},
        note=p.note[:255],
        actor=_user(p.actor),
        created_at=p.at or timezone.now(),
    )
    if p.from_account.kind in HOLDER_KINDS:
        _debit(p.from_account, movement)
    if p.to_account.kind in HOLDER_KINDS:
        _credit(p.to_account, movement, expires_at=p.expires_at)
    return movement


def _debit(account: Account, movement: Movement) -> None:
    changed = Account.objects.filter(pk=account.pk, balance__gte=movement.amount).update(
        balance=F("balance") - movement.amount
    )
    if not changed:
        raise Conflict(_("积分不足"), code="insufficient_points")
    consume_lots(account, movement)


def _credit(account: Account, movement: Movement, *, expires_at: datetime | None) -> None:
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + movement.amount)
    if movement.kind in OPENS_LOT:
        Lot.objects.create(
            account=account,
            movement=movement,
            amount=movement.amount,
            remaining=movement.amount,
            earned_at=movement.created_at,
            expires_at=expires_at,
        )


def consume_lots(account: Account, movement: Movement) -> None:
    """Take ``movement.amount`` from the account's lots, oldest first."""
    left = movement.amount
    lots = (
        Lot.objects.select_for_update().filter(account=account, remaining__gt=0).order_by("earned_at", "id")
    )
    uses: list[LotUse] = []
    for lot in lots:
        take = min(left, lot.remaining)
        Lot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        uses.append(LotUse(lot=lot, movement=movement, amount=take))
        left -= take
        if left == 0:
            break
    if left:
        raise Conflict(_("积分批次与余额不一致，请联系管理员核对账目"), code="lots_mismatch")
    LotUse.objects.bulk_create(uses)


def take_lots(account: Account, movement: Movement, lots: list[Lot]) -> None:
    """Take what is left of these (locked) lots, e.g. on expiry; the amounts sum to the movement's."""
    changed = Account.objects.filter(pk=account.pk, balance__gte=movement.amount).update(
        balance=F("balance") - movement.amount
    )
    if not changed:
        raise Conflict(_("积分批次与余额不一致，请联系管理员核对账目"), code="lots_mismatch")
    Lot.objects.filter(pk__in=[lot.pk for lot in lots]).update(remaining=0)
    LotUse.objects.bulk_create([LotUse(lot=lot, movement=movement, amount=lot.remaining) for lot in lots])


REFUND_RENEW_DAYS = 7  # a lot expired or expiring within this many days is not refilled


def return_to_lots(original: Movement, movement: Movement, *, expires_at: datetime | None = None) -> int:
    """Give the points an ``original`` movement took back to the very lots they came from;
    the points of a lot that has expired meanwhile, or expires within ``REFUND_RENEW_DAYS``,
    come back as a new lot of ``movement`` expiring at ``expires_at`` (the scheme's validity
    from now; None: never), not into a lot the next expiry run would empty. The points
    that came back as a new lot."""
    renew_before = movement.created_at + timedelta(days=REFUND_RENEW_DAYS)
    renewed = 0
    for use in LotUse.objects.filter(movement=original).select_related("lot").order_by("id"):
        if use.lot.expires_at is not None and use.lot.expires_at <= renew_before:
            renewed += use.amount
            continue
        Lot.objects.filter(pk=use.lot_id).update(remaining=F("remaining") + use.amount)
        LotUse.objects.create(lot_id=use.lot_id, movement=movement, amount=-use.amount)
    if renewed:
        Lot.objects.create(
            account=movement.to_account,
            movement=movement,
            amount=renewed,
            remaining=renewed,
            earned_at=movement.created_at,
            expires_at=expires_at,
        )
    return renewed


def refund(original: Movement, p: Posting) -> Movement:
    """Move points back to the holder an ``original`` movement took them from (same lots;
    points of a lot expired or about to, as a new lot expiring at ``p.expires_at``)."""
    movement = Movement.objects.create(
        kind=p.kind,
        from_account=p.from_account,
        to_account=p.to_account,
        amount=p.amount,
        source=p.source,
        source_ref=p.source_ref,
        node=p.node,
        node_path=p.node.path,
        note=p.note[:255],
        actor=_user(p.actor),
        created_at=p.at or timezone.now(),
    )
    Account.objects.filter(pk=p.to_account.pk).update(balance=F("balance") + p.amount)
    return_to_lots(original, movement, expires_at=p.expires_at)
    return movement


def derived_balance(account: Account) -> int:
    """Σ in − Σ out, from the movements alone."""
    from django.db.models import Sum

    into = Movement.objects.filter(to_account=account).aggregate(s=Sum("amount"))["s"] or 0
    out = Movement.objects.filter(from_account=account).aggregate(s=Sum("amount"))["s"] or 0
    return int(into) - int(out)


def movements_of(account: Account) -> Q:
    return Q(from_account=account) | Q(to_account=account)
