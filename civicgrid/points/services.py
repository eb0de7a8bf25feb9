"""Writes of points: earning (by rule or a direct amount), adjustments, expiry, the shop.

Public API used by other apps (keep stable):

* ``points_award(*, actor, holder, activity_type, hours, difficulty, source, source_ref, node, ...)``
  credits points computed by the rules (and banks the hours), idempotent by (source, source_ref).
* ``points_earn(*, actor, holder, amount, source, source_ref, node, ...)`` credits a direct amount.
* ``points_earn_many(...)`` credits many holders in one transaction (an activity's roll).
* ``points_adjust`` → ``adjustment_approve`` / ``adjustment_reject``: corrections with a reason,
  posted only when a leader (POINTS_APPROVE) approves.
* ``points_expire_due(now)``: expires lots past their date, oldest first.
* The shop (``civicgrid.points.shop``, re-exported here): ``goods_create``, ``goods_update``,
  ``goods_restock``, ``points_redeem``, ``redemption_hand_over``, ``redemption_cancel``,
  ``redemptions_expire_due``.
* Configuration (``civicgrid.points.configure``, re-exported here): ``rule_save``, ``policy_set``.

``holder`` is a ``registry.Resident`` (a person) or a ``registry.Organisation`` (a unit).
``actor`` is the signed-in user, or ``None`` for the system: another app's service that has
authorised its own action (a resident confirming a service order) passes ``actor=None``.
Errors are ``civicgrid.core.errors`` exceptions with Chinese messages.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.points import ledger, rules
from civicgrid.points.checks import (
    check_amount,
    check_difficulty,
    check_direct_credit,
    check_hours,
    check_node,
    check_ref,
    check_text,
    now_or,
)
from civicgrid.points.configure import policy_set, rule_save
from civicgrid.points.constants import Source, Verb
from civicgrid.points.ledger import Holder, Posting
from civicgrid.points.models import (
    Account,
    AccountKind,
    ActivityType,
    Adjustment,
    AdjustmentStatus,
    Lot,
    Movement,
    MovementKind,
    TimeBankEntry,
)
from civicgrid.points.permissions import require_approve, require_award, require_manage
from civicgrid.points.shop import (
    goods_create,
    goods_restock,
    goods_update,
    points_redeem,
    redemption_cancel,
    redemption_hand_over,
    redemptions_expire_due,
)
from civicgrid.territory.models import Node

__all__ = [
    "EarnEntry",
    "adjustment_approve",
    "adjustment_reject",
    "goods_create",
    "goods_restock",
    "goods_update",
    "points_adjust",
    "points_award",
    "points_earn",
    "points_earn_many",
    "points_expire_due",
    "points_redeem",
    "policy_set",
    "redemption_cancel",
    "redemption_hand_over",
    "redemptions_expire_due",
    "rule_save",
]

# ---------------------------------------------------------------------------------------------
# Earning


def _existing(source: str, source_ref: str, holder: Holder | None = None) -> Movement | None:
    """The movement already made for this cause; refused when it credited someone else."""
    found = Movement.objects.select_related("to_account").filter(source=source, source_ref=source_ref).first()
    if found is not None and holder is not None:
        key = ledger.holder_key(holder)
        account = found.to_account
        if (key[0] == "r" and account.resident_id != key[1]) or (
            key[0] == "o" and account.organisation_id != key[1]
        ):
            raise Conflict(gettext("该来源编号已用于其他人的积分，请勿重复使用"), code="source_ref_taken")
    return found


def _bank_hours(
    account: Account, hours: Decimal, source: str, source_ref: str, node: Node, at: datetime
) -> bool:
    """Bank hours once per (source, source_ref); False when they were already banked."""
    if hours <= 0 or TimeBankEntry.objects.filter(source=source, source_ref=source_ref).exists():
        return False
    TimeBankEntry.objects.create(
        account=account, hours=hours, source=source, source_ref=source_ref, node=node, created_at=at
    )
    Account.objects.filter(pk=account.pk).update(hours=F("hours") + hours)
    return True


def _credit(
    *,
    actor: Any,
    account: Account,
    amount: int,
    source: str,
    source_ref: str,
    node: Node,
    at: datetime,
    note: str,
    team: str,
    activity_type: str = "",
    hours: Decimal = Decimal(0),
    detail: dict[str, Any] | None = None,
) -> Movement:
    movement = ledger.post(
        Posting(
            kind=MovementKind.EARN,
            from_account=ledger.system_account(AccountKind.ISSUANCE, node),
            to_account=account,
            amount=amount,
            source=source,
            source_ref=source_ref,
            node=node,
            actor=actor,
            at=at,
            expires_at=rules.expiry_for(node, at),
            team=team,
            activity_type=activity_type,
            hours=hours,
            detail=detail,
            note=note,
        )
    )
    _audit_earned(actor, account, node, movement)
    return movement


def _audit_earned(actor: Any, account: Account, node: Node, movement: Movement) -> None:
    audit_write(
        actor=actor,
        verb=Verb.EARNED,
        target=account,
        node=node,
        after={
            "amount": movement.amount,
            "source": movement.source,
            "source_ref": movement.source_ref,
            "movement": movement.pk,
        },
    )


def _idempotent(source: str, source_ref: str, holder: Holder, write: Any) -> Any:
    """Run ``write()`` in a savepoint; a duplicate (source, source_ref) returns the first movement
    (or None when the first call banked hours and credited no points)."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        existing = _existing(source, source_ref, holder)
        if existing is not None:
            return existing
        if TimeBankEntry.objects.filter(source=source, source_ref=source_ref).exists():
            return None
        raise


