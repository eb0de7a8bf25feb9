"""What a grid worker saw on patrol (民情): recorded, fixed on the spot, or reported as a request.

A report goes through respond-upon-receipt's own intake (``request_create``, channel
"grid-worker report"), in the same transaction as the finding: both are stored or neither.
A fix on the spot still counts as an issue found and handled, and needs photo evidence.
A finding's point lies in the worker's own grids, or near one's boundary (``check_place``):
a problem in another grid is that grid's to report, and a report filed from afar would
put a request where its reporter could not follow it.

Before a report the phone asks for open requests near the point with similar words
(``similar_requests``, online only: an entry kept offline is never held back); the worker
may follow one (跟进这件) instead: the finding is linked to it and their words go on its
timeline, no second request is filed. The request offered is named by a signed token
(``follow_token``), so a phone can follow only what it was shown.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.gridwork.constants import FindingCategory, Outcome, Verb
from civicgrid.gridwork.models import Finding, Patrol
from civicgrid.gridwork.services.common import (
    Saved,
    check_key,
    check_moment,
    check_photos,
    check_place,
    check_point,
    check_text,
    claim,
    grid_for,
    own_patrol,
    replay,
    require_own_grid,
    require_worker,
    save_photos,
)
from civicgrid.requests.constants import Action, Channel, RequestType, Urgency
from civicgrid.requests.models import Request
from civicgrid.requests.permissions import REQUESTER
from civicgrid.requests.selectors import requests_readable
from civicgrid.requests.services import NewRequest, engine, request_create
from civicgrid.requests.transitions import OPEN as OPEN_STATUSES
from civicgrid.territory.models import Node

REPORT_TYPES = (RequestType.COMPLAINT, RequestType.HELP, RequestType.SUGGESTION, RequestType.EMERGENCY)


@dataclass
class FindingIn:
    category: str
    description: str
    outcome: str = Outcome.RECORDED
    handled_note: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    observed_at: datetime | None = None
    grid: Node | None = None
    patrol_key: str = ""
    request_type: str = RequestType.COMPLAINT
    urgency: str = Urgency.NORMAL
    photos: list[UploadedFile] = field(default_factory=list)
    follow: Request | None = None  # 跟进这件: the open request this report adds to


FOLLOW_SALT = "civicgrid.gridwork.follow"
FOLLOW_MAX_AGE = 2 * 3600  # a form left open this long asks again


def follow_token(pk: int) -> str:
    """What 跟进这件 sends for a request the similar list offered: its id, signed."""
    return signing.dumps(pk, salt=FOLLOW_SALT, compress=False)


def follow_request(token: str, *, actor: Any = None) -> Request | None:
    """The request a 跟进这件 token names; none for an empty token. A bad or old token, or a
    request no longer open, is refused on the field; with ``actor``, so is a request they may
    not open (``finding_record`` checks that again, whoever built its data)."""
    token = token.strip()
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    except signing.BadSignature:
        pk = None
    if not isinstance(pk, int):
        raise ValidationError(
            _("跟进的诉求已失效，请重新保存，从列出的相似诉求中选择或上报新诉求"), field="follow"
        )
    found = Request.objects.filter(pk=pk, status__in=list(OPEN_STATUSES)).first()
    if found is None:
        raise ValidationError(_("要跟进的诉求已办结或不存在，请上报新诉求"), field="follow")
    if actor is not None:
        _check_followable(actor, found)
    return found


def _followable(actor: Any) -> QuerySet[Request]:
    """What a worker is offered and may follow: the requests they may open (those of their
    scope and those they reported), never a confidential one."""
    return requests_readable(actor).filter(confidential=False)


def _check_followable(actor: Any, target: Request) -> None:
    if not _followable(actor).filter(pk=target.pk).exists():
        reason = _("要跟进的诉求不在您可查看的范围内，不能跟进，请上报新诉求")
        raise ValidationError(reason, field="follow")


def similar_requests(
    actor: Any, *, text: str, lon: float | None, lat: float | None, grid: Node | None
) -> list[Any]:
    """Open requests near the point (or in the grid, without one) whose words are like
    ``text``: what a worker about to report should see first. Confidential ones are never
    offered, nor any the worker may not open (another subdistrict's); each is shown by
    number, kind of matter, status and date (not its words)."""
    from civicgrid.requests.web_helpers import similar_nearby

    require_worker(actor)
    among = _followable(actor)  # never a request the worker could not open
    grid_path = grid.path if grid is not None else ""
    return similar_nearby(None, lon=lon, lat=lat, text=text, grid_path=grid_path, among=among, limit=3)


def _validate(data: FindingIn, now: datetime) -> tuple[dict[str, list[str]], datetime]:
    errors: dict[str, list[str]] = {}
    if data.category not in FindingCategory.values:
        errors["category"] = [_("请选择问题类别")]
    if data.outcome not in Outcome.values:
        errors["outcome"] = [_("请选择处理方式")]
    check_text(errors, "description", data.description, _("情况描述"), required=True)
    fixed = data.outcome == Outcome.FIXED
    check_text(errors, "handled_note", data.handled_note, _("现场处理情况"), required=fixed)
    if fixed and not data.photos:
        errors.setdefault("photos", []).append(_("现场解决须上传至少一张照片作为佐证"))
    if data.outcome == Outcome.REPORTED:
        if not data.request_type:
            errors["request_type"] = [_("请选择诉求类型")]
        elif data.request_type not in REPORT_TYPES:
            errors["request_type"] = [_("诉求类型只能是投诉举报、求助、建议或紧急")]
        if data.urgency not in Urgency.values:
            errors["urgency"] = [_("紧急程度取值无效")]
    if len(data.address) > 255:
        errors["address"] = [_("地点最长255个字")]
    check_point(errors, data.lon, data.lat)
    for name, reasons in check_photos(data.photos).items():
        errors.setdefault(name, []).extend(reasons)
    observed = now
    try:
        observed = check_moment(data.observed_at, "observed_at", now=now)
    except ValidationError as exc:
        errors.update(exc.errors)
    return errors, observed


def _follow(actor: Any, finding: Finding, target: Request) -> None:
    """跟进这件: the worker's words go on the open request's timeline and the finding is
    linked to it; no new request."""
    locked = engine.begin(REQUESTER, target, Action.NOTE)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(_("要跟进的诉求已办结或不存在，请上报新诉求"), field="follow")
    seen = f"{timezone.localtime(finding.observed_at):%Y-%m-%d %H:%M}"
    name = getattr(actor, "display_name", "") or str(actor)
    note = _("网格员{name}巡查时再次发现（{seen}）：{text}").format(
        name=name, seen=seen, text=finding.description
    )
    data = {"follow_up": True, "channel": Channel.GRID_WORKER, "finding": finding.pk}
    engine.finish(REQUESTER, locked, Action.NOTE, note=note, data=data)
    finding.request = locked
    finding.save(update_fields=["request"])


def _report(actor: Any, finding: Finding, data: FindingIn) -> None:
    """File the finding as a request through respond-upon-receipt's intake."""
    if data.follow is not None:
        _follow(actor, finding, data.follow)
        return
    label = FindingCategory(finding.category).label
    text = finding.description
    seen = f"{timezone.localtime(finding.observed_at):%Y-%m-%d %H:%M}"
    request = request_create(
        actor=actor,
        data=NewRequest(
            channel=Channel.GRID_WORKER,
            type=data.request_type,
            title=_("【网格员上报】{label}：{text}").format(label=label, text=text[:40]),
            content=_("{text}\n（网格员巡查发现，发现时间：{seen}）").format(text=text, seen=seen),
            address=finding.address or finding.node.name,
            lon=finding.lon,
            lat=finding.lat,
            requester_name=getattr(actor, "display_name", "") or str(actor),
            urgency=data.urgency,
        ),
        attachments=data.photos,
    )
    finding.request = request
    finding.save(update_fields=["request"])


@transaction.atomic
def finding_record(*, actor: Any, client_key: str, data: FindingIn) -> Saved[Finding]:
    """Record what was seen; ``outcome`` says whether it was fixed on the spot or reported."""
    key = check_key(client_key)
    require_worker(actor)
    found = replay(Finding, key, actor)
    if found is not None:
        return Saved(found, False)
    now = timezone.now()
    errors, observed = _validate(data, now)
    patrol: Patrol | None = None
    try:
        patrol = own_patrol(actor, data.patrol_key)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors=errors)
    if data.outcome == Outcome.REPORTED and data.follow is not None:
        _check_followable(actor, data.follow)  # whoever built ``data``: nothing is written
    if data.grid is not None:
        require_own_grid(actor, data.grid)  # whose grid it is, before where the point lies
    check_place(actor, data.lon, data.lat)
    node = grid_for(actor, grid=data.grid, lon=data.lon, lat=data.lat, patrol=patrol)

    def create() -> Finding:
        finding = Finding.objects.create(
            node=node,
            node_path=node.path,
            worker=actor,
            patrol=patrol,
            client_key=key,
            observed_at=observed,
            day=timezone.localdate(observed),
            category=data.category,
            description=data.description.strip(),
            address=data.address.strip(),
            lon=data.lon,
            lat=data.lat,
            outcome=data.outcome,
            handled_note=data.handled_note.strip(),
        )
        save_photos(data.photos, actor=actor, finding=finding)
        if data.outcome == Outcome.REPORTED:
            _report(actor, finding, data)
        audit_write(
            actor=actor,
            verb=Verb.FINDING_RECORDED,
            target=finding,
            node=node,
            after={
                "category": finding.category,
                "outcome": finding.outcome,
                "photos": len(data.photos),
                "request": finding.request.number if finding.request else None,
                "followed": data.follow is not None and finding.request is not None,
            },
        )
        return finding

    return claim(Finding, key, actor, create)
