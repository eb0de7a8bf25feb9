"""Helpers of the party pages: reading form values (beyond ``core.views_forms``), lookups."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require_any, scope_filter
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import fold, normalise_credit_code
from civicgrid.core.views_forms import date_or_none, decimal_or_none, pk_or_none, value
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import resident_search
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import node_get

VIEW = Capability.PARTY_VIEW
EDIT = Capability.PARTY_EDIT


def can_edit(request: HttpRequest, path: str) -> bool:
    return can(request.user, EDIT, path)


def require_view(request: HttpRequest) -> None:
    require_any(request.user, VIEW)


# --- form values --------------------------------------------------------------------------


def values(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for v in request.POST.getlist(name) if v.strip()]


def lines(request: HttpRequest, name: str) -> list[str]:
    return [line.strip() for line in value(request, name).splitlines() if line.strip()]


def require_filled(request: HttpRequest, labels: dict[str, str]) -> None:
    """Refuse a form with required fields left empty, naming every one of them at once by
    its visible label (not the first one a parser happens to reach)."""
    errors = {
        field: [_("请填写{label}").format(label=label)]
        for field, label in labels.items()
        if not value(request, field)
    }
    if errors:
        raise ValidationError(errors=errors)


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


def float_or_none(raw: str, field: str, label: str) -> float | None:
    """A longitude or latitude as typed or sent by the phone (its range is the service's)."""
    number = decimal_or_none(raw, field, label, max_digits=40, decimal_places=20, minimum=None)
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
    """A node by its id (ASCII digits) or else its code; "²" is no id (``pk_or_none``) and is
    refused as a code that does not exist."""
    pk = pk_or_none(raw)
    if pk is not None:
        return node_get(actor, pk)
    return node_by_code(actor, raw, field)


T = TypeVar("T")


def picked(actor: Any, raw: str, get: Callable[[Any, int], T]) -> T | None:
    """The row a picker or filter names by id, None when blank or no id at all ("abc", "²",
    "0"): each caller treats that as "none chosen", as it did for any other non-number."""
    pk = pk_or_none(raw)
    return get(actor, pk) if pk is not None else None


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
    """A unit by the text typed in a box: its credit code (any unit: the code is public) or
    its name in scope. Never by id: digits typed there are a (mistyped) credit code."""
    from civicgrid.party.selectors import units_visible

    raw = raw.strip()
    if not raw:
        raise ValidationError(_("请选择单位"), field=field)
    credit_code = normalise_credit_code(raw)
    if len(credit_code) == 18 and credit_code.isascii():
        found = Organisation.objects.filter(credit_code=credit_code).first()
        if found is None:
            raise ValidationError(
                _("未找到统一社会信用代码为{code}的单位").format(code=credit_code), field=field
            )
        return found
    if raw.isascii() and raw.replace("-", "").replace(" ", "").isalnum():
        raise ValidationError(_("统一社会信用代码应为18位"), field=field)
    found_by_name = list(units_visible(actor).filter(name=raw)[:2])
    if len(found_by_name) != 1:
        raise ValidationError(
            _("辖区内未找到唯一的单位「{raw}」，请填写统一社会信用代码").format(raw=raw), field=field
        )
    return found_by_name[0]


def unit_from_form(
    request: HttpRequest, *, code_field: str = "unit_code", pick_field: str = "unit"
) -> Organisation:
    """The unit a form names: a credit code (or name) typed in ``code_field``, else the unit
    picked from the drop-down ``pick_field`` (an id, looked up in scope)."""
    found = unit_or_none(request, code_field=code_field, pick_field=pick_field)
    if found is None:
        raise ValidationError(_("请选择单位"), field=pick_field)
    return found


def unit_or_none(
    request: HttpRequest, *, code_field: str = "unit_code", pick_field: str = "unit"
) -> Organisation | None:
    """As ``unit_from_form``, None when neither field is filled in."""
    from civicgrid.party.selectors import units_visible

    typed = value(request, code_field)
    if typed:
        return find_unit(request.user, typed, code_field)
    raw = value(request, pick_field)
    if not raw:
        return None
    pk = pk_or_none(raw)
    found = units_visible(request.user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError(_("单位不存在或不在您的管辖范围内"), field=pick_field)
    return found


def under_param(request: HttpRequest) -> Node | None:
    raw = request.GET.get("under", "")
    return picked(request.user, raw, node_get)
