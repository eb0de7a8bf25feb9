"""Configuring points: the rules per activity type and the expiry policy per community."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.points.constants import Verb
from civicgrid.points.models import ActivityType, PointsPolicy, PointsRule
from civicgrid.points.permissions import require_manage
from civicgrid.territory.models import Node


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
    errors: dict[str, list[str]] = {}
    if activity_type and activity_type not in ActivityType.values:
        errors["activity_type"] = ["未知的服务类型"]
    if not str(name or "").strip():
        errors["name"] = ["请填写规则名称"]
    try:
        per_hour = Decimal(str(points_per_hour))
        step = Decimal(str(difficulty_step))
    except (InvalidOperation, ValueError):
        errors["points_per_hour"] = ["请填写数字"]
        per_hour, step = Decimal(0), Decimal(0)
    if per_hour < 0 or per_hour > 1000:
        errors.setdefault("points_per_hour", []).append("每小时积分应在0到1000之间")
    if step < 0 or step > 2:
        errors["difficulty_step"] = ["难度系数步长应在0到2之间"]
    if int(base_points) < 0 or int(max_points) < 0:
        errors["base_points"] = ["积分不能为负数"]
    if errors:
        raise ValidationError(errors=errors)
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
            name=str(name).strip()[:100],
            base_points=int(base_points),
            points_per_hour=per_hour,
            difficulty_step=step,
            max_points=int(max_points),
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
    if not isinstance(expiry_days, int) or not 0 <= expiry_days <= 3650:
        raise ValidationError("有效期应在0到3650天之间（0表示永不过期）", field="expiry_days")
    if not isinstance(pickup_days, int) or not 1 <= pickup_days <= 90:
        raise ValidationError("取货码有效期应在1到90天之间", field="pickup_days")
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
