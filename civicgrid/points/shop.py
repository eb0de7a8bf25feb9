"""The points shop (积分超市): goods donated by partner units, redemptions with a pickup code.

A redemption reserves the stock (a conditional ``F()`` update, never below zero) and the
points (holder → the community's reserve account, taken from the holder's lots oldest
first) in one transaction, and issues a pickup code. The shopkeeper's hand-over moves the
points on to the shop account (once: the status changes only from "reserved"); cancellation
or an expired code returns both, the points to the very lots they came from.
"""

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.inputs import INT_MAX
from civicgrid.core.validators import Errors, fold, whole_value
from civicgrid.points import ledger, rules
from civicgrid.points.checks import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MAX_STOCK,
    check_node,
    check_text,
    user_or_none,
    whole,
)
from civicgrid.points.constants import Source, Verb
from civicgrid.points.ledger import Holder, Posting
from civicgrid.points.models import (
    Account,
    AccountKind,
    Goods,
    Lot,
    Movement,
    MovementKind,
    Redemption,
    RedemptionEvent,
    RedemptionStatus,
    StockEntry,
)
from civicgrid.points.permissions import can_manage, require_manage
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import resident_for_user
from civicgrid.territory.models import Node

# ---------------------------------------------------------------------------------------------
# Goods


GOODS_TEXT = ("name", "description", "unit_label")
# A price, stock or limit as typed: digits, perhaps a sign (a negative one is refused by range).
PLAIN_WHOLE = re.compile(r"[+-]?[0-9]+")
NOTE_LIMIT = 255  # Redemption.close_note, RedemptionEvent.note


def _goods_text(field: str, raw: Any, errors: Errors) -> str:
    """A text field of the listing, spaces around it dropped, or a refusal naming the field and
    its column's limit ("商品名称最多100个字（现为300个字）"): nothing is cut to fit, and
    PostgreSQL's varchar no longer answers a long name with a 500."""
    column = Goods._meta.get_field(field)
    assert isinstance(column, CharField)
    text = str(raw if raw is not None else "").strip()
    label = str(column.verbose_name)
    if field == "name" and not text:
        errors.setdefault(field, []).append(gettext("请填写商品名称"))
    elif field == "unit_label" and not text:
        text = gettext("件")
    limit = column.max_length
    if limit is not None and len(text) > limit:
        errors.setdefault(field, []).append(
            gettext("{label}最多{limit}个字（现为{length}个字）").format(
                label=label, limit=limit, length=len(text)
            )
        )
    return text


def _check_goods_fields(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The listing's fields in ``values`` (any of name, description, unit_label, price,
    per_person_limit, stock) as stored, each bad one's reason added to ``errors``."""
    cleaned = dict(values)
    for field in GOODS_TEXT:
        if field in values:
            cleaned[field] = _goods_text(field, values[field], errors)
    numbers = {
        "price": (gettext("所需积分"), 1, MAX_AMOUNT),
        "per_person_limit": (gettext("每人限兑"), 0, MAX_STOCK),
        "stock": (gettext("库存"), 0, MAX_STOCK),
    }
    for field, (label, minimum, maximum) in numbers.items():
        if field not in values:
            continue
        raw = values[field]
        if isinstance(raw, str) and raw.strip() and not PLAIN_WHOLE.fullmatch(fold(raw.strip())):
            # "1e3", "1000.0", "1,000": a count typed into a form is digits alone (whole_value
            # would read the first two as 1000)
            errors.setdefault(field, []).append(
                gettext("{label}应为{minimum}到{maximum}之间的整数").format(
                    label=label, minimum=minimum, maximum=maximum
                )
            )
            cleaned[field] = None
            continue
        cleaned[field] = whole_value(
            raw, errors=errors, field=field, label=label, minimum=minimum, maximum=maximum
        )
    return cleaned


