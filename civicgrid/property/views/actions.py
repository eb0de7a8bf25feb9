"""The forms of red property: each runs one service and goes back to the page it came from.

A refusal of bad input (``ValidationError``) or of a stale or clashing write (``Conflict``)
shows the page again with status 422 (409), the reason above it and what was typed still in
the form (``Kept``); other refusals (no permission) say so and go back, as before."""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import CivicError, Conflict, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.once import Repeated, guard, repeated
from civicgrid.core.views_forms import date_or_none, labelled, pk_or_none, value
from civicgrid.property import selectors, services
from civicgrid.property.constants import CheckItem
from civicgrid.property.models import Inspection
from civicgrid.property.views.common import (
    CONTRACT_END_LABELS,
    CONTRACT_VOID_LABELS,
    CREDIT_LABELS,
    INSPECTION_LABELS,
    INSPECTION_VOID_LABELS,
    LABELS,
    MEMBER_END_LABELS,
    REVERSE_LABELS,
    TERM_LABELS,
    Kept,
    kept_from,
    version,
)
from civicgrid.property.views.pages import company_page, compound_page, inspection_page
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node


def _run(
    request: HttpRequest,
    call: Callable[[], Any],
    done: str,
    back: str,
    *,
    labels: Mapping[str, StrOrPromise],
    again: Callable[[Kept, int], HttpResponse],
    kept: Kept,
    once: bool = False,
) -> HttpResponse:
    """Run a form's service: on success a message and back; a refusal of the input shows the
    page again (``again``) keeping what was typed; ``once`` guards it by the form's token."""
    try:
        if once:
            with guard(request):
                call()
        else:
            call()
    except Repeated:
        return repeated(request, back)
    except (ValidationError, Conflict) as exc:
        messages.error(request, labelled(exc, labels))
        return again(kept, 422 if isinstance(exc, ValidationError) else exc.http_status)
    except CivicError as exc:
        messages.error(request, labelled(exc, labels))
        return HttpResponseRedirect(back)
    messages.success(request, done)
    return HttpResponseRedirect(back)


def _on_compound(request: HttpRequest, compound: Node) -> Callable[[Kept, int], HttpResponse]:
    return lambda kept, status: compound_page(request, compound, kept, status)


def _on_company(request: HttpRequest, company: Organisation) -> Callable[[Kept, int], HttpResponse]:
    return lambda kept, status: company_page(request, company, kept, status)


def _candidate(request: HttpRequest, compound: Node) -> Resident:
    """The resident picked for a committee member, among those of the compound offered to
    whoever manages its committee (``selectors.member_candidates``)."""
    resident_id = pk_or_none(value(request, "resident"))
    found = None
    if resident_id is not None:
        found = selectors.member_candidates(request.user, compound).filter(pk=resident_id).first()
    if found is None:
        raise ValidationError(_("居民不存在或您无权查看"), field="resident")
    return found


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
    return _run(
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
        again=_on_compound(request, found),
        kept=kept_from(request, "contract_new"),
    )


