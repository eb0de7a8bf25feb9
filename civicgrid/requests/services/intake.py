"""Intake from every channel into one model, and the consultation answered at once."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from civicgrid.accounts.models import Role
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, holder_paths, role_paths, scope_filter, scope_paths
from civicgrid.core import bulk, crypto
from civicgrid.core.audit import audit_row
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.core.uploads import MAX_PIXELS, is_whole, starts_as, too_many_pixels, upload_is_whole
from civicgrid.core.validators import INVISIBLE, normalise_phone, phone_problem
from civicgrid.notify.models import Notification
from civicgrid.notify.services import drain_after_commit
from civicgrid.requests.catalogue.cache import catalogue_cache
from civicgrid.requests.constants import Action, Channel, RequestType, Status, Urgency
from civicgrid.requests.deadlines import refresh_light
from civicgrid.requests.models import (
    Attachment,
    Category,
    Request,
    RequestCounter,
    RequestEvent,
    SavedAnswer,
    WorkOrder,
)
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates import journal
from civicgrid.requests.rollups import RateDelta
from civicgrid.requests.services import dispatch as dispatch_services
from civicgrid.requests.services import engine
from civicgrid.requests.transitions import OPEN as OPEN_STATUSES
from civicgrid.requests.unit_notify import tell_lead_unit
from civicgrid.territory.geometry import check_lon_lat
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind, common_path

# What intake reads of the located grid (its polygon stays in the database; plain columns,
# read without Django's converters), in the model's order as ``Model.from_db`` wants them.
NODE_READ = [
    f for f in Node._meta.concrete_fields if f.attname in ("id", "kind", "code", "name", "path", "parent_id")
]
NODE_FIELDS = [f.attname for f in NODE_READ]
TITLE_MAX = 200
CONTENT_MAX = 5000
NAME_MAX = 50
ADDRESS_MAX = 255
ATTACHMENTS_MAX = 9  # files in one intake or action (a phone's photo picker offers nine)


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
    requester_email: str = ""
    anonymous: bool = False
    confidential: bool = False
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    external_id: str = ""
    received_at: datetime | None = None


EMAIL_MAX = 254


def _email_problem(email: str) -> str | None:
    """Why an e-mail address cannot be kept, or None (also for none)."""
    if not email:
        return None
    if len(email) > EMAIL_MAX:
        return gettext("电子邮箱最长{limit}个字符").format(limit=EMAIL_MAX)
    try:
        EmailValidator()(email)
    except DjangoValidationError:
        return gettext("电子邮箱格式不正确，如 zhangwei@example.cn")
    return None


def next_number(day: date) -> str:
    """``YYYYMMDD-NNNNNN``, counted per day.

    On PostgreSQL each day has its own sequence: ``nextval`` holds no lock, so concurrent
    intakes never queue behind each other for a number (a rolled-back intake leaves a gap;
    validation runs before, so only a failed write does). Elsewhere (SQLite, which
    serialises writers anyway) one counter row per day is bumped by a single upsert."""
    if connection.vendor == "postgresql":
        last = _sequence_next(day)
    else:
        table = connection.ops.quote_name(RequestCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 (table name from the model)
                f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [day],
            )
            (last,) = cursor.fetchone()
    return number_of(day, last)


def number_of(day: date, last: int) -> str:
    """The readable number of a day's ``last``-th request: ``YYYYMMDD-NNNNNN``."""
    return f"{day:%Y%m%d}-{last:06d}"


def number_sequence(day: date) -> str:
    return f"requests_number_{day:%Y%m%d}"


def numbers_taken(since: date) -> dict[date, int]:
    """The last number given on each day since ``since`` (counter rows and, on PostgreSQL,
    the days' sequences): where a writer of past requests (demo, import) continues from."""
    taken = dict(RequestCounter.objects.filter(day__gte=since).values_list("day", "last"))
    if connection.vendor != "postgresql":
        return taken
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND sequencename LIKE %s AND last_value IS NOT NULL",
            [r"requests\_number\_%"],
        )
        for name, last in cursor.fetchall():
            day = datetime.strptime(name.rsplit("_", 1)[1], "%Y%m%d").date()
            if day >= since:
                taken[day] = max(taken.get(day, 0), int(last))
    return taken


