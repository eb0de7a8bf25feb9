"""Intake through the API (mini-programs and other systems) and attachment upload."""

from typing import Any

from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Form, Status, UploadedFile

from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.api.common import category_by_id, fresh, router, summary_ready, target
from civicgrid.requests.api.schemas import ERRORS, AttachmentOut, RequestIn, RequestOut
from civicgrid.requests.constants import NOTE_MAX, Action
from civicgrid.requests.models import Attachment, Category, RequestEvent
from civicgrid.requests.services.intake import (
    ATTACHMENTS_MAX,
    BUILDING_UNKNOWN,
    actor_problems,
    intake_buildings,
    validate,
    validate_attachments,
)
from civicgrid.territory.models import Node

# The service names the objects it was given; the API's caller sent their ids.
REQUEST_FIELDS = {"category": "category_id", "building": "building_id"}

FILES_TITLE, NOTE_TITLE = gettext_noop("附件"), gettext_noop("说明")


def as_request_fields(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The service's refusal keyed by the request's own field names (``category_id``)."""
    renamed: dict[str, list[str]] = {}
    for name, reasons in errors.items():
        renamed.setdefault(REQUEST_FIELDS.get(name, name), []).extend(reasons)
    return renamed


def _lookups(actor: Any, payload: RequestIn) -> tuple[Category | None, Node | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    category = building = None
    if payload.category_id is not None:
        try:
            category = category_by_id(payload.category_id)
        except ValidationError as exc:
            errors.update(exc.errors)
    if payload.building_id is not None:
        # The console's rule: a building of the area the caller sees (``intake_buildings``).
        building = intake_buildings(actor).filter(pk=payload.building_id).first()
        if building is None:
            errors["building_id"] = [_(BUILDING_UNKNOWN)]
    return category, building, errors


def new_request(actor: Any, payload: RequestIn) -> services.NewRequest:
    """The service's input from the body; unknown category or building ids are refused (422),
    with every other refusal intake would give (``validate``, ``actor_problems``)."""
    category, building, errors = _lookups(actor, payload)
    data = services.NewRequest(
        channel=payload.channel,
        type=payload.type,
        title=payload.title,
        content=payload.content,
        address=payload.address,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        building=building,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
        anonymous=payload.anonymous,
        confidential=payload.confidential,
        category=category,
        urgency=payload.urgency,
        external_id=payload.external_id,
    )
    if errors:
        refused = validate(data) | actor_problems(actor, data)
        raise ValidationError(errors=as_request_fields(refused) | errors)
    return data


@router.post(
    "/",
    response={201: RequestOut, **ERRORS},
    summary="受理诉求",
    description="小程序、其他系统提交诉求：校验、按位置定位网格、按分类和位置派单、计算期限、"
    "写办理记录和审计。有分类的（咨询除外）立即自动派单；没有规则匹配的进入分拣队列。"
    "调用者须有受理诉求的权限。附件另用 POST /{id}/attachments 上传。",
)
def request_create(request: HttpRequest, payload: RequestIn) -> Any:
    data = new_request(request.user, payload)
    try:
        created = services.request_create(actor=request.user, data=data)
    except ValidationError as exc:
        if not any(name in exc.errors for name in REQUEST_FIELDS):
            raise
        raise ValidationError(errors=as_request_fields(exc.errors), code=exc.code) from exc
    return Status(201, summary_ready(created))


@router.post(
    "/{int:request_id}/attachments",
    response={201: list[AttachmentOut], **ERRORS},
    summary="上传附件",
    description="multipart/form-data：files 为一个或多个文件（JPG、PNG、WEBP 图片或 PDF，"
    "须是完整的图片或 PDF 文件，大小有上限），note 为说明（可空）。记入办理时间轴。",
)
def attachments_upload(
    request: HttpRequest,
    request_id: int,
    files: list[UploadedFile] = File(  # noqa: B008
        None,
        title=FILES_TITLE,
        description=f"一个或多个文件（JPG、PNG、WEBP 图片或 PDF），一次最多{ATTACHMENTS_MAX}个；必填",
    ),
    note: str = Form(
        "", title=NOTE_TITLE, description=f"附件说明，最长{NOTE_MAX}字；可选，留空为“上传附件N个”"
    ),
) -> Any:
    target(request.user, request_id, Action.NOTE)
    uploads: list[DjangoUploadedFile] = list(files or [])
    # The field as sent (``files``), not the service's name for it
    errors = {("files" if k == "attachments" else k): v for k, v in validate_attachments(uploads).items()}
    if not uploads:
        errors["files"] = [_("请选择要上传的附件")]
    if errors:
        raise ValidationError(errors=errors)
    text = note.strip() or _("上传附件{count}个").format(count=len(uploads))
    services.request_note(actor=request.user, request=fresh(request_id), note=text, attachments=uploads)
    event = RequestEvent.objects.filter(request_id=request_id, action=Action.NOTE).latest("id")
    return Status(201, list(Attachment.objects.filter(event=event).order_by("id")))
