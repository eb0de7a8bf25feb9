"""Configuring points: the rules per activity type and the expiry policy per community."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.points.checks import MAX_AMOUNT
from civicgrid.points.constants import Verb
from civicgrid.points.models import ActivityType, PointsPolicy, PointsRule
from civicgrid.points.permissions import require_manage
from civicgrid.territory.models import Node

RULE_NAME_MAX = PointsRule._meta.get_field("name").max_length or 100


def _decimal(
    raw: Decimal | str | int, field: str, label: str, errors: dict[str, list[str]]
) -> Decimal | None:
    """A finite number with no more decimals than its column keeps (the field of
    ``PointsRule`` named ``field``): 12.345 points an hour is refused, not rounded."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        errors[field] = [gettext("{label}必须是数字").format(label=label)]
        return None
    places = int(PointsRule._meta.get_field(field).decimal_places)  # type: ignore[union-attr]
    try:
        exact = value == value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # far too big to quantize: the caller's range check refuses it
        exact = True
    if not exact:
        errors[field] = [gettext("{label}最多保留{places}位小数").format(label=label, places=places)]
        return None
    return value


def _whole(raw: Any, field: str, label: str, errors: dict[str, list[str]]) -> int | None:
    """A whole number of points from 0 to ``MAX_AMOUNT`` (the service's own check, so the API
    and the page refuse alike and a huge number never reaches the database). 2.5 is no whole
    number (``int()`` cut it to 2), nor is an infinite float (``int()`` raised)."""
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if isinstance(raw, bool) or not number.is_finite() or number != number.to_integral_value():
        errors[field] = [gettext("{label}必须是整数").format(label=label)]
        return None
    if number < 0:
        errors[field] = [gettext("{label}不能为负数").format(label=label)]
        return None
    if number > MAX_AMOUNT:
        errors[field] = [gettext("{label}不能超过{max_amount}").format(label=label, max_amount=MAX_AMOUNT)]
        return None
    return int(number)


def rule_save(
    *,
    actor: Any,
    node: Node,
    activity_type: str,
    name: str,
    base_points: int = 0,
    points_per_hour: Decimal | str | int = 10,
    difficulty_step: Decimal | str = "0.25",
    max_points: int = 0,
) -> PointsRule:
    """Set the rule for an activity type on a node (replaces the active one there)."""
    require_manage(actor, node.path)
    activity_type = str(activity_type or "").strip()
    name = str(name or "").strip()
    errors: dict[str, list[str]] = {}
    if activity_type and activity_type not in ActivityType.values:
        errors["activity_type"] = [gettext("未知的服务类型")]
    if not name:
        errors["name"] = [gettext("请填写规则名称")]
    elif len(name) > RULE_NAME_MAX:
        errors["name"] = [
            gettext("规则名称最长{rule_name_max}个字（现有{count}个）").format(
                rule_name_max=RULE_NAME_MAX, count=len(name)
            )
        ]
    per_hour = _decimal(points_per_hour, "points_per_hour", gettext("每小时积分"), errors)
    step = _decimal(difficulty_step, "difficulty_step", gettext("难度系数步长"), errors)
    if per_hour is not None and not 0 <= per_hour <= 1000:
        errors["points_per_hour"] = [gettext("每小时积分应在0到1000之间")]
    if step is not None and not 0 <= step <= 2:
        errors["difficulty_step"] = [gettext("难度系数步长应在0到2之间")]
    base = _whole(base_points, "base_points", gettext("基础积分"), errors)
    cap = _whole(max_points, "max_points", gettext("单次上限"), errors)
    if errors:
        raise ValidationError(errors=errors)
    assert per_hour is not None and step is not None and base is not None and cap is not None
    with transaction.atomic():
        before = PointsRule.objects.select_for_update().filter(
            node=node, activity_type=activity_type, is_active=True
        )
        old = [r.pk for r in before]
        PointsRule.objects.filter(pk__in=old).update(is_active=False)
        rule = PointsRule.objects.create(
            node=node,
            node_path=node.path,
            activity_type=activity_type,
            name=name,
            base_points=base,
            points_per_hour=per_hour,
            difficulty_step=step,
            max_points=cap,
            created_by=actor,
        )
        audit_write(
            actor=actor,
            verb=Verb.RULE_SAVED,
            target=rule,
            node=node,
            before={"replaced": old},
            after={
                "activity_type": activity_type,
                "base_points": rule.base_points,
                "points_per_hour": str(per_hour),
                "difficulty_step": str(step),
                "max_points": rule.max_points,
            },
        )
    return rule


def policy_set(*, actor: Any, node: Node, expiry_days: int, pickup_days: int = 7) -> PointsPolicy:
    """How long points (and pickup codes) live under ``node``; applies to later earnings."""
    require_manage(actor, node.path)
    errors: dict[str, list[str]] = {}
    if isinstance(expiry_days, bool) or not isinstance(expiry_days, int) or not 0 <= expiry_days <= 3650:
        errors["expiry_days"] = [gettext("有效期应在0到3650天之间（0表示永不过期）")]
    if isinstance(pickup_days, bool) or not isinstance(pickup_days, int) or not 1 <= pickup_days <= 90:
        errors["pickup_days"] = [gettext("取货码有效期应在1到90天之间")]
    if errors:
        raise ValidationError(errors=errors)
    with transaction.atomic():
        policy, _ = PointsPolicy.objects.select_for_update().get_or_create(
            node=node,
            defaults={"node_path": node.path, "expiry_days": expiry_days, "pickup_days": pickup_days},
        )
        before = {"expiry_days": policy.expiry_days, "pickup_days": policy.pickup_days}
        policy.expiry_days, policy.pickup_days = expiry_days, pickup_days
        policy.save(update_fields=["expiry_days", "pickup_days", "updated_at"])
        audit_write(
            actor=actor,
            verb=Verb.POLICY_SET,
            target=policy,
            node=node,
            before=before,
            after={"expiry_days": expiry_days, "pickup_days": pickup_days},
        )
    return policy