def numbers_record(last_by_day: dict[date, int]) -> None:
    """Record numbers a writer of past requests gave (demo, import), so that live intake
    continues after them: counter rows raised, and the days' sequences where they exist."""
    taken = numbers_taken(min(last_by_day)) if last_by_day else {}
    rows = [(day, max(last, taken.get(day, 0))) for day, last in sorted(last_by_day.items())]
    # Raised, never lowered: another writer may have raised a row since ``numbers_taken``.
    qn = connection.ops.quote_name
    table, day_column, last_column = qn(RequestCounter._meta.db_table), qn("day"), qn("last")
    bigger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sql = (
        f"INSERT INTO {table} ({day_column}, {last_column}) VALUES (%s, %s) "  # noqa: S608 (names from the model)
        f"ON CONFLICT ({day_column}) DO UPDATE SET {last_column} = "
        f"{bigger}({table}.{last_column}, EXCLUDED.{last_column})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        if connection.vendor != "postgresql":
            return
        # Forward only, and only the sequences behind: a live intake may draw a number at any
        # time, and setting a sequence back would hand that number out again. (A sequence is
        # not transactional: an import rolled back later leaves it raised, so that day's live
        # numbers continue after a gap, never twice.) One statement for all the days (an
        # import of a year's history names hundreds).
        cursor.execute(
            "SELECT setval(to_regclass(v.name), v.last) "
            "FROM unnest(%s::text[], %s::bigint[]) AS v(name, last) JOIN pg_sequences s "
            "ON s.schemaname = current_schema() AND s.sequencename = v.name "
            "WHERE s.last_value IS NULL OR s.last_value < v.last",
            [[number_sequence(day) for day, _ in rows], [last for _, last in rows]],
        )


def _sequence_next(day: date) -> int:
    name = number_sequence(day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])
        (last,) = cursor.fetchone()
        if last is not None:
            return int(last)
        # First number of the day: start after the day's counter row (numbers given before
        # an upgrade, or reserved by an import); a concurrent creator may win the race.
        start = RequestCounter.objects.filter(day=day).values_list("last", flat=True).first() or 0
        try:
            with transaction.atomic():
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start + 1}")
        except DatabaseError:
            pass
        cursor.execute("SELECT nextval(%s)", [name])
        (last,) = cursor.fetchone()
    return int(last)


# The choices' values, built once (``Choices.values`` builds a new list on every use).
CHANNELS, REQUEST_TYPES, URGENCIES = (frozenset(c.values) for c in (Channel, RequestType, Urgency))

# The channels a person records a call or visit under (the console's): the figures count
# each as that channel's (12345热线, 领导留言板…). The others are what a system files under
# (a resident's H5 and doorplate, a mini-program, Open311, another system).
STAFF_CHANNELS = frozenset(
    {
        Channel.HOTLINE,
        Channel.WALK_IN,
        Channel.MESSAGE_BOARD,
        Channel.ENTERPRISE_HOTLINE,
        Channel.GRID_WORKER,
    }
)


def staff_channels(actor: Any) -> frozenset[str]:
    """The staff channels ``actor`` may file under, on the console and through the API alike:
    the hotline centre's staff (who dispatch) and the system's intake every one; a grid
    worker 网格员上报 and a community worker (or anyone else) 民声总台（来访） only, so that their
    entries never count as 12345 calls in the channel figures."""
    if actor is SYSTEM or has_capability(actor, Capability.REQUEST_DISPATCH):
        return STAFF_CHANNELS
    own = set()
    if role_paths(actor, Role.GRID_WORKER):
        own.add(Channel.GRID_WORKER.value)
    if role_paths(actor, Role.COMMUNITY_WORKER) or not own:
        own.add(Channel.WALK_IN.value)
    return frozenset(own)


def channel_problem(actor: Any, channel: str) -> str | None:
    """Why ``actor`` may not file under ``channel`` (a staff channel not theirs), or None."""
    if channel not in STAFF_CHANNELS or channel in staff_channels(actor):
        return None
    allowed = "、".join(str(Channel(c).label) for c in sorted(staff_channels(actor)))
    return gettext("您只能登记渠道为「{allowed}」的诉求，不能登记为「{channel}」").format(
        allowed=allowed, channel=Channel(channel).label
    )


