"""Contracts, companies and the board, inspections, credit and owners' committees.

Every list is cut to the caller's scope (``PROPERTY_VIEW``); every write goes through the
same service as the pages, so the checks, refusals and audit rows are the same.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from civicgrid.accounts.selectors import require_any
from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.property import selectors, services
from civicgrid.property.api.schemas import (
    ERRORS,
    BoardOut,
    ChoiceOut,
    CommitteeFilters,
    CommitteeIn,
    CommitteeMemberEndIn,
    CommitteeMemberOut,
    CommitteePage,
    CommitteeTermIn,
    CompanyFilters,
    CompanyOut,
    CompanyPage,
    ContractEndIn,
    ContractFilters,
    ContractIn,
    ContractOut,
    ContractPage,
    ContractVoidIn,
    CreditFilters,
    CreditIn,
    CreditPage,
    InspectionFilters,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    MemberIn,
    MemberLinkIn,
    OwnersCommitteeOut,
    PageIn,
    ProfileIn,
    ReasonIn,
)
from civicgrid.property.constants import CHECK_ITEM_MAX, CheckItem, NegativeItem
from civicgrid.property.models import CompanyProfile
from civicgrid.property.permissions import VIEW
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node

router = Router(tags=["红色物业 进驻退出·检查·信用分·业委会"])


def _page(qs: Any, f: PageIn) -> dict[str, Any]:
    """One page of ``qs``; ``f.limit`` (1 to 200) and ``f.offset`` (from 0) were checked by
    ``PageIn``, which refuses a value out of range (422 naming 每页条数 or 偏移)."""
    return {"count": qs.count(), "results": list(qs[f.offset : f.offset + f.limit])}


def _year(year: int | None) -> int:
    this_year = timezone.localdate().year
    if year is None:
        return this_year
    if not 2000 <= year <= this_year:
        raise ValidationError(_("年度应为2000到{year}之间的整数").format(year=this_year), field="year")
    return year


def _company_for_write(pk: int) -> Organisation:
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError(_("物业服务企业不存在"), field="company_id")
    return found


# --- lists of the standard checklist and the negative list --------------------------------------


@router.get(
    "/checklist",
    # A fixed list any signed-in caller may read: no 403.
    response={200: list[ChoiceOut], 401: ERRORS[401]},
    summary="物业检查标准项目及最高扣分",
)
def checklist(request: HttpRequest) -> Any:
    return [{"value": i.value, "label": str(i.label), "max_deduction": CHECK_ITEM_MAX[i]} for i in CheckItem]


@router.get(
    "/negative-list",
    # A fixed list any signed-in caller may read: no 403.
    response={200: list[ChoiceOut], 401: ERRORS[401]},
    summary="业委会候选人负面清单",
)
def negative_list(request: HttpRequest) -> Any:
    return [{"value": i.value, "label": str(i.label)} for i in NegativeItem]


# --- contracts ----------------------------------------------------------------------------------


@router.get("/contracts", response={200: ContractPage, **ERRORS}, summary="物业服务合同（进驻与退出）列表")
def contract_list(request: HttpRequest, f: Query[ContractFilters]) -> Any:
    qs = selectors.contracts_visible(request.user).order_by("node_path", "-starts_on", "-id")
    if f.compound is not None:
        qs = qs.filter(node_id=f.compound)
    if f.company is not None:
        qs = qs.filter(company_id=f.company)
    if f.open is not None:
        qs = qs.filter(ends_on__isnull=f.open)
    return _page(qs, f)


@router.get("/contracts/{int:contract_id}", response={200: ContractOut, **ERRORS}, summary="物业服务合同详情")
def contract_detail(request: HttpRequest, contract_id: Integer) -> Any:
    return selectors.contract_get(request.user, contract_id)


@router.post("/contracts", response={201: ContractOut, **ERRORS}, summary="登记物业企业进驻小区")
def contract_create(request: HttpRequest, payload: ContractIn) -> Any:
    contract = services.contract_start(
        actor=request.user,
        compound=selectors.compound_get(request.user, payload.compound_id),
        company=_company_for_write(payload.company_id),
        starts_on=payload.starts_on,
        note=payload.note,
    )
    return Status(201, selectors.contract_get(request.user, contract.pk))


@router.post(
    "/contracts/{int:contract_id}/end", response={200: ContractOut, **ERRORS}, summary="登记物业企业退出"
)
def contract_end(request: HttpRequest, contract_id: Integer, payload: ContractEndIn) -> Any:
    services.contract_end(
        actor=request.user,
        contract=selectors.contract_get(request.user, contract_id),
        ends_on=payload.ends_on,
        reason=payload.reason,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return selectors.contract_get(request.user, contract_id)


@router.post(
    "/contracts/{int:contract_id}/void",
    response={200: ContractOut, **ERRORS},
    summary="撤销误录的物业企业进驻（无有效检查时）",
)
def contract_void(request: HttpRequest, contract_id: Integer, payload: ContractVoidIn) -> Any:
    services.contract_void(
        actor=request.user,
        contract=selectors.contract_get(request.user, contract_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return selectors.contract_get(request.user, contract_id)


# --- companies and the board -------------------------------------------------------------------


def _company_out(actor: Any, company: Organisation, year: int) -> dict[str, Any]:
    profile = CompanyProfile.objects.filter(company=company).first()
    score = selectors.score(company, year)
    contracts = (
        selectors.contracts_visible(actor)
        .filter(company=company, voided_at__isnull=True)
        .order_by("ends_on", "-starts_on")
    )
    return {
        "id": company.pk,
        "name": company.name,
        "credit_code": company.credit_code,
        "year": year,
        "score": score,
        "board_list": selectors.board_list(score),
        "party_instructor": profile.party_instructor if profile else "",
        "has_party_branch": profile.has_party_branch if profile else False,
        "profile_version": profile.version if profile else 0,
        "compounds_served": list(contracts),
    }


@router.get("/companies", response={200: CompanyPage, **ERRORS}, summary="物业服务企业列表")
def company_list(request: HttpRequest, f: Query[CompanyFilters]) -> Any:
    qs = selectors.companies_visible(request.user).order_by("name", "id")
    if f.q.strip():
        qs = qs.filter(name__contains=f.q.strip()[:50])
    return _page(qs, f)


@router.get(
    "/companies/{int:company_id}",
    response={200: CompanyOut, **ERRORS},
    summary="物业服务企业详情（含信用分）",
)
def company_detail(request: HttpRequest, company_id: Integer, year: Integer | None = None) -> Any:
    return _company_out(request.user, selectors.company_get(request.user, company_id), _year(year))


@router.put(
    "/companies/{int:company_id}/profile",
    response={200: CompanyOut, **ERRORS},
    summary="设置物业企业党建信息（党建指导员、党组织）",
)
def company_profile(request: HttpRequest, company_id: Integer, payload: ProfileIn) -> Any:
    company = selectors.company_get(request.user, company_id)
    services.company_profile_set(
        actor=request.user,
        company=company,
        party_instructor=payload.party_instructor,
        has_party_branch=payload.has_party_branch,
        expected_version=payload.expected_version,
    )
    return _company_out(request.user, company, _year(None))


@router.get("/board", response={200: BoardOut, **ERRORS}, summary="物业企业信用红黑榜")
def board(request: HttpRequest, year: Integer | None = None) -> Any:
    require_any(request.user, VIEW)  # as the board page (/property/): 403 without PROPERTY_VIEW
    found = selectors.board(request.user, _year(year))
    return {
        "year": found.year,
        "red_min": found.red_min,
        "black_below": found.black_below,
        "rows": [
            {
                "rank": r.rank,
                "company_id": r.company.pk,
                "company": r.company.name,
                "score": r.score,
                "compounds": r.compounds,
                "inspections": r.inspections,
                "deducted": r.deducted,
                "board_list": r.list,
            }
            for r in found.rows
        ],
    }


# --- inspections and credit --------------------------------------------------------------------


@router.get("/inspections", response={200: InspectionPage, **ERRORS}, summary="物业检查列表")
def inspection_list(request: HttpRequest, f: Query[InspectionFilters]) -> Any:
    qs = selectors.inspections_visible(request.user).prefetch_related("items")
    if f.compound is not None:
        qs = qs.filter(node_id=f.compound)
    if f.company is not None:
        qs = qs.filter(company_id=f.company)
    return _page(qs, f)


@router.get(
    "/inspections/{int:inspection_id}", response={200: InspectionOut, **ERRORS}, summary="物业检查详情"
)
def inspection_detail(request: HttpRequest, inspection_id: Integer) -> Any:
    return selectors.inspection_get(request.user, inspection_id)


@router.post(
    "/inspections", response={201: InspectionOut, **ERRORS}, summary="记录物业检查（自动计入信用分）"
)
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Any:
    inspection = services.inspection_record(
        actor=request.user,
        compound=selectors.compound_get(request.user, payload.compound_id),
        inspected_on=payload.inspected_on,
        items={k: services.ItemIn(deduction=v.deduction, note=v.note) for k, v in payload.items.items()},
        note=payload.note,
        rectify_by=payload.rectify_by,
    )
    return Status(201, selectors.inspection_get(request.user, inspection.pk))


@router.post(
    "/inspections/{int:inspection_id}/void",
    response={200: InspectionOut, **ERRORS},
    summary="作废误录的物业检查（扣分由冲正记录抵消）",
)
def inspection_void(request: HttpRequest, inspection_id: Integer, payload: ReasonIn) -> Any:
    services.inspection_void(
        actor=request.user,
        inspection=selectors.inspection_get(request.user, inspection_id),
        reason=payload.reason,
    )
    return selectors.inspection_get(request.user, inspection_id)


@router.get("/credit", response={200: CreditPage, **ERRORS}, summary="物业企业信用记录（某年度）")
def credit_list(request: HttpRequest, f: Query[CreditFilters]) -> Any:
    found = selectors.company_get(request.user, f.company)
    year = _year(f.year)
    page = _page(selectors.ledger(request.user, found, year), f)
    return {
        "company_id": found.pk,
        "year": year,
        "score": selectors.score(found, year),
        **_elsewhere(request.user, found, year),
        **page,
    }


def _elsewhere(actor: Any, company: Organisation, year: int) -> dict[str, int]:
    found = selectors.ledger_elsewhere(actor, company, year)
    return {"elsewhere_count": found.count, "elsewhere_points": found.points}


@router.post("/credit", response={201: CreditPage, **ERRORS}, summary="区、街道给物业企业加分或扣分")
def credit_create(request: HttpRequest, payload: CreditIn) -> Any:
    company = selectors.company_get(request.user, payload.company_id)
    node = Node.objects.filter(pk=payload.node_id).first()
    if node is None:
        raise ValidationError(_("请选择加减分的区或街道"), field="node_id")
    entry = services.credit_adjust(
        actor=request.user,
        company=company,
        node=node,
        year=payload.year,
        points=payload.points,
        reason=payload.reason,
    )
    rows = list(selectors.ledger(request.user, company, entry.year).filter(pk=entry.pk))
    return Status(
        201,
        {
            "company_id": company.pk,
            "year": entry.year,
            "score": selectors.score(company, entry.year),
            **_elsewhere(request.user, company, entry.year),
            "count": len(rows),
            "results": rows,
        },
    )


@router.post(
    "/credit/{int:entry_id}/reverse",
    response={201: CreditPage, **ERRORS},
    summary="冲正一条手工加分或扣分（须填写原因）",
)
def credit_reverse(request: HttpRequest, entry_id: Integer, payload: ReasonIn) -> Any:
    entry = selectors.credit_entry_get(request.user, entry_id)
    company = selectors.company_get(request.user, entry.company_id)
    reversal = services.credit_reverse(actor=request.user, entry=entry, reason=payload.reason)
    rows = list(selectors.ledger(request.user, company, entry.year).filter(pk__in=[entry.pk, reversal.pk]))
    return Status(
        201,
        {
            "company_id": company.pk,
            "year": entry.year,
            "score": selectors.score(company, entry.year),
            **_elsewhere(request.user, company, entry.year),
            "count": len(rows),
            "results": rows,
        },
    )


# --- owners' committees ------------------------------------------------------------------------


@router.get("/committees", response={200: CommitteePage, **ERRORS}, summary="业主委员会列表")
def committee_list(request: HttpRequest, f: Query[CommitteeFilters]) -> Any:
    qs = selectors.committees_visible(request.user).order_by("node_path", "-term_starts_on")
    if f.compound is not None:
        qs = qs.filter(node_id=f.compound)
    return _page(qs, f)


@router.get(
    "/committees/{int:committee_id}", response={200: OwnersCommitteeOut, **ERRORS}, summary="业主委员会详情"
)
def committee_detail(request: HttpRequest, committee_id: Integer) -> Any:
    return selectors.committee_get(request.user, committee_id)


@router.post("/committees", response={201: OwnersCommitteeOut, **ERRORS}, summary="登记一届业主委员会")
def committee_create(request: HttpRequest, payload: CommitteeIn) -> Any:
    committee = services.committee_create(
        actor=request.user,
        compound=selectors.compound_get(request.user, payload.compound_id),
        term_starts_on=payload.term_starts_on,
        term_ends_on=payload.term_ends_on,
        note=payload.note,
    )
    return Status(201, selectors.committee_get(request.user, committee.pk))


@router.post(
    "/committees/{int:committee_id}/members",
    response={201: CommitteeMemberOut, **ERRORS},
    summary="审查候选人（负面清单）并增补业委会成员",
)
def member_create(request: HttpRequest, committee_id: Integer, payload: MemberIn) -> Any:
    committee = selectors.committee_get(request.user, committee_id)
    resident = (
        None if payload.resident_id is None else _candidate(request, committee.node, payload.resident_id)
    )
    member = services.committee_member_add(
        actor=request.user,
        committee=committee,
        name=payload.name or (resident.name if resident else ""),
        post=payload.post,
        resident=resident,
        is_party_member=payload.is_party_member,
        negative_items=payload.negative_items,
        joined_on=payload.joined_on,
    )
    return Status(201, member)


def _candidate(request: HttpRequest, compound: Node, resident_id: int) -> Resident:
    """A resident of the compound, as offered to whoever manages its committee."""
    found = selectors.member_candidates(request.user, compound).filter(pk=resident_id).first()
    if found is None:
        raise NotFound(_("居民不存在或不是本小区的居民"))
    return found


def _member_of(request: HttpRequest, committee_id: int, member_id: int) -> Any:
    committee = selectors.committee_get(request.user, committee_id)
    member = selectors.member_get(request.user, member_id)
    if member.committee_id != committee.pk:
        raise NotFound(_("业委会成员不存在或您无权查看"))
    return member


@router.post(
    "/committees/{int:committee_id}/members/{int:member_id}/resident",
    response={200: CommitteeMemberOut, **ERRORS},
    summary="为业委会成员关联居民档案（姓名以档案为准）",
)
def member_link(
    request: HttpRequest, committee_id: Integer, member_id: Integer, payload: MemberLinkIn
) -> Any:
    member = _member_of(request, committee_id, member_id)
    resident = _candidate(request, member.committee.node, payload.resident_id)
    return services.committee_member_link(actor=request.user, member=member, resident=resident)


@router.post(
    "/committees/{int:committee_id}/term",
    response={200: OwnersCommitteeOut, **ERRORS},
    summary="更正业委会任期（须填写原因）",
)
def committee_term(request: HttpRequest, committee_id: Integer, payload: CommitteeTermIn) -> Any:
    services.committee_term_correct(
        actor=request.user,
        committee=selectors.committee_get(request.user, committee_id),
        term_starts_on=payload.term_starts_on,
        term_ends_on=payload.term_ends_on,
        reason=payload.reason,
    )
    return selectors.committee_get(request.user, committee_id)


@router.post(
    "/committees/{int:committee_id}/members/{int:member_id}/end",
    response={200: CommitteeMemberOut, **ERRORS},
    summary="登记业委会成员离任（保留记录）",
)
def member_end(
    request: HttpRequest, committee_id: Integer, member_id: Integer, payload: CommitteeMemberEndIn
) -> Any:
    member = _member_of(request, committee_id, member_id)
    return services.committee_member_end(
        actor=request.user,
        member=member,
        ended_on=payload.ended_on,
        reason=payload.reason,
        note=payload.note,
    )
