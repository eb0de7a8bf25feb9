"""Callback and rating (回访 · 评价), and closing."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.errors import Conflict, NotFound, ValidationError
from civicgrid.requests.constants import RATING_COMMENT_MAX, Action, Resolution, Satisfaction, Status
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.permissions import REQUESTER, SYSTEM
from civicgrid.requests.services import engine

ANONYMOUS_NOTE = gettext_lazy("匿名诉求，不回访")  # the note of an anonymous request closed without one
NO_PHONE_NOTE = gettext_lazy("未留联系电话，不回访")  # the same for a request with no phone left


def _choice_error(value: Any, choices: Any, label: str, missing: str) -> str:
    """``missing`` when nothing was sent; else that the value is not one of the choices."""
    if value is None or value == "":
        return missing
    return _("{label}取值“{value}”无效，可选：{choices}").format(
        label=label,
        value=str(value)[:50],
        choices="、".join(f"{v}（{text}）" for v, text in choices.choices),
    )


def _validate(
    contacted: Any, resolution: str, satisfaction: str, comment: str = "", *, staff: bool = False
) -> None:
    """``staff``: a dispatcher fills the callback form for the requester (its wording)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(contacted, bool):
        errors["contacted"] = [_("请选择承办单位是否联系过诉求人") if staff else _("请选择是否联系过您")]
    if resolution not in Resolution.values:
        errors["resolution"] = [_choice_error(resolution, Resolution, _("解决情况"), _("请选择解决情况"))]
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_choice_error(satisfaction, Satisfaction, _("满意度"), _("请选择满意度"))]
    if len(comment.strip()) > RATING_COMMENT_MAX:
        errors["comment"] = [
            _("意见最长 {max} 字，现有 {count} 字").format(max=RATING_COMMENT_MAX, count=len(comment.strip()))
        ]
    if errors:
        raise ValidationError(errors=errors)


def _record(
    actor: Any,
    request: Request,
    *,
    contacted: bool,
    resolution: str,
    satisfaction: str,
    comment: str,
    via: str,
) -> Rating:
    now = timezone.now()
    return Rating.objects.create(
        request=request,
        round=request.reopen_count + 1,
        unit=request.lead_unit,
        node_path=request.node_path,
        month=timezone.localdate(now).replace(day=1),
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        comment=comment.strip(),
        via=via,
        rated_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )


def verified_first(request: Request, action: str) -> None:
    """A reply the category wants checked on site (核查) is checked before anyone calls back,
    rates or closes it: otherwise the close would leave the grid worker's check nowhere."""
    from civicgrid.requests.selectors import awaiting_verification

    if awaiting_verification(request):
        raise Conflict(
            _("该诉求须经网格员现场核查后才能{action}").format(action=Action(action).label),
            detail={"status": request.status, "version": request.version},
        )


def _close(actor: Any, request: Request, note: str = "") -> None:
    from civicgrid.requests.services.dispatch import approvals_withdraw
    from civicgrid.requests.services.whistle import whistles_end

    request.closed_at = timezone.now()
    whistles_end(actor, request, request.closed_at, why=_("诉求已办结"))
    approvals_withdraw(actor, request, request.closed_at, why=_("诉求已办结"))
    engine.finish(actor, request, Action.CLOSE, note=note)


@transaction.atomic
def request_callback(
    *,
    actor: Any,
    request: Request,
    contacted: bool,
    resolution: str,
    satisfaction: str,
    comment: str = "",
    reopen: bool = False,
    expected_version: int | None = None,
) -> Rating:
    """The operator's callback: record the rating, then close — or reopen when unsatisfied."""
    locked = engine.begin(actor, request, Action.CALLBACK, expected_version=expected_version)
    verified_first(locked, Action.CALLBACK)
    _validate(contacted, resolution, satisfaction, comment, staff=True)
    rating = _record(
        actor,
        locked,
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        comment=comment,
        via=Rating.Via.CALLBACK,
    )
    engine.finish(actor, locked, Action.CALLBACK, note=comment, data=_rating_data(rating))
    if reopen:
        if satisfaction != Satisfaction.UNSATISFIED:
            raise ValidationError(_("只有不满意的评价才能重办"), field="reopen")
        from civicgrid.requests.services.handling import request_reopen

        request_reopen(actor=actor, request=locked, reason=comment or _("回访不满意，重办"))
    else:
        _close(actor, locked)
    return rating


def _rating_data(rating: Rating) -> dict[str, Any]:
    return {
        "rating": rating.pk,
        "round": rating.round,
        "contacted": rating.contacted,
        "resolution": rating.resolution,
        "satisfaction": rating.satisfaction,
    }


def request_for_token(token: str) -> Request:
    found = Request.objects.filter(rating_token=token).first() if token else None
    if found is None:
        raise NotFound(_("评价链接无效或已过期"))
    return found


@transaction.atomic
def request_rate_by_link(
    *,
    token: str,
    contacted: bool,
    resolution: str,
    satisfaction: str,
    comment: str = "",
    via: str = Rating.Via.LINK,
) -> Rating:
    """The requester rates with the request's token: from the SMS link (``via="link"``) or
    from tracking it on the resident H5 pages (``via="h5"``). Satisfied: closed.
    Unsatisfied: reopened (重办)."""
    if via not in (Rating.Via.LINK, Rating.Via.H5):
        raise ValidationError(_("评价渠道取值无效"), field="via")
    request = request_for_token(token)
    locked = engine.begin(REQUESTER, request, Action.RATE)
    verified_first(locked, Action.RATE)
    _validate(contacted, resolution, satisfaction, comment)
    rating = _record(
        REQUESTER,
        locked,
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        comment=comment,
        via=via,
    )
    engine.finish(REQUESTER, locked, Action.RATE, note=comment, data=_rating_data(rating))
    if satisfaction == Satisfaction.UNSATISFIED and resolution != Resolution.SOLVED:
        from civicgrid.requests.services.handling import request_reopen

        request_reopen(
            actor=SYSTEM,
            request=locked,
            reason=_("诉求人评价不满意：{comment}").format(comment=comment or _("未说明")),
        )
    else:
        _close(SYSTEM, locked, note=_("诉求人已评价"))
    return rating


@transaction.atomic
def request_close(
    *, actor: Any, request: Request, note: str = "", expected_version: int | None = None
) -> Request:
    """办结 without a rating: categories that need no callback, or the requester cannot be
    reached. A request with nobody to call (``selectors.nobody_to_call``: anonymous, 匿名诉求
    不回访, or no phone left) closed without a note is noted so (``ANONYMOUS_NOTE``,
    ``NO_PHONE_NOTE``)."""
    from civicgrid.requests.selectors import nobody_to_call

    locked = engine.begin(actor, request, Action.CLOSE, expected_version=expected_version)
    verified_first(locked, Action.CLOSE)
    needs_callback = locked.category is not None and locked.category.needs_callback
    if locked.status != Status.CALLED_BACK and needs_callback and not note.strip():
        if not nobody_to_call(locked):
            raise ValidationError(_("该类诉求需要回访；未回访办结须说明原因（如联系不上）"), field="note")
        note = str(ANONYMOUS_NOTE if locked.anonymous else NO_PHONE_NOTE)
    _close(actor, locked, note=note.strip())
    return locked
