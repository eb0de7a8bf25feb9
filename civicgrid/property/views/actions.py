"""The forms of red property: each runs one service and goes back to the page it came from."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import ValidationError
from civicgrid.core.once import act_once
from civicgrid.core.views_forms import act, date_or_none, pk_or_none, value
from civicgrid.property import selectors, services
from civicgrid.property.constants import CheckItem
from civicgrid.property.models import Inspection
from civicgrid.property.views.common import (
    CONTRACT_END_LABELS,
    CREDIT_LABELS,
    LABELS,
    MEMBER_END_LABELS,
    version,
)
from civicgrid.registry.models import Organisation
from civicgrid.registry.selectors import residents_visible
from civicgrid.territory.models import Node


def _company(request: HttpRequest, field: str = "company") -> Organisation:
    picked = pk_or_none(value(request, field))
    # Any registered unit: a company about to enter is registered elsewhere (at the district);
    # the service refuses a unit that is no property company.
    found = Organisation.objects.filter(pk=picked).first() if picked is not None else None
    if found is None:
        raise ValidationError(_("请选择物业服务企业"), field=field)
    return found


@login_required
@require_POST
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.compound_get(request.user, pk)
    return act(
        request,
        lambda: services.contract_start(
            actor=request.user,
            compound=found,
            company=_company(request),
            starts_on=date_or_none(value(request, "starts_on"), "starts_on", _("进驻日期")),
            note=value(request, "note"),
        ),
        _("已登记物业企业进驻"),
        reverse("property:compound", args=[pk]),
        labels=LABELS,
    )


@login_required
@require_POST
def contract_end(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.contract_get(request.user, pk)
    return act(
        request,
        lambda: services.contract_end(
            actor=request.user,
            contract=found,
            ends_on=date_or_none(value(request, "ends_on"), "ends_on", _("退出日期")),
            reason=value(request, "reason"),
            note=value(request, "note"),
            expected_version=version(request),
        ),
        _("已登记物业企业退出"),
        reverse("property:compound", args=[found.node_id]),
        labels=CONTRACT_END_LABELS,
    )


@login_required
@require_POST
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.compound_get(request.user, pk)

    def record() -> Inspection:
        items = {
            item.value: services.ItemIn(
                deduction=value(request, f"deduction_{item.value}") or "0",
                note=value(request, f"note_{item.value}"),
            )
            for item in CheckItem
        }
        return services.inspection_record(
            actor=request.user,
            compound=found,
            inspected_on=date_or_none(value(request, "inspected_on"), "inspected_on", _("检查日期")),
            items=items,
            note=value(request, "note"),
            rectify_by=date_or_none(value(request, "rectify_by"), "rectify_by", _("整改期限")),
        )

    return act_once(request, record, _("检查已记录"), reverse("property:compound", args=[pk]), labels=LABELS)


@login_required
@require_POST
def profile_set(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.company_get(request.user, pk)
    return act(
        request,
        lambda: services.company_profile_set(
            actor=request.user,
            company=found,
            party_instructor=value(request, "party_instructor"),
            has_party_branch=value(request, "has_party_branch") == "1",
            expected_version=version(request),
        ),
        _("党建信息已保存"),
        reverse("property:company", args=[pk]),
        labels=LABELS,
    )


@login_required
@require_POST
def credit_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.company_get(request.user, pk)

    def adjust() -> object:
        node_id = pk_or_none(value(request, "node"))
        node = Node.objects.filter(pk=node_id).first() if node_id is not None else None
        if node is None:
            raise ValidationError(_("请选择加减分的区或街道"), field="node")
        return services.credit_adjust(
            actor=request.user,
            company=found,
            node=node,
            year=value(request, "year"),
            points=value(request, "points"),
            reason=value(request, "reason"),
        )

    return act_once(
        request, adjust, _("信用分已记录"), reverse("property:company", args=[pk]), labels=CREDIT_LABELS
    )


@login_required
@require_POST
def committee_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.compound_get(request.user, pk)
    return act(
        request,
        lambda: services.committee_create(
            actor=request.user,
            compound=found,
            term_starts_on=date_or_none(value(request, "term_starts_on"), "term_starts_on", _("任期开始")),
            term_ends_on=date_or_none(value(request, "term_ends_on"), "term_ends_on", _("任期结束")),
            note=value(request, "note"),
        ),
        _("业委会已登记"),
        reverse("property:compound", args=[pk]),
        labels=LABELS,
    )


@login_required
@require_POST
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.committee_get(request.user, pk)

    def add() -> object:
        picked = value(request, "resident")
        resident = None
        if picked:
            resident_id = pk_or_none(picked)
            resident = residents_visible(request.user).filter(pk=resident_id).first() if resident_id else None
            if resident is None:
                raise ValidationError(_("居民不存在或您无权查看"), field="resident")
        return services.committee_member_add(
            actor=request.user,
            committee=found,
            name=value(request, "name") or (resident.name if resident else ""),
            post=value(request, "post"),
            resident=resident,
            is_party_member=value(request, "is_party_member") == "1",
            negative_items=[v for v in request.POST.getlist("negative_items") if v],
        )

    return act(
        request,
        add,
        _("候选人审查通过，已加入业委会"),
        reverse("property:compound", args=[found.node_id]),
        labels=LABELS,
    )


@login_required
@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.member_get(request.user, pk)
    return act(
        request,
        lambda: services.committee_member_end(
            actor=request.user,
            member=found,
            ended_on=date_or_none(value(request, "ended_on"), "ended_on", _("离任日期")),
            reason=value(request, "reason"),
            note=value(request, "note"),
        ),
        _("已登记业委会成员离任"),
        reverse("property:compound", args=[found.committee.node_id]),
        labels=MEMBER_END_LABELS,
    )
