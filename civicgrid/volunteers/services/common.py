"""Helpers shared by the services of this app: places, names, checks, notifications."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.validators import decimal_value, whole_value
from civicgrid.notify.models import Channel
from civicgrid.notify.services import notify
from civicgrid.territory.models import Node, NodeKind

# Nodes a volunteer may serve, an activity may take place at, or a service be needed at:
# the community itself or anything below it.
COMMUNITY_OR_BELOW = {
    NodeKind.COMMUNITY,
    NodeKind.RESIDENTS_GROUP,
    NodeKind.GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
    NodeKind.ENTRANCE,
    NodeKind.HOUSEHOLD_GROUP,
    NodeKind.RESPONSIBILITY_AREA,
}


# How far ahead an activity or a wanted service may be planned: a date beyond this is a
# typing mistake (an activity in the year 9999 was shown as "12月31日 23:00").
HORIZON = timedelta(days=730)


def within_horizon(
    value: datetime | None, field: str, label: StrOrPromise, errors: dict[str, list[str]], *, now: datetime
) -> None:
    """A reason naming ``label`` when ``value`` lies more than two years ahead of ``now``."""
    if value is None or value <= now + HORIZON:
        return
    limit = timezone.localtime(now + HORIZON)
    errors.setdefault(field, []).append(
        _("{label}不能晚于{year}年{month}月{day}日（最多提前两年安排）").format(
            label=label, year=limit.year, month=limit.month, day=limit.day
        )
    )


def community_of(node: Node | None, field: str = "node") -> Node:
    """The community at or above ``node``; a clear error when there is none."""
    if node is None:
        raise ValidationError(_("请选择所在社区或网格"), field=field)
    if node.kind == NodeKind.COMMUNITY:
        return node
    if node.kind in COMMUNITY_OR_BELOW:
        found = Node.objects.filter(pk__in=node.ancestor_ids, kind=NodeKind.COMMUNITY).first()
        if found is not None:
            return found
    raise ValidationError(_("所选区域应为社区或社区以下的网格、小区、楼栋"), field=field)


def actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(actor or _("系统"))
    return str(getattr(actor, "display_name", "") or actor.get_username())


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def text(
    value: Any,
    field: str,
    label: StrOrPromise,
    errors: dict[str, list[str]],
    *,
    limit: int,
    required: bool = True,
) -> str:
    """The stripped text, or a reason added to ``errors``."""
    cleaned = str(value or "").strip()
    if required and not cleaned:
        errors.setdefault(field, []).append(_("{label}不能为空").format(label=label))
    elif len(cleaned) > limit:
        errors.setdefault(field, []).append(_("{label}最长{limit}个字").format(label=label, limit=limit))
    return cleaned


def hours_value(value: Any, field: str, errors: dict[str, list[str]], *, maximum: int = 24) -> Decimal:
    """Hours between 0.5 and ``maximum`` with no more decimals than the column keeps (one).

    Never rounded and never an exception: "NaN", "Infinity", "1e30", "-1" or "1.55" add a
    reason naming 服务时长 to ``errors`` (and give 0), so the caller writes nothing."""
    from civicgrid.volunteers.models import ServiceOrder

    hours = decimal_value(
        value,
        errors=errors,
        field=field,
        label=_("服务时长"),
        column=ServiceOrder._meta.get_field("hours"),
        minimum=Decimal("0.5"),
        maximum=maximum,
        unit=_("小时"),
    )
    return Decimal(0) if hours is None else hours


def difficulty_value(value: Any, errors: dict[str, list[str]]) -> int:
    """A difficulty from 1 to 5, or 0 with a reason naming 难度 added to ``errors``."""
    difficulty = whole_value(value, errors=errors, field="difficulty", label=_("难度"), minimum=1, maximum=5)
    return 0 if difficulty is None else difficulty


def choice(value: Any, choices: Any, field: str, label: str, errors: dict[str, list[str]]) -> str:
    if value not in choices.values:
        errors.setdefault(field, []).append(_("{label}无效").format(label=label))
    return str(value)


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors=errors)


def account_user(resident: Any) -> Any:
    """The user of the resident's own account, or None."""
    from civicgrid.registry.models import ResidentAccount

    link = ResidentAccount.objects.select_related("user").filter(resident=resident).first()
    return link.user if link else None


def notify_resident(resident: Any, *, key: str, subject: str, body: str, target: Any = None) -> None:
    """An SMS to the resident (their account, if any, sees it too); sent after commit."""
    notify(
        dedupe_key=key,
        channel=Channel.SMS,
        recipient_user=account_user(resident),
        recipient_label=resident.name,
        address=crypto.decrypt(resident.phone_enc) if resident.phone_enc else "",
        subject=subject,
        body=body,
        target=target,
    )
