"""Checks of input shared by the points services (Chinese messages, field names)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.env import envint
from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.validators import decimal_value, whole_value
from civicgrid.points import rules
from civicgrid.points.models import Movement
from civicgrid.territory.models import Node

MAX_AMOUNT = 100_000  # one movement; bigger numbers are typing mistakes
MAX_QUANTITY = 99  # one redemption
MAX_STOCK = 100_000  # of one item in a shop, and a restock or a per-person limit


# ---------------------------------------------------------------------------------------------
# Validation helpers


def check_ref(source: str, source_ref: str) -> tuple[str, str]:
    source, source_ref = str(source or "").strip(), str(source_ref or "").strip()
    errors: dict[str, list[str]] = {}
    if not source or len(source) > 48:
        errors["source"] = [_("请注明积分来源（不超过48个字符）")]
    if not source_ref or len(source_ref) > 96:
        errors["source_ref"] = [_("请注明来源编号（不超过96个字符）")]
    if errors:
        raise ValidationError(errors=errors)
    return source, source_ref


def check_text(raw: Any, *, field: str, label: StrOrPromise, limit: int) -> str:
    """``raw`` without spaces around it, or a refusal naming ``label`` and ``limit``
    ("理由最多255个字（现为300个字）"): typed text is never cut to fit its column."""
    text = str(raw if raw is not None else "").strip()
    if len(text) > limit:
        message = _("{label}最多{limit}个字（现为{length}个字）")
        raise ValidationError(message.format(label=label, limit=limit, length=len(text)), field=field)
    return text


def whole(raw: Any, *, field: str, label: StrOrPromise, minimum: int, maximum: int) -> int:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, else a refusal naming ``label``
    in ``whole_value``'s wording ("积分应为1到100000之间的整数", "请填写积分")."""
    errors: dict[str, list[str]] = {}
    number = whole_value(raw, errors=errors, field=field, label=label, minimum=minimum, maximum=maximum)
    if number is None:
        raise ValidationError("，".join(errors[field]), field=field)
    return number


def direct_credit_max() -> int:
    """``CIVICGRID_POINTS_DIRECT_CREDIT_MAX`` (default 200): the most points one hand credit
    (发放积分, ``Source.MANUAL``) may give without approval; more goes through an adjustment
    that a leader approves. 0: every hand credit needs approval."""
    return max(0, envint("CIVICGRID_POINTS_DIRECT_CREDIT_MAX", 200))


def check_direct_credit(amount: int, field: str = "amount") -> None:
    """Refuse a hand credit above ``direct_credit_max()`` (code ``direct_credit_cap``)."""
    cap = direct_credit_max()
    if amount > cap:
        raise ValidationError(
            _("直接发放积分单次最多{cap}分（现为{amount}分），超过的请提交积分调整，经领导审批后生效").format(
                cap=cap, amount=amount
            ),
            field=field,
            code="direct_credit_cap",
        )


def check_amount(amount: Any, field: str = "amount", *, allow_negative: bool = False) -> int:
    """Points of one movement (1 to ``MAX_AMOUNT``), or of an adjustment (either sign, not 0)."""
    if not allow_negative:
        return whole(amount, field=field, label=_("积分"), minimum=1, maximum=MAX_AMOUNT)
    value = whole(amount, field=field, label=_("调整积分"), minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT)
    if value == 0:
        raise ValidationError(_("调整积分不能为0"), field=field)
    return value


def check_hours(hours: Any) -> Decimal:
    """Hours from 0 to 24 with at most two decimals (what ``Movement.hours`` and the time
    bank keep): NaN and Infinity are no number, and 1.555 is refused rather than rounded."""
    errors: dict[str, list[str]] = {}
    value = decimal_value(
        hours,
        errors=errors,
        field="hours",
        label=_("服务时长"),
        column=Movement._meta.get_field("hours"),
        maximum=rules.MAX_HOURS,
        unit=_("小时"),
    )
    if value is None:
        raise ValidationError(errors=errors)
    return value


def check_difficulty(difficulty: Any) -> int:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int):
        raise ValidationError(_("难度必须是1到5的整数"), field="difficulty")
    if not rules.DIFFICULTY_MIN <= difficulty <= rules.DIFFICULTY_MAX:
        raise ValidationError(_("难度必须是1到5的整数"), field="difficulty")
    return difficulty


def check_node(node: Any) -> Node:
    if not isinstance(node, Node) or node.pk is None:
        raise ValidationError(_("请指定发生区域"), field="node")
    return node


def now_or(at: datetime | None) -> datetime:
    """``at`` (the moment a service was done), refused when it is still to come; else now."""
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError(_("积分记账时间不能晚于当前时间"), field="at")
    return at or now


def user_or_none(actor: Any) -> Any:
    """The actor when it is a signed-in user (for FKs), else None (the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None