def intake_buildings(actor: Any) -> QuerySet[Node]:
    """The buildings ``actor`` may file a request at (the console's picker and the API's
    ``building_id`` alike): the active buildings of the area they see; the system's intake
    (a resident's doorplate) any active building."""
    buildings = Node.objects.filter(kind=NodeKind.BUILDING, is_active=True)
    if actor is SYSTEM:
        return buildings
    return scope_filter(buildings, actor, Capability.TERRITORY_VIEW, field="path")


BUILDING_UNKNOWN = gettext_noop("楼栋不存在或不在您的辖区")
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only spaces and invisible characters (zero-width
    spaces and joiners, the BOM…: ``core.validators.INVISIBLE``)."""
    return not text.translate(_DROP_INVISIBLE).strip()


def too_long(label: str, text: str, limit: int) -> str | None:
    """The one wording of a text over its limit (console, API, follow-up alike), or None."""
    if len(text) <= limit:
        return None
    return gettext("{label}最长{limit}个字（现有{length}个字）").format(
        label=label, limit=limit, length=len(text)
    )


def validate(data: NewRequest) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.channel not in CHANNELS:
        errors["channel"] = [gettext("渠道取值无效")]
    if data.type not in REQUEST_TYPES:
        errors["type"] = [gettext("诉求类型取值无效")]
    if data.urgency not in URGENCIES:
        errors["urgency"] = [gettext("紧急程度取值无效")]
    if is_blank(data.title):
        errors["title"] = [gettext("请填写标题")]
    elif problem := too_long(gettext("标题"), data.title.strip(), TITLE_MAX):
        errors["title"] = [problem]
    if is_blank(data.content):
        errors["content"] = [gettext("请填写诉求内容")]
    elif problem := too_long(gettext("诉求内容"), data.content.strip(), CONTENT_MAX):
        errors["content"] = [problem]
    if problem := too_long(gettext("地址"), data.address.strip(), ADDRESS_MAX):
        errors["address"] = [problem]
    if data.requester_phone.strip() and (problem := _phone_problem(data.requester_phone.strip())):
        errors["requester_phone"] = [problem]
    if (
        not data.anonymous
        and not data.requester_phone.strip()
        and data.channel in (Channel.HOTLINE, Channel.WEB)
    ):
        errors["requester_phone"] = [gettext("请填写联系电话（匿名诉求请勾选匿名）")]
    if problem := too_long(gettext("姓名"), data.requester_name.strip(), NAME_MAX):
        errors["requester_name"] = [problem]
    if problem := _email_problem(data.requester_email.strip()):
        errors["requester_email"] = [problem]
    if data.crs not in ("wgs84", "gcj02"):
        errors["crs"] = [gettext("坐标系只能是 wgs84 或 gcj02")]
    try:
        check_lon_lat(data.lon, data.lat)
    except ValidationError as exc:
        errors.update(exc.errors)
    if data.category is not None and not catalogue_cache.is_current_leaf(data.category):
        errors["category"] = [gettext("请选择当前派单目录中的三级分类")]
    if data.building is not None and data.building.kind != NodeKind.BUILDING:
        errors["building"] = [gettext("门牌必须对应楼栋")]
    return errors


def actor_problems(actor: Any, data: NewRequest) -> dict[str, list[str]]:
    """What ``actor`` may not file of ``data``: a staff channel not theirs, a building
    outside the area they see (one rule for the console and the API)."""
    errors: dict[str, list[str]] = {}
    if data.channel in CHANNELS and (problem := channel_problem(actor, data.channel)):
        errors["channel"] = [problem]
    building = data.building
    if (
        building is not None
        and actor is not SYSTEM
        and not intake_buildings(actor).filter(pk=building.pk).exists()
    ):
        errors["building"] = [gettext(BUILDING_UNKNOWN)]
    return errors


def validate_attachments(files: list[UploadedFile]) -> dict[str, list[str]]:
    """At most ``ATTACHMENTS_MAX`` files, each within the size limit and a whole file of an
    accepted type (``core.uploads``: a whole image or PDF, not only its first bytes)."""
    problems = []
    if len(files) > ATTACHMENTS_MAX:
        problems.append(
            gettext("一次最多上传{attachments_max}个附件").format(attachments_max=ATTACHMENTS_MAX)
        )
    limit = settings.REQUESTS_ATTACHMENT_MAX_BYTES
    for f in files:
        if f.size is None or f.size > limit:
            megabytes = limit // (1024 * 1024)
            problems.append(gettext("{name}：文件超过{limit}MB").format(name=f.name, limit=megabytes))
        elif (f.content_type or "") not in settings.REQUESTS_ATTACHMENT_TYPES:
            problems.append(gettext("{name}：只接受 JPG、PNG、WEBP 图片或 PDF").format(name=f.name))
        elif not upload_is_whole(f, max_bytes=limit) and not retyped(f, limit):
            problems.append(_unreadable(f, limit))
    return {"attachments": problems} if problems else {}


def retyped(f: UploadedFile, limit: int, types: tuple[str, ...] | None = None) -> bool:
    """A whole file of another accepted type than the one declared (a PNG renamed .jpg, sent
    as image/jpeg): taken as what it is, its content type set to the real one (kept and
    served as such). False when it is whole as no accepted type. ``types``: the accepted ones
    (``REQUESTS_ATTACHMENT_TYPES`` by default; the resident pages take photos alone)."""
    f.seek(0)
    head = f.read(limit + 1)
    f.seek(0)
    if len(head) > limit:
        return False
    for real in settings.REQUESTS_ATTACHMENT_TYPES if types is None else types:
        if real != f.content_type and starts_as(real, head) and is_whole(real, head):
            f.content_type = real
            return True
    return False


def _unreadable(f: UploadedFile, limit: int) -> str:
    """Why a file declared as an accepted type was refused: too many pixels; damaged or cut
    short (it begins as that type, or as another accepted type, does: "只接受 JPG…" told the
    sender of a truncated PNG its type was wrong); or of no accepted type at all."""
    f.seek(0)
    head = f.read(limit)
    f.seek(0)
    content_type = f.content_type or ""
    begins = [t for t in settings.REQUESTS_ATTACHMENT_TYPES if starts_as(t, head)]
    if any(too_many_pixels(t, head) for t in {content_type, *begins}):
        return gettext("{name}：图片像素过大（超过{megapixels}百万像素），请压缩后再上传").format(
            name=f.name, megapixels=MAX_PIXELS // 1_000_000
        )
    if begins:
        return gettext("{name}：文件已损坏或不完整，无法读取，请重新上传").format(name=f.name)
    return gettext("{name}：只接受 JPG、PNG、WEBP 图片或 PDF").format(name=f.name)


def save_attachments(
    request: Request, files: list[UploadedFile], actor: Any, event: RequestEvent | None
) -> None:
    for f in files:
        Attachment.objects.create(
            request=request,
            event=event,
            file=f,
            name=(f.name or gettext("附件"))[:200],
            content_type=f.content_type or "",
            size=f.size or 0,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def _phone_problem(phone: str) -> str | None:
    """None when ``phone`` is a phone number in any common form (+86, dashes, brackets,
    full-width digits: ``core.validators.normalise_phone``), else why not."""
    if normalise_phone(phone) is not None:
        return None
    return phone_problem(phone) or gettext("电话号码格式不正确（手机号11位，固定电话如0510-12345678）")


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
        if found is None and _far_from_every_grid(lon, lat, data.crs):
            far = gettext("位置不在本辖区内（离最近的网格超过{value}公里），请核对经纬度").format(
                value=FAR_METRES // 1000
            )
            raise ValidationError(errors={"lon": [far], "lat": [far]})
        if data.crs == "gcj02":
            from civicgrid.territory.geometry import gcj02_to_wgs84

            lon, lat = gcj02_to_wgs84(lon, lat)
        grid = _grid_node(found.grid.id) if found is not None else None
        if grid is not None:
            return grid, lon, lat
    return _fallback_node(actor), lon, lat


def _check_own_district(actor: Any, node: Node, *, building: bool) -> None:
    """A staff member files requests of their own district (or county): one installation may
    hold several, and a request filed at a point of another would be that district's,
    dispatched to its units and readable by its filer. Within the district a place outside
    the filer's own area is fine (a grid worker reports across the street). The system's
    intake (residents, Open311 without an account) has no area and is not checked; the
    common case (the place inside the filer's area) costs no query."""
    paths = [p for p in scope_paths(actor, Capability.REQUEST_INTAKE) if p] if actor is not SYSTEM else []
    if not paths or any(node.path.startswith(p) for p in paths):
        return
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part.isdecimal()}
    districts = Node.objects.filter(pk__in=ids, kind=NodeKind.DISTRICT).values_list("path", flat=True)
    if any(node.path.startswith(d) for d in districts) or not districts:
        return  # in the filer's district, or a filer above every district (the city's hotline)
    field = "building" if building else "lon"
    reason = gettext("该位置属于 {place}，不在您所在的区（县），请核对位置").format(place=node.name)
    raise ValidationError(errors={field: [reason]} if building else {"lon": [reason], "lat": [reason]})


