"""What the community does: care plans, campaigns and their assignment, approving field updates."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Status

from civicgrid.core.api_types import Integer
from civicgrid.gridwork import services
from civicgrid.gridwork.api.common import router
from civicgrid.gridwork.api.schemas import (
    ERRORS,
    AssignIn,
    CampaignIn,
    CampaignOut,
    CarePlanIn,
    CarePlanOut,
    CarePlanPatch,
    EndIn,
    GenerateIn,
    GridworkDecisionIn,
    GridworkProposalOut,
)
from civicgrid.gridwork.exports import campaign_xlsx
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.selectors import campaign_get, care_plan_get, proposal_get


@router.post("/care-plans", response={201: CarePlanOut, **ERRORS}, summary="新建关爱计划")
def care_plan_create(request: HttpRequest, payload: CarePlanIn) -> Any:
    look = Lookup(request.user)
    resident = look.resident(payload.resident_id)
    assignee = look.user(payload.assignee_id, "assignee_id")
    look.done()
    assert resident is not None
    plan = services.care_plan_create(
        actor=request.user,
        resident=resident,
        interval_days=payload.interval_days,
        assignee=assignee,
        note=payload.note,
    )
    return Status(201, plan)


@router.post(
    "/care-plans/generate",
    response={200: dict[str, int], **ERRORS},
    summary="为重点人群生成关爱计划",
    description="为区域内所有带重点关爱人群标签、尚无计划的居民生成关爱计划（周期按标签，如独居老人每周）。",
)
def care_plans_generate(request: HttpRequest, payload: GenerateIn) -> Any:
    look = Lookup(request.user)
    node = look.node(payload.node_id, "node_id")
    look.done()
    assert node is not None
    return {"created": services.care_plans_generate(actor=request.user, node=node)}


@router.patch("/care-plans/{int:plan_id}", response={200: CarePlanOut, **ERRORS}, summary="调整关爱计划")
def care_plan_update(request: HttpRequest, plan_id: Integer, payload: CarePlanPatch) -> Any:
    plan = care_plan_get(request.user, plan_id)
    look = Lookup(request.user)
    assignee = look.user(payload.assignee_id, "assignee_id")
    look.done()
    return services.care_plan_update(
        actor=request.user,
        plan=plan,
        interval_days=payload.interval_days,
        assignee=assignee,
        note=payload.note,
    )


@router.post("/care-plans/{int:plan_id}/end", response={200: CarePlanOut, **ERRORS}, summary="结束关爱计划")
def care_plan_end(request: HttpRequest, plan_id: Integer, payload: EndIn) -> Any:
    plan = care_plan_get(request.user, plan_id)
    return services.care_plan_end(actor=request.user, plan=plan, reason=payload.reason)


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERRORS},
    summary="发起专项任务",
    description="在区域内每户（或每栋楼）生成任务，按网格分配给网格员。",
)
def campaign_launch(request: HttpRequest, payload: CampaignIn) -> Any:
    look = Lookup(request.user)
    area = look.node(payload.area_id)
    look.done()
    assert area is not None
    checklist = [q.dict() for q in payload.checklist] if payload.checklist is not None else None
    campaign = services.campaign_launch(
        actor=request.user,
        area=area,
        name=payload.name,
        kind=payload.kind,
        target=payload.target,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        checklist=checklist,
        description=payload.description,
    )
    return Status(201, campaign)


@router.post(
    "/campaigns/{int:campaign_id}/assign", response={200: dict[str, int], **ERRORS}, summary="按网格分配"
)
def campaign_assign(request: HttpRequest, campaign_id: Integer, payload: AssignIn) -> Any:
    campaign = campaign_get(request.user, campaign_id)
    look = Lookup(request.user)
    grid = look.grid(payload.grid_id)
    worker = look.user(payload.worker_id)
    look.done()
    assert grid is not None
    moved = services.campaign_assign(actor=request.user, campaign=campaign, grid=grid, worker=worker)
    return {"moved": moved}


@router.post(
    "/campaigns/{int:campaign_id}/close", response={200: CampaignOut, **ERRORS}, summary="结束专项任务"
)
def campaign_close(request: HttpRequest, campaign_id: Integer) -> Any:
    return services.campaign_close(actor=request.user, campaign=campaign_get(request.user, campaign_id))


@router.get(
    "/campaigns/{int:campaign_id}/export",
    response={200: None, **ERRORS},
    summary="导出专项任务结果（Excel）",
    description="每户一行：所在社区、网格、户、户主（脱敏）、状态、各检查项结果；导出写审计日志。",
)
def campaign_export(request: HttpRequest, campaign_id: Integer) -> HttpResponse:
    return campaign_xlsx(request.user, campaign_get(request.user, campaign_id))


@router.post(
    "/proposals/{int:proposal_id}/approve",
    response={200: GridworkProposalOut, **ERRORS},
    summary="同意信息变更",
)
def proposal_approve(request: HttpRequest, proposal_id: Integer, payload: GridworkDecisionIn) -> Any:
    proposal = proposal_get(request.user, proposal_id)
    return services.proposal_approve(actor=request.user, proposal=proposal, note=payload.note)


@router.post(
    "/proposals/{int:proposal_id}/reject",
    response={200: GridworkProposalOut, **ERRORS},
    summary="驳回信息变更",
)
def proposal_reject(request: HttpRequest, proposal_id: Integer, payload: GridworkDecisionIn) -> Any:
    proposal = proposal_get(request.user, proposal_id)
    return services.proposal_reject(actor=request.user, proposal=proposal, note=payload.note)
