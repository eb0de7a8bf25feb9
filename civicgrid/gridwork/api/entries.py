"""What a grid worker's phone sends: patrols, track points, findings, visits, campaign results,
registry proposals. Every entry carries its ``client_key``: the first time it answers 201,
a repeat of the same entry answers 200 with the entry already stored."""

import math
from typing import Any

from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Form, Status, UploadedFile

from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound
from civicgrid.gridwork import services
from civicgrid.gridwork.api.common import router
from civicgrid.gridwork.api.schemas import (
    ERRORS,
    CheckOut,
    FindingForm,
    FindingOut,
    GridworkCheckIn,
    GridworkProposalOut,
    GridworkVisitOut,
    PatrolEndIn,
    PatrolOut,
    PatrolStartIn,
    PointsIn,
    PointsOut,
    ProposalIn,
    VisitForm,
)
from civicgrid.gridwork.constants import MAX_PHOTOS
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.models import CampaignItem, Patrol
from civicgrid.gridwork.selectors import campaigns_visible
from civicgrid.gridwork.services.findings import follow_request
from civicgrid.gridwork.services.patrols import MAX_SPEED_KMH, PointsAdded

PHOTOS_TITLE = gettext_noop("现场照片")


def _status(saved: services.Saved[Any]) -> Status:
    return Status(201 if saved.created else 200, saved.entry)


@router.post(
    "/patrols",
    response={200: PatrolOut, 201: PatrolOut, **ERRORS},
    summary="开始巡查",
    description="网格员开始一次巡查；仍在进行的巡查自动结束于其最后一个轨迹点。",
)
def patrol_start(request: HttpRequest, payload: PatrolStartIn) -> Any:
    look = Lookup(request.user)
    grid = look.grid(payload.grid_id)
    look.done()
    return _status(
        services.patrol_start(
            actor=request.user,
            client_key=payload.client_key,
            started_at=payload.started_at,
            grid=grid,
            lon=payload.lon,
            lat=payload.lat,
        )
    )


@router.post(
    "/patrols/{key}/points",
    response={200: PointsOut, **ERRORS},
    summary="上传轨迹点",
    description=(
        "批量上传巡查轨迹点（每批最多500个）；同一时间的点重复上传只保存一次；"
        "明显有误的定位点（位于(0,0)，或与上一个有效点相比速度超过每小时150公里）、晚于巡查结束时间的点、"
        "定位精度无效的点不保存，计入 skipped（skipped_note 说明原因）。"
    ),
)
def patrol_points(request: HttpRequest, key: str, payload: PointsIn) -> Any:
    points = [services.PointIn(p.at, p.lon, p.lat, _accuracy(p.accuracy)) for p in payload.points]
    saved = services.patrol_points_add(actor=request.user, patrol_key=key, points=points)
    patrol = Patrol.objects.get(client_key=key)
    return {
        "added": saved.added,
        "skipped": saved.skipped,
        "skipped_note": _skipped_note(saved),
        "point_count": patrol.point_count,
        "distance_m": patrol.distance_m,
    }


def _accuracy(value: float | str | None) -> float | None:
    """The accuracy as sent; one that is no number is an impossible accuracy (NaN): that
    point is skipped by the service, not the whole batch refused."""
    if value is None or isinstance(value, float | int):
        return value
    try:
        return float(value)
    except ValueError:
        return math.nan


def _skipped_note(saved: PointsAdded) -> str:
    if not saved.skipped:
        return ""
    parts = []
    glitches = saved.skipped - saved.after_end - saved.bad_accuracy
    if glitches:
        parts.append(
            _("{count}个定位点明显有误（位于(0,0)或与上一个点相比移动速度超过每小时{speed}公里）").format(
                count=glitches, speed=round(MAX_SPEED_KMH)
            )
        )
    if saved.after_end:
        parts.append(_("{count}个定位点晚于巡查结束时间").format(count=saved.after_end))
    if saved.bad_accuracy:
        parts.append(_("{count}个定位点的定位精度取值无效").format(count=saved.bad_accuracy))
    return _("{total}个定位点未计入轨迹：{reasons}").format(total=saved.skipped, reasons="；".join(parts))


@router.post(
    "/patrols/{key}/end",
    response={200: PatrolOut, 201: PatrolOut, **ERRORS},
    summary="结束巡查",
    description="结束巡查并填写小结（途经地点、接触群众人次）；重复结束不改变已结束的巡查。",
)
def patrol_end(request: HttpRequest, key: str, payload: PatrolEndIn) -> Any:
    saved = services.patrol_end(
        actor=request.user,
        patrol_key=key,
        ended_at=payload.ended_at,
        places=payload.places,
        people_met=payload.people_met,
        note=payload.note,
    )
    return Status(200, saved.entry)


