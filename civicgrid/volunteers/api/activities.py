"""Activities: list, publish, edit, cancel, sign up, check in and out (QR code or organiser), close."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from civicgrid.core.api_types import Integer
from civicgrid.core.errors import PermissionDenied
from civicgrid.volunteers import selectors, services
from civicgrid.volunteers.access import activity_for, own_volunteer, publish_target, volunteer_for_activity
from civicgrid.volunteers.api.common import page, request_fields, router
from civicgrid.volunteers.api.schemas import (
    ERRORS,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatchIn,
    ClosingOut,
    SignupOut,
    VolunteerCheckIn,
    VolunteerReasonIn,
    VolunteerRefIn,
)
from civicgrid.volunteers.models import Activity, Signup
from civicgrid.volunteers.services.activities import is_organiser


def _out(activity_id: int) -> Activity:
    return selectors.with_counts(Activity.objects.filter(pk=activity_id)).get()


@router.get("/activities", response={200: ActivityPage, **ERRORS}, summary="活动列表（社区工作者）")
def activity_list(
    request: HttpRequest, status: str = "", when: str = "", limit: Integer = 50, offset: Integer = 0
) -> Any:
    qs = selectors.activity_list(request.user, status=status, when=when).prefetch_related("skills")
    return page(qs, limit, offset)


@router.get(
    "/me/activities",
    response={200: list[ActivityOut], **ERRORS},
    summary="可报名的活动（志愿者本人）",
    description="本人服务社区报名中的活动，按开始时间排列。",
)
def open_activities(request: HttpRequest) -> Any:
    return list(selectors.activities_open_to(own_volunteer(request.user)).prefetch_related("skills"))


@router.get("/me/signups", response={200: list[SignupOut], **ERRORS}, summary="我的报名")
def my_signups(request: HttpRequest) -> Any:
    return list(selectors.my_signups(own_volunteer(request.user)).select_related("volunteer__resident"))


@router.get("/activities/{int:activity_id}", response={200: ActivityOut, **ERRORS}, summary="活动详情")
def activity_detail(request: HttpRequest, activity_id: Integer) -> Any:
    return _out(activity_for(request.user, activity_id).pk)


@router.get(
    "/activities/{int:activity_id}/signups",
    response={200: list[SignupOut], **ERRORS},
    summary="报名名单（组织者）",
)
def activity_signups(request: HttpRequest, activity_id: Integer) -> Any:
    activity = activity_for(request.user, activity_id)
    if not is_organiser(request.user, activity):
        raise PermissionDenied(_("只有活动组织者可以查看报名名单"))
    return services.activities.signups_of(activity)


@router.post(
    "/activities",
    response={201: ActivityOut, **ERRORS},
    summary="发布活动",
    description="社区工作者，或服务队队长（为本队，活动区域为本队所在社区或其下的网格、小区）发布。"
    "积分为按规则估算的整场积分。",
)
def activity_publish(request: HttpRequest, payload: ActivityIn) -> Any:
    node, team = publish_target(request.user, payload.node_id, payload.team_id or None)
    with request_fields({"node": "node_id", "team": "team_id"}):
        activity = services.activity_publish(
            actor=request.user,
            data=services.NewActivity(
                node=node,
                title=payload.title,
                place=payload.place,
                starts_at=payload.starts_at,
                ends_at=payload.ends_at,
                quota=payload.quota,
                service_type=payload.service_type,
                difficulty=payload.difficulty,
                description=payload.description,
                skills=tuple(payload.skills),
                team=team,
            ),
        )
    return Status(201, _out(activity.pk))


@router.patch(
    "/activities/{int:activity_id}",
    response={200: ActivityOut, **ERRORS},
    summary="修改活动",
    description="活动组织者修改报名中的活动：只传要改的字段和读取时的 version（必填）。"
    "版本不符返回 409 且不做任何修改；已结束或已取消的活动不能修改（409）；"
    "时间或地点有变时短信通知已报名和候补的志愿者。",
)
def activity_update(request: HttpRequest, activity_id: Integer, payload: ActivityPatchIn) -> Any:
    activity = activity_for(request.user, activity_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    services.activity_update(actor=request.user, activity_id=activity.pk, version=version, **changes)
    return _out(activity_id)


@router.post(
    "/activities/{int:activity_id}/cancel", response={200: ActivityOut, **ERRORS}, summary="取消活动"
)
def activity_cancel(request: HttpRequest, activity_id: Integer, payload: VolunteerReasonIn) -> Any:
    activity = activity_for(request.user, activity_id)
    services.activity_cancel(actor=request.user, activity=activity, reason=payload.reason)
    return _out(activity_id)


@router.post(
    "/activities/{int:activity_id}/signup",
    response={200: SignupOut, **ERRORS},
    summary="报名",
    description="名额已满时进入候补，有人取消时按报名先后递补。",
)
def activity_signup(request: HttpRequest, activity_id: Integer, payload: VolunteerRefIn) -> Any:
    activity = activity_for(request.user, activity_id)
    volunteer = volunteer_for_activity(request.user, activity, payload.volunteer_id)
    # the organiser's pick is named by the body's field; the caller's own refusal names no field sent
    with request_fields({"volunteer": "volunteer_id"} if payload.volunteer_id is not None else {}):
        return services.activity_signup(actor=request.user, activity=activity, volunteer=volunteer)


@router.post(
    "/activities/{int:activity_id}/signup/cancel", response={200: SignupOut, **ERRORS}, summary="取消报名"
)
def activity_signup_cancel(request: HttpRequest, activity_id: Integer, payload: VolunteerRefIn) -> Any:
    activity = activity_for(request.user, activity_id)
    volunteer = volunteer_for_activity(request.user, activity, payload.volunteer_id)
    return services.activity_signup_cancel(actor=request.user, activity=activity, volunteer=volunteer)


def _signup(activity: Activity, signup: Signup) -> Signup:
    return Signup.objects.select_related("volunteer__resident").get(pk=signup.pk)


@router.post(
    "/activities/{int:activity_id}/check-in",
    response={200: SignupOut, **ERRORS},
    summary="签到",
    description="志愿者扫描现场二维码（code），或组织者登记（volunteer_id，可补登时间 at）。"
    "重复签到返回 409。",
)
def activity_check_in(request: HttpRequest, activity_id: Integer, payload: VolunteerCheckIn) -> Any:
    activity = activity_for(request.user, activity_id)
    volunteer = volunteer_for_activity(request.user, activity, payload.volunteer_id)
    signup = services.activity_check_in(
        actor=request.user, activity=activity, volunteer=volunteer, code=payload.code, at=payload.at
    )
    return _signup(activity, signup)


@router.post(
    "/activities/{int:activity_id}/check-out",
    response={200: SignupOut, **ERRORS},
    summary="签退",
    description="计算服务时长（签到签退时间与活动时间的交集，按整半小时），并按积分规则发放积分。",
)
def activity_check_out(request: HttpRequest, activity_id: Integer, payload: VolunteerCheckIn) -> Any:
    activity = activity_for(request.user, activity_id)
    volunteer = volunteer_for_activity(request.user, activity, payload.volunteer_id)
    signup = services.activity_check_out(
        actor=request.user, activity=activity, volunteer=volunteer, code=payload.code, at=payload.at
    )
    return _signup(activity, signup)


@router.post(
    "/activities/{int:activity_id}/close",
    response={200: ClosingOut, **ERRORS},
    summary="结束活动",
    description="未签到的正式报名记为缺席；仍在签到状态的按活动结束时间签退。",
)
def activity_close(request: HttpRequest, activity_id: Integer) -> Any:
    activity = activity_for(request.user, activity_id)
    return services.activity_close(actor=request.user, activity=activity).__dict__
