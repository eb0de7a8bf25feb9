"""Intake from every channel into one model, and the consultation answered at once."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, scope_paths
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.validators import phone_problem
from civicgrid.requests.constants import Action, Channel, RequestType, Status, Urgency
from civicgrid.requests.models import Attachment, Category, Request, RequestCounter, RequestEvent
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.services import engine
from civicgrid.territory.geometry import check_lon_lat
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind

TITLE_MAX = 200
CONTENT_MAX = 5000


@dataclass
class NewRequest:
    """What intake needs; every channel fills the same fields."""

    channel: str
    type: str
    title: str
    content: str
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    building: Node | None = None
    requester_name: str = ""
    requester_phone: str = ""
    anonymous: bool = False
    confidential: bool = False
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    external_id: str = ""
    received_at: datetime | None = None


def next_number(day: date) -> str:
    """``YYYYMMDD-NNNNNN``: one counter row per day, incremented under its row lock."""
    updated = RequestCounter.objects.filter(day=day).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RequestCounter.objects.create(day=day, last=1)
        except IntegrityError:
            RequestCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = RequestCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{day:%Y%m%d}-{last:06d}"


def validate(data: NewRequest) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.channel not in Channel.values:
        errors["channel"] = ["渠道取值无效"]
    if data.type not in RequestType.values:
        errors["type"] = ["诉求类型取值无效"]
    if data.urgency not in Urgency.values:
        errors["urgency"] = ["紧急程度取值无效"]
    if not data.title.strip():
        errors["title"] = ["标题不能为空"]
    elif len(data.title) > TITLE_MAX:
        errors["title"] = [f"标题最长{TITLE_MAX}个字"]
    if not data.content.strip():
        errors["content"] = ["诉求内容不能为空"]
    elif len(data.content) > CONTENT_MAX:
        errors["content"] = [f"诉求内容最长{CONTENT_MAX}个字"]
    if data.requester_phone.strip() and (problem := phone_problem(data.requester_phone)):
        errors["requester_phone"] = [problem]
    if (
        not data.anonymous
        and not data.requester_phone.strip()
        and data.channel in (Channel.HOTLINE, Channel.WEB)
    ):
        errors["requester_phone"] = ["请填写联系电话（匿名诉求请勾选匿名）"]
    if len(data.requester_name) > 50:
        errors["requester_name"] = ["姓名最长50个字"]
    if data.crs not in ("wgs84", "gcj02"):
        errors["crs"] = ["坐标系只能是 wgs84 或 gcj02"]
    try:
        check_lon_lat(data.lon, data.lat)
    except ValidationError as exc:
        errors.update(exc.errors)
    if data.category is not None and (data.category.level != 3 or not data.category.version.is_current):
        errors["category"] = ["请选择当前派单目录中的三级分类"]
    if data.building is not None and data.building.kind != NodeKind.BUILDING:
        errors["building"] = ["门牌必须对应楼栋"]
    return errors


def validate_attachments(files: list[UploadedFile]) -> dict[str, list[str]]:
    problems = []
    for f in files:
        if f.size is None or f.size > settings.REQUESTS_ATTACHMENT_MAX_BYTES:
            limit = settings.REQUESTS_ATTACHMENT_MAX_BYTES // (1024 * 1024)
            problems.append(f"{f.name}：文件超过{limit}MB")
        elif (f.content_type or "") not in settings.REQUESTS_ATTACHMENT_TYPES or not _magic_ok(f):
            problems.append(f"{f.name}：只接受 JPG、PNG、WEBP 图片或 PDF")
    return {"attachments": problems} if problems else {}


_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF",),
}


def _magic_ok(f: UploadedFile) -> bool:
    """The declared type must match the file's first bytes (a renamed .exe is refused)."""
    head = f.read(12)
    f.seek(0)
    return any(head.startswith(m) for m in _MAGIC.get(f.content_type or "", ()))


