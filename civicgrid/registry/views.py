"""Registry pages: searchable, filterable, paginated lists; masked PII with audited reveal."""

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require, require_any, scope_filter
from civicgrid.core import once
from civicgrid.core.errors import CivicError, NotFound, PermissionDenied, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.validators import fold
from civicgrid.core.views_forms import act, error_summary
from civicgrid.exchange.views_export import export_now_or_later
from civicgrid.registry import exports as registry_exports
from civicgrid.registry import selectors, services
from civicgrid.registry.constants import SENSITIVE_TAGS
from civicgrid.registry.forms import CLEARING, DwellingForm, ResidentForm, attach_errors, clear_conflicts
from civicgrid.registry.models import (
    Dwelling,
    DwellingUse,
    Gender,
    Household,
    LeftReason,
    OrganisationKind,
    ResidenceType,
    Resident,
    ResidentAccount,
    ResidentTag,
)
from civicgrid.registry.pii import PiiSearchLimited, pii_kind
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get


def _under(request: HttpRequest) -> Node | None:
    raw = request.GET.get("under", "")
    return node_get(request.user, int(raw)) if raw.isdecimal() else None


def _tags_offered(user: Any) -> Any:
    """The tags the filter offers: the sensitive ones only to those who may reveal PII."""
    tags = ResidentTag.objects.all()
    if not has_capability(user, Capability.PII_VIEW):
        tags = tags.exclude(code__in=SENSITIVE_TAGS)
    return tags


def _export(
    request: HttpRequest,
    qs: QuerySet[Any],
    xlsx: Callable[..., HttpResponse],
    *,
    source: str,
    list_name: str,
    params: dict[str, Any],
    labelled: list[tuple[str, Any]],
    background: bool = True,
) -> HttpResponse:
    """The list as .xlsx at once, or past ``BACKGROUND_FROM`` rows written by the task worker
    (下载中心, ``registry.exports``); one count of what the actor may export."""
    count = scope_filter(qs, request.user, Capability.EXPORT).count()
    now = partial(xlsx, request.user, qs, count=count)
    if not background:
        return now()
    return export_now_or_later(
        request,
        count=count,
        now=now,
        source=source,
        list_name=list_name,
        params=params,
        filters=params,
        description=registry_exports.described(labelled),
    )