def goods_create(
    *,
    actor: Any,
    node: Node,
    name: str,
    price: int | str,
    stock: int | str = 0,
    donor: Organisation | None = None,
    description: str = "",
    unit_label: str = "件",  # i18n: data (the default unit stored with the goods)
    per_person_limit: int | str = 0,
) -> Goods:
    """Put an item in the community's shop; ``stock`` is its first restock.

    Every field is checked before anything is written, each refusal naming its field: a name,
    description or unit longer than its column is refused, never cut to fit. Numbers may come
    as typed text ("10"); they are stored as whole numbers."""
    node = check_node(node)
    require_manage(actor, node.path)
    errors: Errors = {}
    fields = _check_goods_fields(
        {
            "name": name,
            "description": description,
            "unit_label": unit_label,
            "price": price,
            "stock": stock,
            "per_person_limit": per_person_limit,
        },
        errors,
    )
    if donor is not None and not isinstance(donor, Organisation):
        errors["donor"] = [gettext("捐赠单位无效")]
    if errors:
        raise ValidationError(errors=errors)
    with transaction.atomic():
        stock = fields["stock"]
        goods = Goods.objects.create(
            node=node,
            node_path=node.path,
            name=fields["name"],
            description=fields["description"],
            price=fields["price"],
            stock=stock,
            unit_label=fields["unit_label"],
            donor=donor,
            per_person_limit=fields["per_person_limit"],
            created_by=actor,
        )
        if stock:
            StockEntry.objects.create(
                goods=goods,
                delta=stock,
                reason=StockEntry.Reason.RESTOCK,
                actor=actor,
                created_at=timezone.now(),
            )
        audit_write(
            actor=actor,
            verb=Verb.GOODS_CREATED,
            target=goods,
            node=node,
            after={"price": fields["price"], "stock": stock, "donor": getattr(donor, "pk", None)},
        )
    return goods


GOODS_EDITABLE = ("name", "description", "price", "unit_label", "per_person_limit", "is_active", "donor")


def goods_update(*, actor: Any, goods: Goods, expected_version: int | None = None, **changes: Any) -> Goods:
    """Change the listing (name, description, price, unit, limit, on sale, donor); not the stock.

    ``expected_version`` is the ``version`` the editor read (the form's hidden field, the
    API's ``expected_version``): when someone else saved the listing since, the edit is
    refused with 409 and changes nothing, instead of silently undoing theirs. Each edit adds
    one to the version; stock changes (restock, redemptions) leave it alone."""
    require_manage(actor, goods.node_path)
    unknown = set(changes) - set(GOODS_EDITABLE)
    if unknown:
        raise ValidationError(
            gettext("不能修改：{unknown}").format(unknown=", ".join(sorted(unknown))), field="fields"
        )
    if expected_version is not None:
        try:
            expected_version = whole(
                expected_version, field="version", label=gettext("版本"), minimum=1, maximum=INT_MAX
            )
        except ValidationError:
            # the version read with the page (its hidden field) or by the API: a fresh read fixes it
            raise ValidationError(gettext("版本号无效，请刷新页面后重试"), field="version") from None
    with transaction.atomic():
        locked = Goods.objects.select_for_update().get(pk=goods.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                gettext("该商品已被他人修改，请刷新后再试"),
                code="stale_version",
                detail={"version": locked.version},
            )
        errors: Errors = {}
        changes = _check_goods_fields(changes, errors)
        donor = changes.get("donor")
        if donor is not None and not isinstance(donor, Organisation):
            errors["donor"] = [gettext("捐赠单位无效")]
        if errors:
            raise ValidationError(errors=errors)
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.version += 1  # the row is locked: no one else adds meanwhile
        locked.save(update_fields=[*changes, "version", "updated_at"])
        audit_write(
            actor=actor,
            verb=Verb.GOODS_UPDATED,
            target=locked,
            node=locked.node,
            before={**{k: getattr(v, "pk", v) for k, v in before.items()}, "version": locked.version - 1},
            after={**{k: getattr(v, "pk", v) for k, v in changes.items()}, "version": locked.version},
        )
    return locked