NOTE_MAX = 255  # Movement.note, Adjustment.reason and decision_note, Redemption.close_note
TEAM_MAX = 64  # Movement.team


def _note_and_team(note: Any, team: Any) -> tuple[str, str]:
    """A movement's 说明 and 服务队 as typed, or a refusal naming the field and its limit."""
    return (
        check_text(note, field="note", label=gettext("说明"), limit=NOTE_MAX),
        check_text(team, field="team", label=gettext("服务队"), limit=TEAM_MAX),
    )


def _type_label(activity_type: str) -> str:
    return str(ActivityType(activity_type).label) if activity_type in ActivityType.values else ""


def points_award(
    *,
    actor: Any,
    holder: Holder,
    activity_type: str,
    hours: Decimal,
    difficulty: int,
    source: str,
    source_ref: str,
    node: Node,
    note: str = "",
    team: str = "",
    at: datetime | None = None,
    bank_hours: bool = True,
    rule_type: str = "",
) -> Movement | None:
    """Credit ``holder`` the points the rules give for a service, and bank its hours.

    points = round_half_up((base + per_hour × hours) × (1 + (difficulty − 1) × step)), capped; see
    ``civicgrid.points.rules``. ``node`` is where the service took place (its rule, its
    community's issuance account, its leaderboard); ``team`` (optional, the volunteer team's
    name, e.g. 红色互助志愿服务队) feeds team leaderboards; ``at`` defaults to now (pass the
    check-out time). Idempotent by (source, source_ref): a repeated call returns the movement
    of the first one and credits nothing. Returns None when the rules give 0 points (the hours
    are still banked). With ``bank_hours=False`` the hours only feed the rule: nothing is
    banked and the movement carries 0 hours, since ``Movement.hours`` means hours banked.
    ``rule_type`` names a kind of rule tried before the activity type's (a service order
    passes ``service_order``: the 点单服务 rule of the place, then its service type's rule).
    """
    hours_value = check_hours(hours)
    level = check_difficulty(difficulty)
    check_type = str(activity_type or "").strip()
    if len(check_type) > 32:
        raise ValidationError(gettext("服务类型过长"), field="activity_type")
    note, team = _note_and_team(note, team)
    holder = ledger.check_holder(holder)
    node = check_node(node)
    source, source_ref = check_ref(source, source_ref)
    require_award(actor, node.path)
    existing = _existing(source, source_ref, holder)
    if existing is not None:
        return existing
    prefer = str(rule_type or "").strip()
    if len(prefer) > 32:
        raise ValidationError(gettext("服务类型过长"), field="rule_type")
    terms = rules.rule_for(node, check_type, prefer=prefer)
    points = terms.points_for(hours_value, level)
    when = now_or(at)

    def write() -> Movement | None:
        with transaction.atomic():
            account = ledger.holder_account(holder)
            banked = bank_hours and _bank_hours(account, hours_value, source, source_ref, node, when)
            if points <= 0:
                if banked:
                    audit_write(
                        actor=actor,
                        verb=Verb.HOURS_BANKED,
                        target=account,
                        node=node,
                        after={"hours": str(hours_value), "source": source, "source_ref": source_ref},
                    )
                return None
            return _credit(
                actor=actor,
                account=account,
                amount=points,
                source=source,
                source_ref=source_ref,
                node=node,
                at=when,
                note=note or _type_label(check_type),
                team=team,
                activity_type=check_type,
                # Hours on a movement are the hours this earning banked: none when the caller
                # banks none (the leaderboard and the movement rows read the time bank's truth).
                hours=hours_value if banked else Decimal(0),
                detail=terms.explain(hours_value, level),
            )

    result: Movement | None = _idempotent(source, source_ref, holder, write)
    return result


