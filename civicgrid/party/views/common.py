"""Helpers of the party pages: reading form values, running a service from a form, lookups."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require_any, scope_filter
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.validators import fold, normalise_credit_code, typed_day
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import resident_search
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import node_get

VIEW = Capability.PARTY_VIEW
EDIT = Capability.PARTY_EDIT


def message_of(exc: CivicError) -> str:
    """The reasons of an error without the field names (they are in English)."""
    if isinstance(exc, ValidationError) and exc.errors:
        return "；".join(reason for reasons in exc.errors.values() for reason in reasons)
    return exc.message


def act(request: HttpRequest, call: Callable[[], Any], done: str, back: str) -> HttpResponse:
    """Run a service from a form: a message, then back to the page; nothing changed on error."""
    try:
        call()
    except CivicError as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)


def can_edit(request: HttpRequest, path: str) -> bool:
    return can(request.user, EDIT, path)


def require_view(request: HttpRequest) -> None:
    require_any(request.user, VIEW)


# --- form values --------------------------------------------------------------------------


def value(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, "")).strip()


def values(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for v in request.POST.getlist(name) if v.strip()]


def lines(request: HttpRequest, name: str) -> list[str]:
    return [line.strip() for line in value(request, name).splitlines() if line.strip()]


def int_or_none(raw: str, field: str, label: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError(_("{label}应为整数").format(label=label), field=field) from exc


def date_or_none(raw: str, field: str, label: str) -> date | None:
    if not raw:
        return None
    return typed_day(raw, field=field, label=label)


def required_date(raw: str, field: str, label: str) -> date:
    found = date_or_none(raw, field, label)
    if found is None:
        raise ValidationError(_("请填写{label}").format(label=label), field=field)
    return found


def datetime_value(raw: str, field: str, label: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(
            _("请填写{label}（如 2024-01-31 14:30）").format(label=label), field=field
        ) from exc
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def decimal_or_none(raw: str, field: str, label: str) -> Decimal | None:
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(_("{label}应为数字").format(label=label), field=field) from exc
    if not number.is_finite():
        raise ValidationError(_("{label}应为数字").format(label=label), field=field)
    return number


def float_or_none(raw: str, field: str, label: str) -> float | None:
    number = decimal_or_none(raw, field, label)
    return float(number) if number is not None else None


# --- lookups --------------------------------------------------------------------------------


def node_by_code(actor: Any, code: str, field: str = "node") -> Node:
    code = fold(code).upper()
    if not code:
        raise ValidationError(_("请填写区域编码"), field=field)
    found = Node.objects.filter(code=code).only("id").first()
    if found is None:
        raise ValidationError(_("区域编码 {code} 不存在").format(code=code), field=field)
    return node_get(actor, found.pk)


def node_choice(actor: Any, raw: str, field: str = "node") -> Node:
    if raw.isdigit():
        return node_get(actor, int(raw))
    return node_by_code(actor, raw, field)


def areas(actor: Any, kinds: tuple[str, ...], limit: int = 400) -> list[Node]:
    """Nodes of these kinds where the actor may edit (for drop-downs)."""
    qs = Node.objects.filter(kind__in=kinds, is_active=True)
    return list(scope_filter(qs, actor, EDIT, field="path").order_by("path")[:limit])


AREA_KINDS = (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)


def find_resident(actor: Any, query: str, field: str) -> Resident:
    """One resident the actor sees, by name, full phone or ID number; a clear error otherwise."""
    query = query.strip()
    if not query:
        raise ValidationError(_("请填写居民姓名、手机号或身份证号"), field=field)
    found = list(resident_search(actor, q=query)[:3])
    if not found:
        raise ValidationError(_("辖区内未找到居民「{query}」").format(query=query), field=field)
    exact = [r for r in found if r.name == query]
    if len(found) > 1 and len(exact) != 1:
        raise ValidationError(
            _("找到多名居民「{query}」，请输入完整手机号或身份证号").format(query=query), field=field
        )
    return exact[0] if len(found) > 1 else found[0]


def find_unit(actor: Any, raw: str, field: str = "unit") -> Organisation:
    """A unit by its credit code (any unit: the code is public) or its id / name in scope."""
    from civicgrid.party.selectors import unit_lookup, units_visible

    raw = raw.strip()
    if not raw:
        raise ValidationError(_("请选择单位"), field=field)
    if len(credit_code := normalise_credit_code(raw)) == 18 and credit_code.isascii():
        return unit_lookup(actor, credit_code=credit_code)  # before ids: a code may be all digits
    if raw.isascii() and raw.isdigit():
        return unit_lookup(actor, pk=int(raw))
    found = list(units_visible(actor).filter(name=raw)[:2])
    if len(found) != 1:
        raise ValidationError(
            _("辖区内未找到唯一的单位「{raw}」，请填写统一社会信用代码").format(raw=raw), field=field
        )
    return found[0]


def under_param(request: HttpRequest) -> Node | None:
    raw = request.GET.get("under", "")
    return node_get(request.user, int(raw)) if raw.isdigit() else None