def goods_restock(*, actor: Any, goods: Goods, quantity: int, note: str = "") -> Goods:
    """Add (or, with a negative quantity, write off) stock; never below zero, never above
    ``MAX_STOCK`` (a restock past it is refused, naming ``quantity``)."""
    require_manage(actor, goods.node_path)
    quantity = whole(quantity, field="quantity", label=gettext("数量"), minimum=-MAX_STOCK, maximum=MAX_STOCK)
    if quantity == 0:
        raise ValidationError(gettext("数量应为非零整数"), field="quantity")
    note = str(note or "").strip()
    ref = StockEntry._meta.get_field("ref")
    limit = ref.max_length if isinstance(ref, CharField) and ref.max_length else 64
    if len(note) > limit:
        raise ValidationError(
            gettext("{label}最多{limit}个字（现为{length}个字）").format(
                label=gettext("备注"), limit=limit, length=len(note)
            ),
            field="note",
        )
    with transaction.atomic():
        # Conditional on both ends: never below zero, never past the cap creating an item
        # enforces (a restock took one item to 200,000).
        changed = Goods.objects.filter(
            pk=goods.pk, stock__gte=max(0, -quantity), stock__lte=MAX_STOCK - max(0, quantity)
        ).update(stock=F("stock") + quantity)
        if not changed:
            if quantity < 0:
                raise Conflict(gettext("库存不足，无法减少"))
            current = Goods.objects.filter(pk=goods.pk).values_list("stock", flat=True).first() or 0
            raise ValidationError(
                gettext("入库后库存将超过上限{cap}（现有{stock}，最多还能入库{room}）").format(
                    cap=MAX_STOCK, stock=current, room=max(0, MAX_STOCK - current)
                ),
                field="quantity",
            )
        StockEntry.objects.create(
            goods=goods,
            delta=quantity,
            reason=StockEntry.Reason.RESTOCK if quantity > 0 else StockEntry.Reason.CORRECT,
            ref=note,
            actor=actor,
            created_at=timezone.now(),
        )
        goods.refresh_from_db(fields=["stock"])
        audit_write(
            actor=actor,
            verb=Verb.GOODS_RESTOCKED,
            target=goods,
            node=goods.node,
            after={"delta": quantity, "stock": goods.stock, "note": note},
        )
    return goods


# ---------------------------------------------------------------------------------------------
# Redemptions

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def normalise_code(code: Any) -> str:
    """A pickup code as typed: case, spaces and dashes ignored, full-width letters and digits
    (ＱＦＫ３, as a Chinese input method types them) read as ASCII (``core.validators.fold``)."""
    return "".join(ch for ch in fold(str(code or "")).upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _resident_of(actor: Any) -> Resident | None:
    return resident_for_user(actor)


def _require_redeem(actor: Any, holder: Holder, goods: Goods) -> None:
    """The holder themself (a signed-in resident) or a points manager of the shop's community."""
    if can_manage(actor, goods.node_path):
        return
    own = _resident_of(actor)
    if own is not None and isinstance(holder, Resident) and own.pk == holder.pk:
        return
    raise PermissionDenied(gettext("您无权为他人兑换"))


def _event(redemption: Redemption, from_status: str, to_status: str, actor: Any, note: str = "") -> None:
    RedemptionEvent.objects.create(
        redemption=redemption,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:255],
        created_at=timezone.now(),
    )


def points_redeem(*, actor: Any, holder: Holder, goods: Goods | int, quantity: int = 1) -> Redemption:
    """Reserve ``quantity`` of ``goods`` and its points for ``holder``; issue a pickup code.

    The points move to the community's reserve account (consumed from the holder's lots,
    oldest first), the stock goes down at once; hand-over completes, cancellation returns both.
    """
    holder = ledger.check_holder(holder)
    if isinstance(goods, int) and not isinstance(goods, bool):
        found = Goods.objects.filter(pk=goods).first()
        if found is None:
            raise NotFound(gettext("商品不存在"))
        goods = found
    if not isinstance(goods, Goods):
        raise NotFound(gettext("商品不存在"))
    quantity = whole(quantity, field="quantity", label=gettext("兑换数量"), minimum=1, maximum=MAX_QUANTITY)
    _require_redeem(actor, holder, goods)
    if not holder.node_path.startswith(ledger.community_of(goods.node).path):
        raise ValidationError(gettext("本积分超市仅面向本社区居民和共建单位"), field="holder")
    with transaction.atomic():
        return _reserve(actor, holder, goods, quantity)