def points_earn(
    *,
    actor: Any,
    holder: Holder,
    amount: int,
    source: str,
    source_ref: str,
    node: Node,
    note: str = "",
    team: str = "",
    at: datetime | None = None,
) -> Movement:
    """Credit ``holder`` a direct ``amount`` (> 0). Idempotent by (source, source_ref): a
    repeated call returns the first movement (refused when it credited someone else). A hand
    credit (``Source.MANUAL``) above ``CIVICGRID_POINTS_DIRECT_CREDIT_MAX`` is refused
    (``direct_credit_cap``): that much goes through ``points_adjust`` and a leader."""
    value = check_amount(amount)
    if source == Source.MANUAL:
        check_direct_credit(value)
    note, team = _note_and_team(note, team)
    holder = ledger.check_holder(holder)
    node = check_node(node)
    source, source_ref = check_ref(source, source_ref)
    require_award(actor, node.path)
    when = now_or(at)
    with transaction.atomic():
        account = ledger.holder_account(holder)
        made = ledger.credit_many(
            issuance=ledger.system_account(AccountKind.ISSUANCE, node),
            credits=[ledger.Credit(account, value, source_ref, team, note)],
            source=source,
            node=node,
            actor=actor,
            at=when,
            expires_at=rules.expiry_for(node, when),
        )
        if made:
            _audit_earned(actor, account, node, made[0])
            return made[0]
        # Already credited: the first movement, or a Conflict that also undoes opening the
        # account above.
        existing = _existing(source, source_ref, holder)
        if existing is None:  # pragma: no cover - the insert skipped a ref nobody holds
            raise Conflict(gettext("积分记账冲突，请重试"), code="retry")
    return existing


@dataclass(frozen=True)
class EarnEntry:
    """One line of ``points_earn_many``."""

    holder: Holder
    amount: int
    source_ref: str
    note: str = ""
    team: str = ""


def points_earn_many(
    *, actor: Any, entries: Sequence[EarnEntry], source: str, node: Node, at: datetime | None = None
) -> list[Movement]:
    """Credit many holders in one transaction (an activity's roll, an import).

    All or nothing; lines whose (source, source_ref) was already credited are skipped, also
    when another transaction credits them at the same moment. Returns the new movements. One
    audit row.
    """
    node = check_node(node)
    require_award(actor, node.path)
    lines = []
    for i, e in enumerate(entries):
        try:
            holder, amount = ledger.check_holder(e.holder), check_amount(e.amount)
            if source == Source.MANUAL:
                check_direct_credit(amount)
            note, team = _note_and_team(e.note, e.team)
            typed = EarnEntry(holder, amount, e.source_ref, note, team)
            lines.append((holder, amount, check_ref(source, e.source_ref), typed))
        except ValidationError as error:  # name the line: "lines[3].amount"
            raise ValidationError(
                errors={f"lines[{i}].{name}": reasons for name, reasons in error.errors.items()}
            ) from None
    seen: dict[str, int] = {}
    for i, (_, _, (_, ref), _) in enumerate(lines):
        if ref in seen:
            raise ValidationError(
                gettext("与第{line}行的来源编号重复").format(line=seen[ref] + 1),
                field=f"lines[{i}].source_ref",
            )
        seen[ref] = i
    when = now_or(at)
    with transaction.atomic():
        accounts = ledger.holder_accounts([holder for holder, *_ in lines])
        credits = [
            ledger.Credit(accounts[ledger.holder_key(h)], amount, ref, e.team, e.note)
            for h, amount, (_, ref), e in lines
        ]
        created = ledger.credit_many(
            issuance=ledger.system_account(AccountKind.ISSUANCE, node),
            credits=credits,
            source=source,
            node=node,
            actor=actor,
            at=when,
            expires_at=rules.expiry_for(node, when),
        )
        if len(created) < len(credits):
            _refuse_refs_of_others(source, credits, {m.source_ref for m in created}, seen)
        audit_write(
            actor=actor,
            verb=Verb.EARNED_BATCH,
            target_type="points.movement",
            target_id=source[:64],
            target_label=f"{source} × {len(created)}",
            node=node,
            after={
                "count": len(created),
                "total": sum(m.amount for m in created),
                "skipped": len(credits) - len(created),
            },
        )
    return created