def place_preview(actor: Any, *, building: Node | None, lon: float | None, lat: float | None) -> Node | None:
    """Where a request with these place fields would be filed (as ``_locate``, WGS-84), for the
    console's previews before it is submitted: None when there is nowhere yet (no territory)."""
    if building is not None:
        return building
    if lon is not None and lat is not None:
        found = locator.locate(lon, lat)
        grid = _grid_node(found.grid.id) if found is not None else None
        if grid is not None:
            return grid
    try:
        return _fallback_node(actor)
    except ValidationError:
        return None


FAR_METRES = 20_000  # a point this far from every grid is a mistake (swapped, wrong system…)


def _far_from_every_grid(lon: float, lat: float, crs: str) -> bool:
    """Whether the territory has grids and none lies within ``FAR_METRES`` of the point."""
    if locator.index().tree is None:  # no geometry yet: nothing to compare with
        return False
    return locator.locate(lon, lat, crs=crs, max_metres=FAR_METRES) is None


def _grid_node(pk: int) -> Node | None:
    """The located grid's row as it is now (its path may have moved since the locator's
    index was built; None if it is gone): one lean query, as this runs on every intake."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in NODE_READ)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(Node._meta.db_table)} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return Node.from_db(connection.alias, NODE_FIELDS, row) if row is not None else None


def _fallback_node(actor: Any) -> Node:
    """Unlocated requests belong to the intake actor's area, or (the system's intake: a
    resident's H5 without location, an administrator) to where the hotline triages."""
    paths = [p for p in scope_paths(actor, Capability.REQUEST_INTAKE) if p]
    if paths:
        return Node.objects.get(path=paths[0])
    return triage_node()