@login_required
@require_POST
def contract_end(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.contract_get(request.user, pk)
    return _run(
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
        again=_on_compound(request, found.node),
        kept=kept_from(request, "contract_end"),
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

    return _run(
        request,
        record,
        _("检查已记录"),
        reverse("property:compound", args=[pk]),
        labels=INSPECTION_LABELS,
        again=_on_compound(request, found),
        kept=kept_from(request, "inspection"),
        once=True,
    )


@login_required
@require_POST
def profile_set(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.company_get(request.user, pk)
    return _run(
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
        again=_on_company(request, found),
        kept=kept_from(request, "profile"),
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

    return _run(
        request,
        adjust,
        _("信用分已记录"),
        reverse("property:company", args=[pk]),
        labels=CREDIT_LABELS,
        again=_on_company(request, found),
        kept=kept_from(request, "credit"),
        once=True,
    )


@login_required
@require_POST
def committee_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.compound_get(request.user, pk)
    return _run(
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
        again=_on_compound(request, found),
        kept=kept_from(request, "committee"),
    )


@login_required
@require_POST
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.committee_get(request.user, pk)

    def add() -> object:
        resident = _candidate(request, found.node) if value(request, "resident") else None
        return services.committee_member_add(
            actor=request.user,
            committee=found,
            name=value(request, "name") or (resident.name if resident else ""),
            post=value(request, "post"),
            resident=resident,
            is_party_member=value(request, "is_party_member") == "1",
            negative_items=[v for v in request.POST.getlist("negative_items") if v],
            joined_on=date_or_none(value(request, "joined_on"), "joined_on", _("加入日期")),
        )

    return _run(
        request,
        add,
        _("候选人审查通过，已加入业委会"),
        reverse("property:compound", args=[found.node_id]),
        labels=LABELS,
        again=_on_compound(request, found.node),
        kept=kept_from(request, "member_new", found.pk),
    )


@login_required
@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.member_get(request.user, pk)
    return _run(
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
        again=_on_compound(request, found.committee.node),
        kept=kept_from(request, "member_end", found.pk),
    )


@login_required
@require_POST
def contract_void(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.contract_get(request.user, pk)
    return _run(
        request,
        lambda: services.contract_void(
            actor=request.user,
            contract=found,
            reason=value(request, "reason"),
            expected_version=version(request),
        ),
        _("已撤销该条进驻录入"),
        reverse("property:compound", args=[found.node_id]),
        labels=CONTRACT_VOID_LABELS,
        again=_on_compound(request, found.node),
        kept=kept_from(request, "contract_void", found.pk),
    )


@login_required
@require_POST
def inspection_void(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.inspection_get(request.user, pk)
    return _run(
        request,
        lambda: services.inspection_void(
            actor=request.user, inspection=found, reason=value(request, "reason")
        ),
        _("检查记录已作废"),
        reverse("property:inspection", args=[pk]),
        labels=INSPECTION_VOID_LABELS,
        again=lambda kept, status: inspection_page(request, found, kept, status),
        kept=kept_from(request, "inspection_void"),
    )


@login_required
@require_POST
def credit_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.credit_entry_get(request.user, pk)
    found = selectors.company_get(request.user, entry.company_id)
    back = reverse("property:company", args=[found.pk]) + f"?year={entry.year}"
    return _run(
        request,
        lambda: services.credit_reverse(actor=request.user, entry=entry, reason=value(request, "reason")),
        _("已冲正该条信用记录"),
        back,
        labels=REVERSE_LABELS,
        again=_on_company(request, found),
        kept=kept_from(request, "reverse", entry.pk),
    )


@login_required
@require_POST
def member_link(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.member_get(request.user, pk)
    compound = found.committee.node
    return _run(
        request,
        lambda: services.committee_member_link(
            actor=request.user, member=found, resident=_candidate(request, compound)
        ),
        _("已关联居民档案"),
        reverse("property:compound", args=[compound.pk]),
        labels=LABELS,
        again=_on_compound(request, compound),
        kept=kept_from(request, "member_link", found.pk),
    )


@login_required
@require_POST
def committee_term(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.committee_get(request.user, pk)
    return _run(
        request,
        lambda: services.committee_term_correct(
            actor=request.user,
            committee=found,
            term_starts_on=date_or_none(value(request, "term_starts_on"), "term_starts_on", _("任期开始")),
            term_ends_on=date_or_none(value(request, "term_ends_on"), "term_ends_on", _("任期结束")),
            reason=value(request, "reason"),
        ),
        _("任期已更正"),
        reverse("property:compound", args=[found.node_id]),
        labels=TERM_LABELS,
        again=_on_compound(request, found.node),
        kept=kept_from(request, "committee_term", found.pk),
    )
