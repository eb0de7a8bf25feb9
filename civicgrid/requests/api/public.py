"""Endpoints for residents without an account: follow a request, rate it through the link.

Both are rate-limited per client address and say nothing about requests the caller
cannot prove to be theirs: a wrong number and a wrong phone give the same 404.
"""

import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query
from ninja.throttling import AnonRateThrottle

from civicgrid.core import crypto
from civicgrid.core.errors import CivicError, NotFound
from civicgrid.core.middleware import client_ip
from civicgrid.core.validators import normalise_phone
from civicgrid.requests import services
from civicgrid.requests.api.common import router
from civicgrid.requests.api.schemas import ERRORS, RatedOut, RateIn, TrackIn, TrackOut
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.limits import (
    limit_window,
    track_blocked,
    track_missed,
    window_words,
)
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.selectors import normalise_number
from civicgrid.requests.transitions import OPEN

TRACK_RATE = "30/m"
RATE_RATE = "10/m"

# What a resident sees of the handling: no internal notes, no names of staff.
PUBLIC_ACTIONS = frozenset(
    {
        Action.RECEIVE,
        Action.DIRECT_CLOSE,
        Action.DISPATCH,
        Action.REASSIGN,
        Action.SIGN,
        Action.START,
        Action.REPLY,
        Action.VERIFY,
        Action.SUSPEND,
        Action.RESUME,
        Action.LONG_RUNNING,
        Action.EXTEND_APPROVE,
        Action.CALLBACK,
        Action.RATE,
        Action.CLOSE,
        Action.REOPEN,
        Action.MERGE,
        Action.ESCALATE,
        Action.SUPERVISE,
    }
)
# Actions whose note is the answer given to the resident.
ANSWERS = frozenset({Action.REPLY, Action.DIRECT_CLOSE})


class TooManyRequests(CivicError):
    code = "throttled"
    http_status = 429


class Throttle(AnonRateThrottle):
    """Per-address limit whose refusal is a Chinese error like every other one. Each endpoint
    counts on its own (``scope``); the address is the one the audit log records
    (``client_ip``: X-Forwarded-For only behind ``CIVICGRID_TRUSTED_PROXIES``)."""

    def __init__(self, rate: str, scope: str) -> None:
        super().__init__(rate)
        self.scope = scope

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)

    def allow_request(self, request: HttpRequest) -> bool:
        if not super().allow_request(request):
            wait = self.wait()  # seconds until the oldest counted call leaves the window
            raise TooManyRequests(_("请求过于频繁，请稍后再试"), retry_after=math.ceil(wait or 1))
        return True


def public_timeline(request: Request) -> list[dict[str, Any]]:
    events = RequestEvent.objects.filter(request=request, action__in=PUBLIC_ACTIONS).select_related("unit")
    return [
        {
            "action_label": Action(e.action).label,
            "status_label": Status(e.to_status).label if e.to_status in Status.values else "",
            "unit_name": e.unit.name if e.unit else "",
            "note": e.note if e.action in ANSWERS else "",
            "at": e.created_at,
        }
        for e in events.order_by("created_at", "id")
    ]


@router.get(
    "/track",
    auth=None,
    throttle=[Throttle(TRACK_RATE, "track")],
    response={200: TrackOut, 404: ERRORS[404], 422: ERRORS[422], 429: ERRORS[404]},
    summary="查询办理进度（居民，免登录）",
    description="凭诉求编号和受理时登记的手机号查询状态和公开的办理进度；两者不符一律返回 404。"
    "不含任何个人信息。按来源地址限流。",
)
def track(request: HttpRequest, params: Query[TrackIn]) -> Any:
    # The H5 track page's budgets of failed look-ups (per address and number, per address,
    # per number), shared with it: one guesser behind a carrier's address blocks that number.
    number = normalise_number(params.number)
    if track_blocked(request, number):
        raise TooManyRequests(
            _("查询次数过多，请{wait}后再试").format(wait=window_words()), retry_after=limit_window()
        )
    phone = params.phone.strip()
    phone_hash = crypto.blind_index(normalise_phone(phone) or phone)  # as intake keeps it
    found = (
        Request.objects.select_related("category", "lead_unit")
        .filter(number=number, requester_phone_hash=phone_hash)
        .exclude(requester_phone_hash="")
        .first()
    )
    if found is None:
        track_missed(request, number)
        raise NotFound(_("未找到该诉求，请核对诉求编号和手机号"))
    return {
        "number": found.number,
        "type_label": found.get_type_display(),
        "category_name": found.category.full_name if found.category else "",
        "status": found.status,
        "status_label": found.get_status_display(),
        "open": found.status in OPEN,
        "lead_unit_name": found.lead_unit.name if found.lead_unit else "",
        "received_at": found.received_at,
        "due_resolution_at": found.due_resolution_at,
        "closed_at": found.closed_at,
        "timeline": public_timeline(found),
    }


@router.post(
    "/rate",
    auth=None,
    throttle=[Throttle(RATE_RATE, "rate")],
    response={200: RatedOut, 404: ERRORS[404], 409: ERRORS[409], 422: ERRORS[422], 429: ERRORS[404]},
    summary="评价（居民，免登录）",
    description="凭评价短信链接中的令牌评价：是否联系、解决情况、满意度。满意即办结；"
    "不满意且未解决的自动重办。链接无效返回 404，已评价返回 409。",
)
def rate(request: HttpRequest, payload: RateIn) -> Any:
    rating = services.request_rate_by_link(
        token=payload.token.strip(),
        contacted=payload.contacted,
        resolution=payload.resolution,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )
    rated = Request.objects.get(pk=rating.request_id)
    return {
        "number": rated.number,
        "status": rated.status,
        "status_label": rated.get_status_display(),
        "round": rating.round,
    }