def triage_node() -> Node:
    """Where a request with no place and no intake area waits for an operator.

    A request is in a dispatcher's triage queue (and visible to the leaders and units of an
    area) only when its node lies in their area: filed on a city root above the district, it
    was nobody's. So: the deepest node whose area holds every dispatcher (operator role) when
    a dispatcher sits there (one district with its hotline there: the district; operators at
    the city too: the city); dispatchers in several districts and none above them: the first
    of their areas (its operators triage it and can dispatch it to any unit). No dispatcher
    yet: the top of the tree, or its one district when the city has a single one.
    """
    dispatchers = holder_paths(Capability.REQUEST_DISPATCH)
    if dispatchers:
        common = common_path(dispatchers)
        path = common if common in dispatchers else dispatchers[0]
        node = Node.objects.filter(path=path, is_active=True).first()
        if node is not None:
            return node
    root = Node.objects.filter(parent__isnull=True, is_active=True).order_by("id").first()
    if root is None:
        raise ValidationError(gettext("尚未建立区域，无法受理诉求"), field="address")
    if root.kind == NodeKind.CITY:
        districts = list(Node.objects.filter(parent=root, is_active=True, kind=NodeKind.DISTRICT)[:2])
        if len(districts) == 1:
            return districts[0]
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
    if data.anonymous:  # 匿名: no name is kept, whatever was typed (a phone, when left, is)
        name = ""
    phone = normalise_phone(phone) or phone  # one form for every channel: the blind index finds it
    email = data.requester_email.strip()
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
        requester_email_enc=crypto.encrypt(email) if email else "",
        requester_email_masked=crypto.mask_email(email) if email else "",
        anonymous=data.anonymous,
        confidential=data.confidential,
        category=data.category,
        received_at=received_at,
        external_id=data.external_id.strip()[:64],
        created_by=created_by,
        rating_token=secrets.token_urlsafe(24),
    )