def _reserve(actor: Any, holder: Holder, goods: Goods, quantity: int) -> Redemption:
    account = ledger.holder_account(holder)
    account = ledger.lock_holder(account)  # holder first, then the goods (see ledger)
    current = Goods.objects.filter(pk=goods.pk).values("price", "is_active", "per_person_limit").first()
    if current is None or not current["is_active"]:
        raise ValidationError(gettext("该商品已下架"), field="goods")
    points = current["price"] * quantity
    if account.balance < points:
        raise Conflict(
            gettext("积分不足：需要{points}分，当前{balance}分").format(
                points=points, balance=account.balance
            ),
            code="insufficient_points",
        )
    _check_limit(account, goods, quantity, current["per_person_limit"])
    taken = Goods.objects.filter(pk=goods.pk, stock__gte=quantity, is_active=True).update(
        stock=F("stock") - quantity
    )
    if not taken:
        raise Conflict(gettext("库存不足，兑换失败"), code="out_of_stock")
    now = timezone.now()
    _, pickup_days = rules.policy_for(goods.node)
    redemption = _create_redemption(
        actor, goods, account, quantity, points, now, now + timedelta(days=pickup_days)
    )
    ledger.post(
        Posting(
            kind=MovementKind.REDEEM,
            from_account=account,
            to_account=ledger.system_account(AccountKind.RESERVED, goods.node),
            amount=points,
            source=Source.REDEMPTION,
            source_ref=f"{redemption.pk}:reserve",
            node=goods.node,
            actor=actor,
            at=now,
            note=gettext("兑换 {name} × {quantity}").format(name=goods.name, quantity=quantity),
            detail={"redemption": redemption.pk, "goods": goods.pk, "quantity": quantity},
        )
    )
    StockEntry.objects.create(
        goods=goods,
        delta=-quantity,
        reason=StockEntry.Reason.REDEEM,
        ref=f"redemption:{redemption.pk}",
        actor=user_or_none(actor),
        created_at=now,
    )
    _event(redemption, "", RedemptionStatus.RESERVED, actor)
    audit_write(
        actor=actor,
        verb=Verb.REDEEMED,
        target=redemption,
        node=goods.node,
        after={"goods": goods.pk, "quantity": quantity, "points": points, "account": account.pk},
    )
    return redemption


def _check_limit(account: Account, goods: Goods, quantity: int, limit: int) -> None:
    if not limit:
        return
    had = (
        Redemption.objects.filter(
            account=account,
            goods=goods,
            status__in=[RedemptionStatus.RESERVED, RedemptionStatus.HANDED_OVER],
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    if had + quantity > limit:
        raise ValidationError(
            gettext("该商品每人限兑{limit}{unit_label}").format(limit=limit, unit_label=goods.unit_label),
            field="quantity",
        )


def _create_redemption(
    actor: Any, goods: Goods, account: Account, quantity: int, points: int, now: datetime, until: datetime
) -> Redemption:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    node=goods.node,
                    node_path=goods.node_path,
                    goods=goods,
                    account=account,
                    quantity=quantity,
                    points=points,
                    code=_new_code(),
                    code_expires_at=until,
                    created_by=user_or_none(actor),
                    created_at=now,
                )
        except IntegrityError:
            continue
    raise Conflict(gettext("生成取货码失败，请重试"))


def redemption_hand_over(*, actor: Any, code: str) -> Redemption:
    """The shopkeeper scans or types the pickup code and hands the goods over (once only)."""
    normalised = normalise_code(code)
    if not normalised:
        raise ValidationError(gettext("请输入取货码"), field="code")
    require_any(actor, Capability.POINTS_MANAGE)
    found = Redemption.objects.filter(code=normalised).first()
    if found is None or not can_manage(actor, found.node_path):
        # Someone else's community's code is as good as unknown.
        raise NotFound(gettext("取货码无效，请核对后重试"))
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=found.pk)
        if redemption.status == RedemptionStatus.HANDED_OVER:
            raise Conflict(gettext("该取货码已使用，商品已领取"), code="already_handed_over")
        if redemption.status != RedemptionStatus.RESERVED:
            raise Conflict(
                gettext("该兑换{status}，不能领取").format(status=redemption.get_status_display()),
                code="not_reserved",
            )
        if redemption.code_expires_at <= timezone.now():
            raise ValidationError(gettext("取货码已过期，请重新兑换"), field="code", code="code_expired")
        _close(redemption, RedemptionStatus.HANDED_OVER, actor, "")
        ledger.post(
            Posting(
                kind=MovementKind.HAND_OVER,
                from_account=ledger.system_account(AccountKind.RESERVED, redemption.node),
                to_account=ledger.system_account(AccountKind.SHOP, redemption.node),
                amount=redemption.points,
                source=Source.REDEMPTION,
                source_ref=f"{redemption.pk}:hand_over",
                node=redemption.node,
                actor=actor,
                at=redemption.closed_at,
                note=gettext("领取 {name} × {quantity}").format(
                    name=redemption.goods.name, quantity=redemption.quantity
                ),
                detail={"redemption": redemption.pk},
            )
        )
        audit_write(
            actor=actor,
            verb=Verb.HANDED_OVER,
            target=redemption,
            node=redemption.node,
            before={"status": RedemptionStatus.RESERVED},
            after={"status": redemption.status},
        )
    return redemption


