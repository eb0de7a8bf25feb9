"""Configuring points: the rules per activity type and the expiry policy per community."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import decimal_value, whole_value
from civicgrid.points.checks import MAX_AMOUNT
from civicgrid.points.constants import Verb
from civicgrid.points.models import ActivityType, PointsPolicy, PointsRule
from civicgrid.points.permissions import require_manage
from civicgrid.territory.models import Node

RULE_NAME_MAX = PointsRule._meta.get_field("name").max_length or 100


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
    # Checked here, not only by the form, so the API and the page refuse alike: 12.345 points
    # an hour is refused, not rounded; 2.5 is no whole number; a huge one never reaches the database.
    per_hour = decimal_value(
        points_per_hour,
        errors=errors,
        field="points_per_hour",
        label=gettext("每小时积分"),
        column=PointsRule._meta.get_field("points_per_hour"),
        maximum=1000,
    )
    step = decimal_value(
        difficulty_step,
        errors=errors,
        field="difficulty_step",
        label=gettext("难度系数步长"),
        column=PointsRule._meta.get_field("difficulty_step"),
        maximum=2,
    )
    base = whole_value(
        base_points, errors=errors, field="base_points", label=gettext("基础积分"), maximum=MAX_AMOUNT
    )
    cap = whole_value(
        max_points, errors=errors, field="max_points", label=gettext("单次上限"), maximum=MAX_AMOUNT
    )
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