def _check_intake_actor(actor: Any) -> None:
    if actor is SYSTEM:
        return
    if not has_capability(actor, Capability.REQUEST_INTAKE):
        raise PermissionDenied(gettext("您无权受理诉求"))


def request_create(
    *, actor: Any, data: NewRequest, attachments: list[UploadedFile] | None = None, dispatch: bool = True
) -> Request:
    """Record a request from any channel; dispatch it by the rules when a category is known.

    Idempotent on the caller's external id: a caller (a signed-in user or an API token's
    user) who sends again an ``external_id`` it already filed a request under, e.g. a
    mini-program retrying after a timeout, gets that request back and nothing is written;
    the same id with another request's words is refused (``Conflict``). The normal path
    pays nothing for it: no lookup before the insert, the table's unique constraint
    (``requests_req_one_per_external_id``) refuses the second row and the winner is read
    then. Open311's external id is the submitting device's id, shared by all its requests:
    not a key. A refused insert draws (and leaves unused) a number on PostgreSQL.
    """
    try:
        return _request_create(actor=actor, data=data, attachments=attachments, dispatch=dispatch)
    except IntegrityError:
        # ``_request_create``'s atomic block is rolled back (a savepoint when the caller holds
        # a transaction, else the whole one), so the connection can read the winner.
        replayed = _replayed(actor, data)
        if replayed is None:
            raise
        return replayed


def _replay_key(actor: Any, data: NewRequest) -> str:
    """The external id that makes a repeated intake of ``actor`` a replay, or "" when none
    does: no id, no signed-in caller (the system, a resident: their ``created_by`` is empty),
    or Open311 (a device id). Mirrors the condition of the model's constraint."""
    if data.channel == Channel.OPEN311 or not getattr(actor, "is_authenticated", False):
        return ""
    return data.external_id.strip()[:64]


def _replayed(actor: Any, data: NewRequest) -> Request | None:
    """The request ``actor`` already filed under ``data``'s external id (None if there is
    none: the insert failed for another reason). Refuses the id reused for other words."""
    external_id = _replay_key(actor, data)
    if not external_id:
        return None
    found = (
        Request.objects.select_related("category", "lead_unit")
        .filter(created_by=actor, external_id=external_id)
        .exclude(channel=Channel.OPEN311)
        .first()
    )
    if found is None:
        return None
    differ = _differences(found, data)
    if differ:
        raise Conflict(
            gettext("外部编号「{external_id}」已用于另一件诉求（{number}），请换一个编号").format(
                external_id=external_id, number=found.number
            ),
            detail={"external_id": external_id, "number": found.number, "id": found.pk, "fields": differ},
        )
    return found


def _differences(found: Request, data: NewRequest) -> list[str]:
    """The fields in which a replayed intake is not the request first filed under its id:
    what the request is (channel, type, title, content) and whose (the phone). The rest
    (address, point, category…) may be sent again refined; the first request stands."""
    phone = data.requester_phone.strip()
    phone = normalise_phone(phone) or phone
    fields = [
        ("channel", found.channel == data.channel),
        ("type", found.type == data.type),
        ("title", found.title == data.title.strip()),
        ("content", found.content == data.content.strip()),
        ("requester_phone", found.requester_phone_hash == crypto.blind_index(phone)),
    ]
    return [name for name, same in fields if not same]