def _close(redemption: Redemption, status: str, actor: Any, note: str) -> None:
    now = timezone.now()
    changed = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.RESERVED).update(
        status=status, closed_by=user_or_none(actor), closed_at=now, close_note=note[:255]
    )
    if not changed:
        raise Conflict(gettext("该兑换已办结"))
    _event(redemption, RedemptionStatus.RESERVED, status, actor, note)
    redemption.status, redemption.closed_at, redemption.close_note = status, now, note[:255]


def redemption_cancel(*, actor: Any, redemption: Redemption, reason: str = "") -> Redemption:
    """Cancel a reserved redemption: the stock and the points (to the same lots) come back."""
    own = _resident_of(actor)
    is_owner = own is not None and redemption.account.resident_id == own.pk
    if not is_owner and not can_manage(actor, redemption.node_path):
        raise PermissionDenied(gettext("您无权取消该兑换"))
    reason = check_text(reason, field="reason", label=gettext("取消原因"), limit=NOTE_LIMIT)
    return _release(actor, redemption, RedemptionStatus.CANCELLED, reason or gettext("主动取消"))


def _release(actor: Any, redemption: Redemption, status: str, note: str) -> Redemption:
    with transaction.atomic():
        ledger.lock_holder(redemption.account)
        locked = Redemption.objects.select_for_update().select_related("goods", "node").get(pk=redemption.pk)
        if locked.status != RedemptionStatus.RESERVED:
            raise Conflict(
                gettext("该兑换{status}，不能取消").format(status=locked.get_status_display()),
                code="not_reserved",
            )
        _close(locked, status, actor, note)
        reserve = Movement.objects.get(source=Source.REDEMPTION, source_ref=f"{locked.pk}:reserve")
        refunded = ledger.refund(
            reserve,
            Posting(
                kind=MovementKind.REFUND,
                from_account=reserve.to_account,
                to_account=reserve.from_account,
                amount=reserve.amount,
                source=Source.REDEMPTION,
                source_ref=f"{locked.pk}:{status}",
                node=locked.node,
                actor=actor,
                at=locked.closed_at,
                # Points whose lot expired while reserved (or is about to) get a fresh validity.
                expires_at=rules.expiry_for(locked.node, locked.closed_at or timezone.now()),
                note=f"{RedemptionStatus(status).label}：{locked.goods.name} × {locked.quantity}",
            ),
        )
        Goods.objects.filter(pk=locked.goods_id).update(stock=F("stock") + locked.quantity)
        StockEntry.objects.create(
            goods_id=locked.goods_id,
            delta=locked.quantity,
            reason=StockEntry.Reason.RETURN,
            ref=f"redemption:{locked.pk}",
            actor=user_or_none(actor),
            created_at=timezone.now(),
        )
        verb = Verb.REDEMPTION_CANCELLED if status == RedemptionStatus.CANCELLED else Verb.REDEMPTION_EXPIRED
        audit_write(
            actor=actor,
            verb=verb,
            target=locked,
            node=locked.node,
            before={"status": RedemptionStatus.RESERVED},
            after={"status": status, "note": note, **_renewal(refunded)},
        )
    return locked


def _renewal(refund: Movement) -> dict[str, Any]:
    """The new lot a refund opened for points whose own lot had expired (for the audit row)."""
    lot = Lot.objects.filter(movement=refund).first()
    if lot is None:
        return {}
    return {"renewed": lot.amount, "renewed_until": lot.expires_at.isoformat() if lot.expires_at else None}


def redemptions_expire_due(now: datetime | None = None) -> int:
    """Release reservations whose pickup code has expired (stock and points return)."""
    now = now or timezone.now()
    due = list(
        Redemption.objects.filter(status=RedemptionStatus.RESERVED, code_expires_at__lte=now)
        .select_related("account")
        .order_by("code_expires_at", "id")
    )
    released = 0
    for redemption in due:
        try:
            _release(None, redemption, RedemptionStatus.EXPIRED, gettext("取货码过期，自动退回"))
            released += 1
        except Conflict:
            continue  # handed over or cancelled meanwhile
    return released