def _refuse_refs_of_others(
    source: str, credits: list[ledger.Credit], made: set[str], line_of: dict[str, int]
) -> None:
    """A skipped line whose earlier movement credited another account is an error (the
    caller's transaction then rolls back, as for a single ``points_earn``)."""
    skipped = {c.source_ref: c.account.pk for c in credits if c.source_ref not in made}
    earlier = Movement.objects.filter(source=source, source_ref__in=list(skipped)).values_list(
        "source_ref", "to_account_id"
    )
    for ref, account_id in earlier:
        if account_id != skipped[ref]:
            raise Conflict(
                gettext("第{line}行：该来源编号已用于其他人的积分，请勿重复使用").format(
                    line=line_of[ref] + 1
                ),
                code="source_ref_taken",
            )


# ---------------------------------------------------------------------------------------------
# Adjustments (调整): request, then a leader approves


def points_adjust(
    *,
    actor: Any,
    holder: Holder,
    amount: int,
    reason: str,
    node: Node | None = None,
    request_key: str = "",
) -> Adjustment:
    """Ask to correct a holder's points by ``amount`` (±) for ``reason``; needs approval to post.

    ``request_key`` (the API's Idempotency-Key) makes a repeat harmless: the same requester
    sending the same key gets the first adjustment back and nothing is written, also when both
    arrive at once; the key with another holder, amount or reason is refused (409
    ``idempotency_key_reused``)."""
    value = check_amount(amount, allow_negative=True)
    holder = ledger.check_holder(holder)
    reason = check_text(reason, field="reason", label=gettext("理由"), limit=NOTE_MAX)
    if len(reason) < 2:
        raise ValidationError(gettext("请填写调整理由"), field="reason")
    key = str(request_key or "").strip()
    if len(key) > 96:
        raise ValidationError(gettext("幂等键最多96个字符"), field="Idempotency-Key")
    where = node or holder.node
    require_manage(actor, where.path)
    if key:
        earlier = _keyed_adjustment(actor, key, holder, value, reason)
        if earlier is not None:
            return earlier
        try:
            with transaction.atomic():
                return _adjust(actor, holder, value, reason, where, key)
        except IntegrityError:  # the same key written at the same moment: theirs stands
            earlier = _keyed_adjustment(actor, key, holder, value, reason)
            if earlier is None:
                raise
            return earlier
    return _adjust(actor, holder, value, reason, where, key)


def _keyed_adjustment(actor: Any, key: str, holder: Holder, value: int, reason: str) -> Adjustment | None:
    """The adjustment ``actor`` already asked for with ``key``; refused when it asked for another."""
    found = Adjustment.objects.select_related("account").filter(requested_by=actor, request_key=key).first()
    if found is None:
        return None
    account, (letter, pk) = found.account, ledger.holder_key(holder)
    same_holder = account.resident_id == pk if letter == "r" else account.organisation_id == pk
    if not same_holder or found.amount != value or found.reason != reason:
        raise Conflict(
            gettext("该幂等键已用于另一笔调整申请，请换一个"),
            code="idempotency_key_reused",
            detail={"adjustment": found.pk},
        )
    return found


def _adjust(actor: Any, holder: Holder, value: int, reason: str, where: Node, key: str) -> Adjustment:
    with transaction.atomic():
        account = ledger.holder_account(holder)
        if value < 0 and account.balance < -value:
            raise ValidationError(
                gettext("调减积分超过当前余额（{balance}）").format(balance=account.balance), field="amount"
            )
        adjustment = Adjustment.objects.create(
            node=where,
            node_path=where.path,
            account=account,
            amount=value,
            reason=reason,
            requested_by=actor,
            requested_at=timezone.now(),
            request_key=key,
        )
        audit_write(
            actor=actor,
            verb=Verb.ADJUSTMENT_REQUESTED,
            target=adjustment,
            node=where,
            after={"amount": value, "reason": adjustment.reason, "account": account.pk},
        )
    return adjustment


def _check_decider(actor: Any, adjustment: Adjustment) -> None:
    require_approve(actor, adjustment.node_path)
    if adjustment.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(gettext("不能审批自己提出的调整"))


def _decision_note(note: Any) -> str:
    return check_text(note, field="note", label=gettext("审批意见"), limit=NOTE_MAX)