@router.post(
    "/findings",
    response={200: FindingOut, 201: FindingOut, **ERRORS},
    summary="记录民情",
    description="multipart/form-data：巡查发现的问题及照片（photos，最多6张）。"
    "outcome=fixed 现场解决须有照片；outcome=reported 同时以“网格员上报”渠道受理为诉求。",
)
def finding_record(
    request: HttpRequest,
    payload: Form[FindingForm],
    photos: list[UploadedFile] = File(  # noqa: B008
        None,
        title=PHOTOS_TITLE,
        description=f"现场照片（JPG、PNG 或 WEBP），最多{MAX_PHOTOS}张；可选",
    ),
) -> Any:
    look = Lookup(request.user)
    grid = look.grid(payload.grid_id)
    look.done()
    files: list[DjangoUploadedFile] = list(photos or [])
    data = services.FindingIn(
        category=payload.category,
        description=payload.description,
        outcome=payload.outcome,
        handled_note=payload.handled_note,
        address=payload.address,
        lon=payload.lon,
        lat=payload.lat,
        observed_at=payload.observed_at,
        grid=grid,
        patrol_key=payload.patrol_key,
        request_type=payload.request_type,
        urgency=payload.urgency,
        photos=files,
        follow=follow_request(payload.follow, actor=request.user) if payload.outcome == "reported" else None,
    )
    return _status(services.finding_record(actor=request.user, client_key=payload.client_key, data=data))


@router.post(
    "/visits",
    response={200: GridworkVisitOut, 201: GridworkVisitOut, **ERRORS},
    summary="记录走访",
    description="multipart/form-data：入户走访（关爱计划、居民或户之一）及照片；关爱计划的下次走访日期随之顺延。",
)
def visit_record(
    request: HttpRequest,
    payload: Form[VisitForm],
    photos: list[UploadedFile] = File(  # noqa: B008
        None,
        title=PHOTOS_TITLE,
        description=f"现场照片（JPG、PNG 或 WEBP），最多{MAX_PHOTOS}张；可选",
    ),
) -> Any:
    look = Lookup(request.user)
    data = services.VisitIn(
        found=payload.found,
        care_plan=look.care_plan(payload.care_plan_id),
        resident=look.resident(payload.resident_id),
        household=look.household(payload.household_id),
        kind=payload.kind,
        wellbeing=payload.wellbeing,
        needs=payload.needs,
        visited_at=payload.visited_at,
        lon=payload.lon,
        lat=payload.lat,
        patrol_key=payload.patrol_key,
        photos=list(photos or []),
    )
    look.done()
    return _status(services.visit_record(actor=request.user, client_key=payload.client_key, data=data))


@router.post(
    "/campaign-items/{int:item_id}/checks",
    response={200: CheckOut, 201: CheckOut, **ERRORS},
    summary="填报专项任务",
    description="一户（或一栋楼）的检查结果：done 须答完必填项；"
    "unreachable 无人在家、refused 拒绝配合可只填备注。已完成的一户不再改为无人在家或拒绝配合，"
    "也不接受其他网格员再次提交（409，说明由谁于何时完成）；任务开始日期之前不能填报（422）。",
)
def campaign_check(request: HttpRequest, item_id: Integer, payload: GridworkCheckIn) -> Any:
    item = CampaignItem.objects.filter(pk=item_id, campaign__in=campaigns_visible(request.user)).first()
    if item is None:
        raise NotFound(_("任务对象不存在或您无权查看"))
    return _status(
        services.campaign_check(
            actor=request.user,
            client_key=payload.client_key,
            item=item,
            state=payload.state,
            answers=payload.answers,
            note=payload.note,
            checked_at=payload.checked_at,
        )
    )


@router.post(
    "/proposals",
    response={200: GridworkProposalOut, 201: GridworkProposalOut, **ERRORS},
    summary="提出信息变更",
    description="网格员发现人员迁出、新住户、标签或房屋使用情况变化，提交社区审核；身份证号、电话加密保存。",
)
def proposal_submit(request: HttpRequest, payload: ProposalIn) -> Any:
    look = Lookup(request.user)
    data = services.ProposalIn(
        kind=payload.kind,
        reason=payload.reason,
        resident=look.resident(payload.resident_id),
        household=look.household(payload.household_id),
        dwelling=look.dwelling(payload.dwelling_id),
        tag=look.tag(payload.tag),
        name=payload.name,
        gender=payload.gender,
        id_number=payload.id_number,
        phone=payload.phone,
        residence_type=payload.residence_type,
        relation_to_head=payload.relation_to_head,
        use=payload.use,
    )
    look.done()
    return _status(services.proposal_submit(actor=request.user, client_key=payload.client_key, data=data))