@transaction.atomic
def _request_create(
    *, actor: Any, data: NewRequest, attachments: list[UploadedFile] | None, dispatch: bool
) -> Request:
    """``request_create`` without the replay: writes a new request or raises.

    A new request that a rule dispatches is inserted already dispatched, with its two
    history rows (received, dispatched), its work orders, the lead unit's message and two
    audit rows: the same rows as receiving it and then ``request_dispatch``-ing it. On
    PostgreSQL all of them are one statement after the one that draws the id and number."""
    _check_intake_actor(actor)
    files = list(attachments or [])
    errors = validate(data) | validate_attachments(files) | actor_problems(actor, data)
    if errors:
        raise ValidationError(errors=errors)
    now = timezone.now()
    received = data.received_at or now
    node, lon, lat = _locate(actor, data)
    _check_own_district(actor, node, building=data.building is not None)
    request = request_row(
        data,
        number="",
        node=node,
        lon=lon,
        lat=lat,
        received_at=received,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment = None
    if dispatch and data.type != RequestType.CONSULTATION:
        classified = _classify(request) if request.category is None else ""
        if request.category is not None:
            assignment = dispatch_services.match_rule(request)
        if assignment is not None and classified:
            assignment.label = f"{assignment.label}（{classified}）"
    if assignment is not None:
        dispatch_services.assignment_apply(request, assignment, now)
        request.status = Status.DISPATCHED
        request.version += 1
        refresh_light(request, now)
    _number(request, timezone.localdate(received))
    events = _intake_events(actor, request, data.channel, assignment, now)
    audits = [
        audit_row(
            actor=actor,
            verb="requests.received",
            target=request,
            node=node,
            after={"number": request.number, "channel": data.channel, "type": data.type},
        )
    ]
    work_orders: list[WorkOrder] = []
    messages: list[Notification] = []
    if assignment is not None:
        audits.append(
            audit_row(
                actor=SYSTEM,
                verb=f"requests.{Action.DISPATCH}",
                target=request,
                node=node,
                before={"status": Status.RECEIVED},
                after={
                    "status": request.status,
                    "version": request.version,
                    **dispatch_services.assignment_data(assignment),
                },
            )
        )
        work_orders = dispatch_services.work_order_rows(SYSTEM, request, assignment, now)
        # One row per reachable member of the lead unit (or its failed "nobody" row).
        messages = dispatch_services.assignment_messages(request, assignment, version=request.version)
    # The message's key names the new request's id, so no queued message can hold it: it is
    # inserted with the rest (a clash would refuse the whole intake, not skip the message).
    bulk.insert_together(
        [
            *([(Request, [request])] if request._state.adding else []),
            (RateDelta, journal.new_request_deltas(request, events)),
            (RequestEvent, events),
            (WorkOrder, work_orders),
            (Notification, messages),
            (AuditLog, audits),
        ]
    )
    if messages:
        drain_after_commit()
    save_attachments(request, files, actor, events[0])
    return request


def _number(request: Request, day: date) -> None:
    """Give the new request its number and its id, so that the rows written with it can
    name it. On PostgreSQL both come from sequences in one statement, and the row is
    written later with the others (``insert_together``); elsewhere the row is inserted
    here and the table gives the id."""
    if connection.vendor != "postgresql":
        request.number = next_number(day)
        bulk.insert(Request, [request])
        return
    table = Request._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval(to_regclass(%s))",
            [table, number_sequence(day)],
        )
        pk, last = cursor.fetchone()
    request.pk = int(pk)
    request.number = number_of(day, last) if last is not None else next_number(day)


def _classify(request: Request) -> str:
    """No category given: take the classifier's when it is sure enough (above its threshold;
    else the request waits in triage for a person). Returns what to record, or ""."""
    from civicgrid.classifier.selectors import auto_dispatch_choice

    choice = auto_dispatch_choice(f"{request.title}\n{request.content}")
    if choice is None:
        return ""
    category = Category.objects.filter(pk=choice.category_id, level=3, version__is_current=True).first()
    if category is None:
        return ""
    request.category = category
    return gettext("智能分类，置信度{confidence:.0%}").format(confidence=choice.confidence)


def _intake_events(
    actor: Any, request: Request, channel: str, assignment: Any, now: datetime
) -> list[RequestEvent]:
    """The unsaved history rows of a new request: received, and dispatched when a rule chose units."""
    events = [
        RequestEvent(
            request=request,
            action=Action.RECEIVE,
            from_status="",
            to_status=Status.RECEIVED,
            actor=request.created_by,
            actor_name=engine.actor_name(actor),
            note=gettext("{label}受理").format(label=Channel(channel).label),
            data={"channel": channel},
            created_at=now,
        )
    ]
    if assignment is not None:
        events.append(
            RequestEvent(
                request=request,
                action=Action.DISPATCH,
                from_status=Status.RECEIVED,
                to_status=request.status,
                actor=None,
                actor_name=engine.actor_name(SYSTEM),
                unit=assignment.lead,
                note=assignment.label,
                data=dispatch_services.assignment_data(assignment),
                created_at=now,
            )
        )
    return events


