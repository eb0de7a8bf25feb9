"""Actions on a request: each endpoint calls one service, which locks, checks and records.

Every endpoint answers the request as it is afterwards (with its new ``version``), or
403 (may not act), 404 (no such request), 409 (status or version changed under the
caller) or 422 (bad input) with a Chinese message; a refused action changes nothing.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.requests import services
from civicgrid.requests.api.common import (
    NOT_FOUND,
    category_by_id,
    fresh,
    router,
    target,
    unit_by_id,
    units_by_id,
    with_relations,
)
from civicgrid.requests.api.schemas import (
    ERRORS,
    CallbackIn,
    CouncilIn,
    DirectCloseIn,
    DispatchIn,
    ExtendIn,
    LongRunningIn,
    MergeIn,
    ReassignIn,
    ReplyIn,
    ReportInIn,
    RequestDecisionIn,
    RequestNoteIn,
    RequestOut,
    RequestReasonIn,
    RequestVersionIn,
    RequiredNoteIn,
    ReturnIn,
    SignBulkIn,
    SignResult,
    VerifyIn,
    WhistleCloseIn,
    WhistleIn,
)
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Request, Whistle, WhistleSummons
from civicgrid.requests.selectors import requests_readable, requests_visible

# i18n: data (OpenAPI documentation, read by integrators like docstrings)
ACTION_NOTE = "可传 expected_version（读取时的 version）：版本不符返回 409 且不做任何修改。"


def action(path: str, summary: str, description: str) -> Callable[[Any], Any]:
    return router.post(
        f"/{{int:request_id}}/{path}",
        response={200: RequestOut, **ERRORS},
        summary=summary,
        description=f"{description}{ACTION_NOTE}",
    )


def act(
    http: HttpRequest,
    request_id: int,
    name: str,
    call: Callable[[Request], object],
    *,
    text_field: str = "note",
) -> Request:
    """Run ``call`` on the request. ``text_field``: the body's field whose text the action writes
    on the timeline (``reason``, ``plan``…): a refusal the engine words under the timeline's
    ``note`` (too long) is named by the field the client sent."""
    try:
        call(target(http.user, request_id, name))
    except ValidationError as exc:
        if text_field == "note" or "note" not in exc.errors:
            raise
        errors = {(text_field if k == "note" else k): v for k, v in exc.errors.items()}
        raise ValidationError(errors=errors, code=exc.code) from exc
    return fresh(request_id)


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "dispatch",
    "派单",
    "热线派单：按规则，或指定主办、协办、抄送单位（记录为人工指定）。",
)
def dispatch(request: HttpRequest, request_id: int, payload: DispatchIn) -> Any:
    def call(r: Request) -> object:
        lead = unit_by_id(payload.lead_unit_id, "lead_unit_id") if payload.lead_unit_id else None
        return services.request_dispatch(
            actor=request.user,
            request=r,
            lead_unit=lead,
            assisting=units_by_id(payload.assisting_unit_ids, "assisting_unit_ids"),
            copy=units_by_id(payload.copy_unit_ids, "copy_unit_ids"),
            category=category_by_id(payload.category_id) if payload.category_id else None,
            note=payload.note,
            expected_version=payload.expected_version,
        )

    return act(request, request_id, Action.DISPATCH, call)


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("sign", "签收", "主办单位签收，响应计时停止。")
def sign(request: HttpRequest, request_id: int, payload: RequestVersionIn | None = None) -> Any:
    body = payload or RequestVersionIn()
    return act(
        request,
        request_id,
        Action.SIGN,
        lambda r: services.request_sign(
            actor=request.user, request=r, expected_version=body.expected_version
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("start", "开始办理", "主办单位开始办理。")
def start(request: HttpRequest, request_id: int, payload: RequestNoteIn | None = None) -> Any:
    body = payload or RequestNoteIn()
    return act(
        request,
        request_id,
        Action.START,
        lambda r: services.request_start(
            actor=request.user, request=r, note=body.note, expected_version=body.expected_version
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "reply",
    "答复",
    "主办单位答复办理情况；需要核查的分类转网格员现场核查，否则发评价短信。",
)
def reply(request: HttpRequest, request_id: int, payload: ReplyIn) -> Any:
    return act(
        request,
        request_id,
        Action.REPLY,
        lambda r: services.request_reply(
            actor=request.user, request=r, reply=payload.reply, expected_version=payload.expected_version
        ),
        text_field="reply",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "verify",
    "现场核查",
    "网格员现场核查答复是否属实；不属实退回承办单位继续办理。",
)
def verify(request: HttpRequest, request_id: int, payload: VerifyIn) -> Any:
    return act(
        request,
        request_id,
        Action.VERIFY,
        lambda r: services.request_verify(
            actor=request.user,
            request=r,
            confirmed=payload.confirmed,
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("callback", "回访", "话务员回访并记录评价，随后办结；不满意时可选择重办。")
def callback(request: HttpRequest, request_id: int, payload: CallbackIn) -> Any:
    return act(
        request,
        request_id,
        Action.CALLBACK,
        lambda r: services.request_callback(
            actor=request.user,
            request=r,
            contacted=payload.contacted,
            resolution=payload.resolution,
            satisfaction=payload.satisfaction,
            comment=payload.comment,
            reopen=payload.reopen,
            expected_version=payload.expected_version,
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "close",
    "办结",
    "不经回访办结（无需回访的分类，或联系不上诉求人时须说明原因）。",
)
def close(request: HttpRequest, request_id: int, payload: RequestNoteIn | None = None) -> Any:
    body = payload or RequestNoteIn()
    return act(
        request,
        request_id,
        Action.CLOSE,
        lambda r: services.request_close(
            actor=request.user, request=r, note=body.note, expected_version=body.expected_version
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("direct-close", "直接办结", "咨询类诉求当场答复并办结（可用知识库答复）。")
def direct_close(request: HttpRequest, request_id: int, payload: DirectCloseIn) -> Any:
    return act(
        request,
        request_id,
        Action.DIRECT_CLOSE,
        lambda r: services.request_direct_close(
            actor=request.user,
            request=r,
            answer=payload.answer,
            expected_version=payload.expected_version,
            saved_answer_id=payload.saved_answer_id,
        ),
        text_field="answer",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("return", "退单", "主办单位申请退单（或声明非本单位职责），等待热线审批。")
def return_request(request: HttpRequest, request_id: int, payload: ReturnIn) -> Any:
    name = Action.NOT_OURS if payload.not_ours else Action.RETURN_REQUEST
    return act(
        request,
        request_id,
        name,
        lambda r: services.request_return(
            actor=request.user,
            request=r,
            reason=payload.reason,
            not_ours=payload.not_ours,
            expected_version=payload.expected_version,
        ),
        text_field="reason",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "return-decision",
    "退单审批",
    "热线同意退单（回到分拣队列）或驳回（回到承办单位，须说明理由）。",
)
def return_decision(request: HttpRequest, request_id: int, payload: RequestDecisionIn) -> Any:
    name = Action.RETURN_APPROVE if payload.approve else Action.RETURN_REJECT
    return act(
        request,
        request_id,
        name,
        lambda r: services.request_return_decide(
            actor=request.user,
            request=r,
            approve=payload.approve,
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("reassign", "改派", "热线把诉求改派给另一主办单位，期限重新计算。")
def reassign(request: HttpRequest, request_id: int, payload: ReassignIn) -> Any:
    def call(r: Request) -> object:
        return services.request_reassign(
            actor=request.user,
            request=r,
            lead_unit=unit_by_id(payload.lead_unit_id, "lead_unit_id"),
            assisting=units_by_id(payload.assisting_unit_ids, "assisting_unit_ids"),
            reason=payload.reason,
            expected_version=payload.expected_version,
        )

    return act(request, request_id, Action.REASSIGN, call, text_field="reason")


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("extend", "申请延期", "主办单位申请延长办理期限，等待审批。")
def extend(request: HttpRequest, request_id: int, payload: ExtendIn) -> Any:
    return act(
        request,
        request_id,
        Action.EXTEND_REQUEST,
        lambda r: services.request_extend(
            actor=request.user,
            request=r,
            amount=payload.amount,
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
        text_field="reason",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("extend-decision", "延期审批", "同意（办理期限顺延）或驳回延期申请。")
def extend_decision(request: HttpRequest, request_id: int, payload: RequestDecisionIn) -> Any:
    name = Action.EXTEND_APPROVE if payload.approve else Action.EXTEND_REJECT
    return act(
        request,
        request_id,
        name,
        lambda r: services.request_extend_decide(
            actor=request.user,
            request=r,
            approve=payload.approve,
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("suspend", "挂起", "暂停计时（如等待诉求人补充材料）。")
def suspend(request: HttpRequest, request_id: int, payload: RequestReasonIn) -> Any:
    return act(
        request,
        request_id,
        Action.SUSPEND,
        lambda r: services.request_suspend(
            actor=request.user, request=r, reason=payload.reason, expected_version=payload.expected_version
        ),
        text_field="reason",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("resume", "恢复办理", "恢复计时，期限顺延挂起期间。")
def resume(request: HttpRequest, request_id: int, payload: RequestNoteIn | None = None) -> Any:
    body = payload or RequestNoteIn()
    return act(
        request,
        request_id,
        Action.RESUME,
        lambda r: services.request_resume(
            actor=request.user, request=r, note=body.note, expected_version=body.expected_version
        ),
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "long-running",
    "挂账",
    "限期内无法解决的事项按计划办理，办理期限改为计划完成日期。",
)
def long_running(request: HttpRequest, request_id: int, payload: LongRunningIn) -> Any:
    return act(
        request,
        request_id,
        Action.LONG_RUNNING,
        lambda r: services.request_long_running(
            actor=request.user,
            request=r,
            plan=payload.plan,
            plan_until=payload.plan_until,
            expected_version=payload.expected_version,
        ),
        text_field="plan",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "supervise",
    "督办",
    "上级督办：标记督办件并通知主办单位。同一人对同一诉求以相同意见重复督办（默认 60 秒内，"
    "连点或重试）返回 409 并指明已有的那一次，不再记录、不再发通知。",
)
def supervise(request: HttpRequest, request_id: int, payload: RequiredNoteIn) -> Any:
    return act(
        request,
        request_id,
        Action.SUPERVISE,
        lambda r: services.request_supervise(
            actor=request.user, request=r, note=payload.note, expected_version=payload.expected_version
        ),
    )


def _merge_target(actor: Any, payload: MergeIn) -> Request:
    """The request named by ``into_id`` or ``into_number`` (one of them, not both: two that
    might disagree are refused), a refusal named by the field that was sent."""
    qs = with_relations(requests_visible(actor))
    number = payload.into_number.strip()
    if payload.into_id is not None and number:
        message = _("请只填写 into_id 或 into_number 中的一个")
        raise ValidationError(message, errors={"into_id": [message], "into_number": [message]})
    if payload.into_id is not None:
        field, found = "into_id", qs.filter(pk=payload.into_id).first()
    elif number:
        field, found = "into_number", qs.filter(number=number).first()
    else:
        raise ValidationError(_("请指定要合并到的诉求（into_id 或 into_number）"), field="into_id")
    if found is None:
        raise ValidationError(_("要合并到的诉求不存在或您无权查看"), field=field)
    return found


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("merge", "合并重复件", "把重复诉求合并到主件，之后随主件办理。")
def merge(request: HttpRequest, request_id: int, payload: MergeIn) -> Any:
    def call(r: Request) -> object:
        return services.request_merge(
            actor=request.user,
            request=r,
            into=_merge_target(request.user, payload),
            expected_version=payload.expected_version,
            paused_ok=payload.paused_ok,
        )

    return act(request, request_id, Action.MERGE, call)


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("reopen", "重办", "不满意的诉求由原主办单位重新办理，期限重新计算。")
def reopen(request: HttpRequest, request_id: int, payload: RequestReasonIn) -> Any:
    return act(
        request,
        request_id,
        Action.REOPEN,
        lambda r: services.request_reopen(
            actor=request.user, request=r, reason=payload.reason, expected_version=payload.expected_version
        ),
        text_field="reason",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("whistle", "吹哨", "承办的街道（社区）召集部门限期报到，联合处置。")
def whistle(request: HttpRequest, request_id: int, payload: WhistleIn) -> Any:
    def call(r: Request) -> object:
        try:
            return services.request_whistle(
                actor=request.user,
                request=r,
                units=units_by_id(payload.unit_ids, "unit_ids"),
                reason=payload.reason,
                deadline=payload.deadline,
                expected_version=payload.expected_version,
            )
        except ValidationError as exc:
            if "units" not in exc.errors:
                raise
            # the service names the units it was given; the caller sent their ids
            errors = {("unit_ids" if k == "units" else k): v for k, v in exc.errors.items()}
            raise ValidationError(errors=errors, code=exc.code) from exc

    return act(request, request_id, Action.WHISTLE, call)


@router.post(
    "/whistle-summons/{int:summons_id}/report-in",
    response={200: RequestOut, **ERRORS},
    summary="报到",
    description="被召集的部门报到，并记录承担的工作。",
)
def report_in(request: HttpRequest, summons_id: int, payload: ReportInIn) -> Any:
    summons = WhistleSummons.objects.select_related("whistle").filter(pk=summons_id).first()
    # A summons on a request the actor cannot read answers as a missing one (as the page and
    # the close endpoint do): a 403 would let an outsider enumerate the ids.
    if summons is None or not requests_readable(request.user).filter(pk=summons.whistle.request_id).exists():
        raise NotFound(_("报到通知不存在"))
    # the service checks: only the summoned unit (403), on a whistle still open (409)
    services.whistle_report_in(
        actor=request.user, summons=summons, part=payload.part, expected_version=payload.expected_version
    )
    return fresh(summons.whistle.request_id)


@router.post(
    "/whistles/{int:whistle_id}/close",
    response={200: RequestOut, **ERRORS},
    summary="记录吹哨处置结果",
    description="吹哨单位记录联合处置的结果。",
)
def whistle_close(request: HttpRequest, whistle_id: int, payload: WhistleCloseIn) -> Any:
    found = Whistle.objects.filter(pk=whistle_id).first()
    if found is None:
        raise NotFound(_("吹哨记录不存在"))
    # 404 on a request the actor cannot read, as the page; who may close: the service's rule
    target(request.user, found.request_id, Action.NOTE)
    services.whistle_close(
        actor=request.user, whistle=found, outcome=payload.outcome, expected_version=payload.expected_version
    )
    return fresh(found.request_id)


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("escalate", "上报上级", "分级办理：小区→社区→街道→区，上报给上一级承办单位。")
def escalate(request: HttpRequest, request_id: int, payload: RequestReasonIn) -> Any:
    return act(
        request,
        request_id,
        Action.ESCALATE,
        lambda r: services.request_escalate(
            actor=request.user, request=r, reason=payload.reason, expected_version=payload.expected_version
        ),
        text_field="reason",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action("council", "三方议事", "记录小区党支部、业委会、物业公司三方议事的结果。")
def council(request: HttpRequest, request_id: int, payload: CouncilIn) -> Any:
    return act(
        request,
        request_id,
        Action.COUNCIL,
        lambda r: services.request_council(
            actor=request.user,
            request=r,
            held_on=payload.held_on,
            party_branch=payload.party_branch,
            owners_committee=payload.owners_committee,
            property_company=payload.property_company,
            outcome=payload.outcome,
            agreed=payload.agreed,
            others=payload.others,
            expected_version=payload.expected_version,
        ),
        text_field="outcome",
    )


# i18n: data (OpenAPI documentation, read by integrators like docstrings)
@action(
    "notes",
    "备注",
    "在办理时间轴上记一笔（不改变状态）。同一人对同一诉求重复提交相同的备注（默认 60 秒内）"
    "返回 409，不再记录。",
)
def notes(request: HttpRequest, request_id: int, payload: RequiredNoteIn) -> Any:
    return act(
        request,
        request_id,
        Action.NOTE,
        lambda r: services.request_note(
            actor=request.user, request=r, note=payload.note, expected_version=payload.expected_version
        ),
    )


@router.post(
    "/sign-bulk",
    response={200: list[SignResult], **ERRORS},
    summary="批量签收",
    description="一次签收多件（最多 200 件，ID 不可重复），按所给顺序逐件返回结果；"
    "每件单独提交，一件失败不影响其他。",
)
def sign_bulk(request: HttpRequest, payload: SignBulkIn) -> Any:
    ids = payload.ids  # each once (SignBulkIn refuses repeats): one result per id, in order
    # Only what the caller may read: one it may not answers as a missing one (as a single
    # action's 404 does), else the two messages would tell an outsider which ids exist.
    found = {r.pk: r for r in requests_readable(request.user).filter(pk__in=ids)}
    done, failed = services.requests_sign_bulk(
        actor=request.user, requests=[found[i] for i in ids if i in found]
    )
    results: dict[int, dict[str, Any]] = {}
    for r in done:
        results[r.pk] = {
            "id": r.pk,
            "ok": True,
            "number": r.number,
            "status": r.status,
            "message": _("已签收"),
        }
    # Readable, so its number and status may be shown: the status as it is now (one that lost
    # a race to another signer was read before the lock; its message gives the current one).
    now = dict(Request.objects.filter(pk__in=[r.pk for r, _m in failed]).values_list("pk", "status"))
    for r, message in failed:
        status = now.get(r.pk, r.status)
        results[r.pk] = {"id": r.pk, "ok": False, "number": r.number, "status": status, "message": message}
    missing = {"ok": False, "number": "", "status": "", "message": str(NOT_FOUND)}
    return [results.get(pk) or {"id": pk, **missing} for pk in ids]