def _decide(actor: Any, adjustment: Adjustment, status: str, note: str) -> Adjustment:
    _check_decider(actor, adjustment)
    changed = Adjustment.objects.filter(pk=adjustment.pk, status=AdjustmentStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note
    )
    if not changed:
        raise Conflict(gettext("该调整已审批过"))
    adjustment.refresh_from_db()
    return adjustment


def adjustment_approve(*, actor: Any, adjustment: Adjustment, note: str = "") -> Adjustment:
    """Approve and post the adjustment (once). A decrease beyond the balance is refused."""
    note = _decision_note(note)
    _check_decider(actor, adjustment)
    with transaction.atomic():
        account = ledger.lock_holder(adjustment.account)
        decided = _decide(actor, adjustment, AdjustmentStatus.APPROVED, note)
        if decided.amount < 0 and account.balance < -decided.amount:
            raise Conflict(
                gettext("调减积分超过当前余额（{balance}），无法批准").format(balance=account.balance)
            )
        system = ledger.system_account(AccountKind.ADJUSTMENT, decided.node)
        incoming = decided.amount > 0
        movement = ledger.post(
            Posting(
                kind=MovementKind.ADJUST_IN if incoming else MovementKind.ADJUST_OUT,
                from_account=system if incoming else account,
                to_account=account if incoming else system,
                amount=abs(decided.amount),
                source=Source.ADJUSTMENT,
                source_ref=str(decided.pk),
                node=decided.node,
                actor=actor,
                at=timezone.now(),
                expires_at=rules.expiry_for(decided.node, timezone.now()) if incoming else None,
                note=decided.reason,
                detail={"adjustment": decided.pk, "requested_by": decided.requested_by_id},
            )
        )
        Adjustment.objects.filter(pk=decided.pk).update(movement=movement)
        decided.movement = movement
        audit_write(
            actor=actor,
            verb=Verb.ADJUSTMENT_APPROVED,
            target=decided,
            node=decided.node,
            before={"status": AdjustmentStatus.PENDING},
            after={"status": decided.status, "movement": movement.pk, "amount": decided.amount},
        )
    return decided


def adjustment_reject(*, actor: Any, adjustment: Adjustment, note: str) -> Adjustment:
    note = _decision_note(note)
    if not note:
        raise ValidationError(gettext("请填写驳回理由"), field="note")
    with transaction.atomic():
        decided = _decide(actor, adjustment, AdjustmentStatus.REJECTED, note)
        audit_write(
            actor=actor,
            verb=Verb.ADJUSTMENT_REJECTED,
            target=decided,
            node=decided.node,
            before={"status": AdjustmentStatus.PENDING},
            after={"status": decided.status, "note": note},
        )
    return decided


# ---------------------------------------------------------------------------------------------
# Expiry (过期): by lots, oldest first


def points_expire_due(now: datetime | None = None, *, limit: int = 10_000) -> int:
    """Expire every lot whose date has passed (up to ``limit`` lots); returns the points expired.

    One movement per account and run (holder → the community's expiry account), one
    transaction per account, so a long run never holds many locks.
    """
    now = now or timezone.now()
    account_ids = list(
        Lot.objects.filter(remaining__gt=0, expires_at__lte=now)
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .distinct()[:limit]
    )
    return sum(_expire_account(account_id, now) for account_id in account_ids)


def _expire_account(account_id: int, now: datetime) -> int:
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account_id)
        lots = list(
            Lot.objects.select_for_update()
            .filter(account=account, remaining__gt=0, expires_at__lte=now)
            .order_by("earned_at", "id")
        )
        total = sum(lot.remaining for lot in lots)
        if not total:
            return 0
        movement = Movement.objects.create(
            kind=MovementKind.EXPIRE,
            from_account=account,
            to_account=ledger.system_account(AccountKind.EXPIRY, account.node),
            amount=total,
            source=Source.EXPIRY,
            source_ref=f"{account.pk}:{now.isoformat()}:{lots[0].pk}",
            node=account.node,
            node_path=account.node_path,
            detail={"lots": [lot.pk for lot in lots]},
            note=gettext("{count}批积分到期").format(count=len(lots)),
            created_at=now,
        )
        ledger.take_lots(account, movement, lots)
        audit_write(
            actor=None,
            verb=Verb.EXPIRED,
            target=account,
            node=account.node,
            after={"amount": total, "lots": len(lots), "movement": movement.pk},
        )
    return total