@transaction.atomic
def request_follow_up(
    *, request: Request, text: str, phone: str, channel: str = Channel.WEB, phone_required: bool = True
) -> Request:
    """A resident follows an open request instead of filing the same problem again: their
    words go on its timeline (the phone shown masked, its hash kept to find them later); on
    an emergency, the lead unit is told too (``tell_lead_unit``).
    ``phone_required=False``: a resident who left no phone may add too (a repeat of a
    doorplate alarm from the browser that raised it); the row then names the channel alone."""
    from civicgrid.requests.permissions import REQUESTER

    errors: dict[str, list[str]] = {}
    phone = phone.strip()
    if phone:
        problem = _phone_problem(phone)
    else:
        problem = gettext("请填写联系电话，以便告知您办理结果") if phone_required else None
    if problem:
        errors["requester_phone"] = [problem]
    phone = normalise_phone(phone) or phone
    if problem := too_long(gettext("诉求内容"), text.strip(), CONTENT_MAX):
        errors["content"] = [problem]
    if errors:
        raise ValidationError(errors=errors)
    locked = engine.begin(REQUESTER, request, Action.NOTE)
    if locked.status not in OPEN_STATUSES:
        raise Conflict(gettext("该诉求已办结，请提交新的诉求"), detail={"status": locked.status})
    note = follow_up_note(text, phone, channel)
    data: dict[str, Any] = {"follow_up": True, "channel": channel}
    if phone:
        data["phone_hash"] = crypto.blind_index(phone)
    event = engine.finish(REQUESTER, locked, Action.NOTE, note=note, data=data)
    if locked.type == RequestType.EMERGENCY:
        # what a resident adds to an emergency (a repeated doorplate alarm: "有人被困") cannot
        # wait for someone to open the page: the lead unit is told at once, after the commit
        tell_lead_unit(
            locked,
            locked.lead_unit,
            key=f"follow-up:{event.pk}",
            subject=gettext("紧急诉求补充"),
            text=gettext("居民补充情况：{text}").format(text=text.strip()[:200] or gettext("催办")),
            what=gettext("紧急诉求补充通知"),
        )
    return locked


def follow_up_note(text: str, phone: str, channel: str) -> str:
    """The timeline's words for a resident's follow-up (``phone`` as kept: normalised)."""
    label = str(Channel(channel).label)
    who = f"{label}，{crypto.mask_phone(phone)}" if phone else label
    return gettext("居民再次反映（{who}）：{value}").format(who=who, value=text.strip() or gettext("催办"))


@transaction.atomic
def request_direct_close(
    *,
    actor: Any,
    request: Request,
    answer: str,
    expected_version: int | None = None,
    saved_answer_id: int | None = None,
) -> Request:
    """A consultation answered on the spot (直接办结), e.g. from a saved answer (its use counted).

    Only a consultation: any other request (a complaint, a call for help…) needs a unit to
    handle it, so it is refused here whatever page or API asked. A saved answer must exist."""
    locked = engine.begin(actor, request, Action.DIRECT_CLOSE, expected_version=expected_version)
    if locked.type != RequestType.CONSULTATION:
        raise ValidationError(
            gettext("只有咨询类诉求可以直接办结；该诉求为“{type}”，须派单由承办单位办理").format(
                type=RequestType(locked.type).label
            ),
            field="type",
        )
    if not answer.strip():
        raise ValidationError(gettext("请填写答复内容"), field="answer")
    if saved_answer_id is not None and not SavedAnswer.objects.filter(pk=saved_answer_id).exists():
        raise ValidationError(gettext("所选知识库答复不存在，请重新选择"), field="saved_answer_id")
    now = timezone.now()
    locked.direct_answer = answer.strip()
    locked.closed_at = now
    locked.replied_at = now
    data = {"saved_answer": saved_answer_id} if saved_answer_id else None
    engine.finish(actor, locked, Action.DIRECT_CLOSE, note=answer.strip(), now=now, data=data)
    if saved_answer_id:
        from civicgrid.requests.knowledge import saved_answer_used

        saved_answer_used(saved_answer_id)
    return locked