def save_attachments(
    request: Request, files: list[UploadedFile], actor: Any, event: RequestEvent | None
) -> None:
    for f in files:
        Attachment.objects.create(
            request=request,
            event=event,
            file=f,
            name=(f.name or "附件")[:200],
            content_type=f.content_type or "",
            size=f.size or 0,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def _locate(actor: Any, data: NewRequest) -> tuple[Node, float | None, float | None]:
    """Where the request happened: the building, else the grid at the point, else a fallback."""
    if data.building is not None:
        lon, lat = data.lon, data.lat
        if lon is None and data.building.lon is not None:
            lon, lat = data.building.lon, data.building.lat
        return data.building, lon, lat
    lon, lat = data.lon, data.lat
    if lon is not None and lat is not None:
        found = locator.locate(lon, lat, crs=data.crs)
        if data.crs == "gcj02":
            from civicgrid.territory.geometry import gcj02_to_wgs84

            lon, lat = gcj02_to_wgs84(lon, lat)
        if found is not None:
            return Node.objects.get(pk=found.grid.id), lon, lat
    return _fallback_node(actor), lon, lat


def _fallback_node(actor: Any) -> Node:
    """Unlocated requests belong to the intake actor's area, or to the top of the tree."""
    paths = [p for p in scope_paths(actor, Capability.REQUEST_INTAKE) if p]
    if paths:
        return Node.objects.get(path=paths[0])
    root = Node.objects.filter(parent__isnull=True, is_active=True).order_by("id").first()
    if root is None:
        raise ValidationError("尚未建立区域，无法受理诉求", field="address")
    return root


def request_row(
    data: NewRequest,
    *,
    number: str,
    node: Node,
    lon: float | None,
    lat: float | None,
    received_at: datetime,
    created_by: Any,
) -> Request:
    """The unsaved request row of a validated intake (also used by the demo's history replay)."""
    name, phone = data.requester_name.strip(), data.requester_phone.strip()
    return Request(
        number=number,
        channel=data.channel,
        type=data.type,
        urgency=data.urgency,
        title=data.title.strip(),
        content=data.content.strip(),
        address=data.address.strip(),
        lon=lon,
        lat=lat,
        building=data.building,
        node=node,
        node_path=node.path,
        requester_name_enc=crypto.encrypt(name),
        requester_name_masked=crypto.mask_name(name) if name else "",
        requester_phone_enc=crypto.encrypt(phone),
        requester_phone_hash=crypto.blind_index(phone),
        requester_phone_masked=crypto.mask_phone(phone) if phone else "",
        anonymous=data.anonymous,
        confidential=data.confidential,
        category=data.category,
        received_at=received_at,
        external_id=data.external_id[:64],
        created_by=created_by,
        rating_token=secrets.token_urlsafe(24),
    )


def _check_intake_actor(actor: Any) -> None:
    if actor is SYSTEM:
        return
    if not has_capability(actor, Capability.REQUEST_INTAKE):
        raise PermissionDenied("您无权受理诉求")


@transaction.atomic
def request_create(
    *, actor: Any, data: NewRequest, attachments: list[UploadedFile] | None = None, dispatch: bool = True
) -> Request:
    """Record a request from any channel; dispatch it by the rules when a category is known."""
    _check_intake_actor(actor)
    files = list(attachments or [])
    errors = validate(data) | validate_attachments(files)
    if errors:
        raise ValidationError(errors=errors)
    now = timezone.now()
    received = data.received_at or now
    node, lon, lat = _locate(actor, data)
    request = request_row(
        data,
        number=next_number(timezone.localdate(received)),
        node=node,
        lon=lon,
        lat=lat,
        received_at=received,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    request.save()
    event = RequestEvent.objects.create(
        request=request,
        action=Action.RECEIVE,
        from_status="",
        to_status=Status.RECEIVED,
        actor=request.created_by,
        actor_name=engine.actor_name(actor),
        note=f"{Channel(data.channel).label}受理",
        data={"channel": data.channel},
        created_at=now,
    )
    save_attachments(request, files, actor, event)
    audit_write(
        actor=actor,
        verb="requests.received",
        target=request,
        node=node,
        after={"number": request.number, "channel": data.channel, "type": data.type},
    )
    if dispatch and data.category is not None and data.type != RequestType.CONSULTATION:
        from civicgrid.requests.services.dispatch import auto_dispatch

        auto_dispatch(request)
    request.refresh_from_db()
    return request


@transaction.atomic
def request_direct_close(
    *, actor: Any, request: Request, answer: str, expected_version: int | None = None
) -> Request:
    """A consultation answered on the spot (直接办结), e.g. from a saved answer."""
    locked = engine.begin(actor, request, Action.DIRECT_CLOSE, expected_version=expected_version)
    if not answer.strip():
        raise ValidationError("请填写答复内容", field="answer")
    now = timezone.now()
    locked.direct_answer = answer.strip()
    locked.closed_at = now
    locked.replied_at = now
    engine.finish(actor, locked, Action.DIRECT_CLOSE, note=answer.strip(), now=now)
    return locked