def _choice(choices: Any, value: str) -> Any:
    return dict(choices).get(value, value)


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    under = _under(request)
    context: dict[str, Any] = {
        "under": under,
        "query": query_without_page(request),
        "tags": _tags_offered(request.user),
        "residence_types": ResidenceType.choices,
        "genders": Gender.choices,
        "statuses": [
            (selectors.STATUS_ACTIVE, _("在册")),
            (selectors.STATUS_MOVED_OUT, _("不在册（迁出、死亡等）")),
            (selectors.STATUS_ALL, _("全部")),
        ],
        "params": request.GET,
        "can_add": has_capability(request.user, Capability.REGISTRY_EDIT),
    }
    try:
        qs = selectors.resident_search(
            request.user,
            q=request.GET.get("q", ""),
            under=under,
            tag=request.GET.get("tag", ""),
            residence_type=request.GET.get("residence_type", ""),
            gender=request.GET.get("gender", ""),
            status=request.GET.get("status", ""),
        )
    except (PiiSearchLimited, PermissionDenied) as exc:  # the form stays, the reason above an empty list
        context |= {"page": paginate(request, Resident.objects.none()), "error": exc.message}
        return render(request, "registry/residents.html", context, status=exc.http_status)
    status = 200
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import residents_xlsx

        g = request.GET
        q = g.get("q", "").strip()
        try:
            return _export(
                request,
                qs,
                residents_xlsx,
                source=registry_exports.RESIDENTS,
                list_name=_("实有人口"),
                params=registry_exports.resident_params(
                    under=under,
                    q=q,
                    tag=g.get("tag", ""),
                    residence_type=g.get("residence_type", ""),
                    gender=g.get("gender", ""),
                    status=g.get("status", ""),
                ),
                labelled=[
                    (_("区域"), under.name if under else ""),
                    (_("关键词"), q),
                    (_("标签"), _choice(context["tags"].values_list("code", "name"), g.get("tag", ""))),
                    (_("人口类型"), _choice(ResidenceType.choices, g.get("residence_type", ""))),
                    (_("性别"), _choice(Gender.choices, g.get("gender", ""))),
                    (_("状态"), _choice(context["statuses"], g.get("status", ""))),
                ],
                background=not pii_kind(q),  # an ID number or phone finds a handful, kept nowhere
            )
        except CivicError as exc:  # too many to export: the list stays, with why there is no file
            messages.error(request, exc.message)
            status = exc.http_status
    context["page"] = page = paginate(request, qs)
    for resident in page:
        resident.area = selectors.area_label(resident.node)
    return render(request, "registry/residents.html", context, status=status)


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(request.user, pk)
    return render(
        request,
        "registry/resident.html",
        {
            "resident": resident,
            "area": selectors.area_label(resident.node),
            "can_reveal": can(request.user, Capability.PII_VIEW, resident.node_path),
            "can_edit": can(request.user, Capability.REGISTRY_EDIT, resident.node_path),
            "account": ResidentAccount.objects.filter(resident=resident).select_related("user").first(),
            "left_reasons": LeftReason.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def resident_account(request: HttpRequest, pk: int) -> HttpResponse:
    """开通居民账号: the resident's own sign-in for the H5 pages (volunteers, points, party),
    with a first password they change at the first sign-in."""
    resident = selectors.resident_get(request.user, pk)
    username = request.POST.get("username", "")
    return act(
        request,
        lambda: services.resident_account_open(
            actor=request.user,
            resident=resident,
            username=username,
            password=request.POST.get("password", ""),
            first_password=True,
        ),
        _("已开通居民账号 {username}，居民首次登录须修改密码").format(username=username.strip()),
        reverse("registry:resident", args=[pk]),
        labels={"username": _("登录名"), "password": _("初始密码"), "resident": _("居民")},
    )


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    clear = services.resident_reveal(actor=request.user, resident_id=pk)
    return render(request, "registry/_revealed.html", {"clear": clear})


@login_required
def dwelling_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    under = _under(request)
    use, q = request.GET.get("use", ""), request.GET.get("q", "").strip()
    qs = selectors.dwelling_search(request.user, under=under, use=use, q=q)
    status = 200
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import dwellings_xlsx

        try:
            return _export(
                request,
                qs,
                dwellings_xlsx,
                source=registry_exports.DWELLINGS,
                list_name=_("实有房屋"),
                params=registry_exports.dwelling_params(under=under, use=use, q=q),
                labelled=[
                    (_("区域"), under.name if under else ""),
                    (_("使用情况"), _choice(DwellingUse.choices, use)),
                    (_("关键词"), q),
                ],
            )
        except CivicError as exc:  # too many to export: the list stays, with why there is no file
            messages.error(request, exc.message)
            status = exc.http_status
    page = paginate(request, qs)
    for dwelling in page:
        dwelling.can_edit = can(request.user, Capability.REGISTRY_EDIT, dwelling.node_path)
    return render(
        request,
        "registry/dwellings.html",
        {
            "page": page,
            "under": under,
            "uses": DwellingUse.choices,
            "query": query_without_page(request),
            "params": request.GET,
        },
        status=status,
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REGISTRY_VIEW)
    under = _under(request)
    kind, q = request.GET.get("kind", ""), request.GET.get("q", "").strip()
    qs = selectors.organisation_search(request.user, under=under, kind=kind, q=q)
    status = 200
    if request.GET.get("export") == "xlsx":
        from civicgrid.exchange.exports import organisations_xlsx

        try:
            return _export(
                request,
                qs,
                organisations_xlsx,
                source=registry_exports.ORGANISATIONS,
                list_name=_("实有单位"),
                params=registry_exports.organisation_params(under=under, kind=kind, q=q),
                labelled=[
                    (_("区域"), under.name if under else ""),
                    (_("单位类型"), _choice(OrganisationKind.choices, kind)),
                    (_("关键词"), q),
                ],
            )
        except CivicError as exc:  # too many to export: the list stays, with why there is no file
            messages.error(request, exc.message)
            status = exc.http_status
    page = paginate(request, qs)
    for org in page:
        org.can_reveal = can(request.user, Capability.PII_VIEW, org.node_path)
    return render(
        request,
        "registry/organisations.html",
        {
            "page": page,
            "under": under,
            "kinds": OrganisationKind.choices,
            "query": query_without_page(request),
            "params": request.GET,
        },
        status=status,
    )


@login_required
@require_POST
def organisation_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisations_visible(request.user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("单位不存在或您无权查看"))
    clear = services.organisation_reveal_pii(actor=request.user, organisation=org)
    return render(request, "registry/_revealed.html", {"clear": clear})


# --- registering and correcting residents -------------------------------------------------


def _edit_nodes(user: Any) -> list[Node]:
    """Where the user may register residents (grids, compounds, buildings, …), by path."""
    qs = Node.objects.filter(kind__in=services.RESIDENT_NODE_KINDS, is_active=True)
    return list(scope_filter(qs, user, Capability.REGISTRY_EDIT, field="path").order_by("path")[:2000])


def _form_page(
    request: HttpRequest, form: ResidentForm, resident: Resident | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "resident": resident, "nodes": _edit_nodes(request.user)}
    if form.is_bound and _taken(form):  # the holder, to one who may see them: a link (back)
        holder = selectors.id_holder_visible(request.user, str(form.data.get("id_number", "")))
        if holder is not None and holder != resident:
            context["moved_out" if not holder.is_active else "holder"] = holder
    return render(request, "registry/resident_form.html", context, status=status)


def _taken(form: ResidentForm) -> bool:
    """Whether the form's ID number was refused as registered already (the audited search)."""
    taken = _("该身份证号已登记")
    return any(str(reason).startswith(taken) for reason in form.errors.get("id_number", []))


def _refused(request: HttpRequest, form: ResidentForm, exc: CivicError | None = None) -> None:
    if exc is not None:
        attach_errors(form, exc)
    else:
        _checked_too(form)
    messages.error(request, error_summary(form))


def _checked_too(form: ResidentForm) -> None:
    """The service's checks of the fields the form let through (an ID number's check digit,
    a phone…), so a refused form names every bad field at once, not only the form's own."""
    fields = ("name", "id_number", "phone", "gender", "residence_type", "birth_date")
    data = {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
    for name, reasons in services.resident_validate(data).items():
        if name in data and name not in form.errors:
            for reason in reasons:
                form.add_error(name, reason)


def _looked_up(request: HttpRequest, form: ResidentForm) -> tuple[Node | None, Household | None]:
    """The node and household the form names, within what the user may see; a reason at the
    field for one that names nothing the user may see."""
    data = form.cleaned_data
    node = None
    if data.get("node"):
        try:
            node = node_get(request.user, data["node"])
        except NotFound:
            form.add_error("node", _("所属区域不存在或不在您的管辖范围内"))
    household = None
    if code := fold(data.get("household_code") or "").upper():
        household = selectors.households_visible(request.user).filter(code=code).first()
        if household is None:
            form.add_error("household_code", _("户编码 {code} 不存在或不在您的管辖范围内").format(code=code))
    return node, household


@login_required
def resident_new(request: HttpRequest) -> HttpResponse:
    """新增居民: a resident who moved in, registered in a node of the user's scope."""
    require_any(request.user, Capability.REGISTRY_EDIT)
    if request.method != "POST":
        raw = request.GET.get("node", "")
        initial = {"residence_type": ResidenceType.REGISTERED, "node": int(raw) if raw.isdecimal() else None}
        return _form_page(request, ResidentForm(initial=initial))
    form = ResidentForm(request.POST)
    valid = form.is_valid()
    node, household = _looked_up(request, form) if valid else (None, None)
    if valid and not form.errors:
        data = form.cleaned_data
        try:
            # Asked outside the guard's transaction: the ID search's audit row outlives the refusal.
            if taken := services.resident_id_check(
                actor=request.user, node=node, id_number=data["id_number"]
            ):
                raise ValidationError(taken, field="id_number")
            with once.guard(request):
                resident = services.resident_create(
                    actor=request.user,
                    node=node,  # type: ignore[arg-type]  # the form requires it
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    gender=data["gender"],
                    birth_date=data["birth_date"],
                    residence_type=data["residence_type"],
                    household=household,
                    relation_to_head=data["relation_to_head"],
                    tags=data["tags"],
                    note=data["note"],
                )
        except once.Repeated:
            return once.repeated(request, "registry:residents")
        except CivicError as exc:
            _refused(request, form, exc)
            return _form_page(request, form, status=exc.http_status)
        messages.success(request, _("已登记居民 {name}").format(name=resident.name))
        return redirect("registry:resident", resident.pk)
    _refused(request, form)
    return _form_page(request, form, status=422)


def _edit_initial(resident: Resident) -> dict[str, Any]:
    """What the edit form starts with: everything but the ID number, the phone and the birth
    date (the full date is part of the audited reveal; left empty, the stored one stays)."""
    return {
        "node": resident.node_id,
        "name": resident.name,
        "gender": resident.gender,
        "residence_type": resident.residence_type,
        "household_code": resident.household.code if resident.household else "",
        "relation_to_head": resident.relation_to_head,
        "tags": [t.code for t in resident.tags.all()],
        "note": resident.note,
        "updated_at": resident.updated_at.isoformat(),
    }


def _changes(
    resident: Resident, data: dict[str, Any], node: Node | None, household: Household | None
) -> dict[str, Any]:
    """What the edit form changes. An empty ID number, phone or birth date keeps the stored
    one unless its 清除 box is ticked; gender only when edited (with an ID number it follows
    it). A typed birth date (or the 清除 box) is always passed on, even one equal to the stored
    date: the service refuses it alike whatever its value while an ID number gives the date,
    so the answer never tells whether a guessed date is the stored one."""
    changes: dict[str, Any] = {
        "name": data["name"],
        "residence_type": data["residence_type"],
        "relation_to_head": data["relation_to_head"],
        "note": data["note"],
        "tags": data["tags"],
    }
    for field, box in CLEARING:
        if data[field] or data[box]:
            changes[field] = data[field]  # empty with the box ticked: taken off
    if data["gender"] and data["gender"] != resident.gender:
        changes["gender"] = data["gender"]
    if data["birth_date"]:
        changes["birth_date"] = data["birth_date"]
    elif data["clear_birth_date"]:
        changes["birth_date"] = None  # taken off (refused while an ID number gives it)
    if node is not None and node.pk != resident.node_id:
        changes["node"] = node
    if (household.pk if household else None) != resident.household_id:
        changes["household"] = household
    return changes


def _expected(raw: str) -> datetime | None:
    return parse_datetime(raw.strip()) if raw.strip() else None


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑居民: correct what was registered wrongly. The typed ID number or phone replaces the
    stored one; left empty, the stored one stays."""
    resident = Resident.objects.select_related("node", "household").get(
        pk=selectors.resident_get(request.user, pk).pk
    )
    require(request.user, Capability.REGISTRY_EDIT, resident.node_path)
    if request.method != "POST":
        return _form_page(request, ResidentForm(initial=_edit_initial(resident)), resident)
    form = ResidentForm(request.POST)
    valid = form.is_valid()
    if valid:
        clear_conflicts(form)
    node, household = _looked_up(request, form) if valid else (None, None)
    if valid and not form.errors:
        data = form.cleaned_data
        try:
            saved = services.resident_update(
                actor=request.user,
                resident=resident,
                expected_updated_at=_expected(data["updated_at"]),
                **_changes(resident, data, node, household),
            )
        except CivicError as exc:
            _refused(request, form, exc)
            return _form_page(request, form, resident, status=exc.http_status)
        if saved.updated_at == resident.updated_at:  # nothing changed: nothing saved
            messages.info(request, _("{name} 的信息没有修改").format(name=saved.name))
        else:
            messages.success(request, _("已保存 {name} 的信息").format(name=data["name"].strip()))
        return redirect("registry:resident", resident.pk)
    _refused(request, form)
    return _form_page(request, form, resident, status=422)


def _typed_date(typed: str) -> date | str:
    """A date typed as YYYY-MM-DD, or the text as typed (the service refuses it by name)."""
    try:
        return date.fromisoformat(typed)
    except ValueError:
        return typed


LEAVING_LABELS = {
    "left_reason": gettext_lazy("注销原因"),
    "left_on": gettext_lazy("注销日期"),
    "left_note": gettext_lazy("去向或说明"),
    "is_active": gettext_lazy("在册"),
}


def _left_message(resident: Resident) -> str:
    """已办理：已故；居民账号已停用；结束关爱走访计划 1 项: what was done and what stopped with it."""
    parts = [_("已办理：{status}").format(status=resident.status_label), *resident.left_consequences]
    return "；".join(parts)


@login_required
@require_POST
def resident_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    """办理迁出 (``active=0``) or 恢复在册 (``active=1``) from the resident's page."""
    resident = selectors.resident_get(request.user, pk)
    active = request.POST.get("active") == "1"
    back = reverse("registry:resident", args=[pk])
    leaving: dict[str, Any] = {}
    if not active:
        typed = request.POST.get("left_on", "").strip()
        leaving = {
            "left_reason": request.POST.get("left_reason", ""),
            "left_on": _typed_date(typed),
            "left_note": request.POST.get("left_note", ""),
        }
    return act(
        request,
        lambda: services.resident_update(
            actor=request.user,
            resident=resident,
            expected_updated_at=_expected(request.POST.get("updated_at", "")),
            is_active=active,
            **leaving,
        ),
        lambda moved: _("已恢复在册") if active else _left_message(moved),
        back,
        labels=LEAVING_LABELS,
    )


# --- correcting dwellings -----------------------------------------------------------------


def _dwelling_nodes(user: Any) -> list[Node]:
    """The buildings and entrances a dwelling may be moved to: those the user may edit."""
    qs = Node.objects.filter(kind__in=services.DWELLING_NODE_KINDS, is_active=True)
    return list(scope_filter(qs, user, Capability.REGISTRY_EDIT, field="path").order_by("path")[:2000])


def _dwelling_page(
    request: HttpRequest, form: DwellingForm, dwelling: Dwelling, status: int = 200
) -> HttpResponse:
    context = {"form": form, "dwelling": dwelling, "nodes": _dwelling_nodes(request.user)}
    return render(request, "registry/dwelling_form.html", context, status=status)


@login_required
def dwelling_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑房屋: use (自住/出租/空置), area, owner, room, and the building or entrance."""
    dwelling = selectors.dwellings_visible(request.user).select_related("node").filter(pk=pk).first()
    if dwelling is None:
        raise NotFound(_("房屋不存在或您无权查看"))
    require(request.user, Capability.REGISTRY_EDIT, dwelling.node_path)
    if request.method != "POST":
        return _dwelling_page(request, DwellingForm(initial=DwellingForm.values_of(dwelling)), dwelling)
    form = DwellingForm(request.POST)
    node = None
    if form.is_valid():
        try:
            node = node_get(request.user, form.cleaned_data["node"])
        except NotFound:
            form.add_error("node", _("楼栋/单元不存在或不在您的管辖范围内"))
    if not form.errors:
        data = form.cleaned_data
        try:
            services.dwelling_update(
                actor=request.user,
                dwelling=dwelling,
                use=data["use"],
                room=data["room"],
                area=data["area"],
                owner_name=data["owner_name"],
                node=node,
                expected_updated_at=_expected(data["updated_at"]),
            )
        except CivicError as exc:
            attach_errors(form, exc)
            messages.error(request, error_summary(form))
            return _dwelling_page(request, form, dwelling, status=exc.http_status)
        messages.success(request, _("已保存房屋 {room} 的信息").format(room=fold(data["room"])))
        return redirect("registry:dwellings")
    # The service's checks of the fields the form let through: every bad field at once.
    fields = ("room", "use", "area", "owner_name")
    data = {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
    for name, reasons in services.dwelling_validate(data)[0].items():
        if name not in form.errors:
            for reason in reasons:
                form.add_error(name, reason)
    messages.error(request, error_summary(form))
    return _dwelling_page(request, form, dwelling, status=422)
