"""The resident's H5 pages (signed in with a resident account): my points, the shop, my
redemptions with their pickup codes, the community's leaderboard."""

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core import once
from civicgrid.core.errors import CivicError, NotFound, PermissionDenied
from civicgrid.core.views_forms import int_or_none, pk_or_none, value
from civicgrid.points import ledger, selectors, services
from civicgrid.points.checks import MAX_QUANTITY
from civicgrid.points.figures import hours_text
from civicgrid.points.models import AccountKind, Goods, RedemptionStatus
from civicgrid.points.views.common import flash_error, refund_said
from civicgrid.registry.models import Resident
from civicgrid.registry.selectors import resident_for_user
from civicgrid.requests.doorplate import qr_svg

T = "points/h5/"

# The resident H5 homes one comes to 我的积分 from (URL names; the first is the default: the
# home a resident's sign-in opens) and the session key that remembers which one it was.
H5_HOMES = ("volunteers:h5_home", "party:h5_home")
CAME_FROM = "points_h5_home"


def _me(request: HttpRequest) -> Resident:
    resident = resident_for_user(request.user)
    if resident is None:
        raise PermissionDenied(_("请使用居民账号登录"))
    return resident


def _home_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # that app is not installed
        return ""


def _back_url(request: HttpRequest) -> str:
    """Where 我的积分's back arrow goes: the H5 home the resident came from (the referring
    page's, remembered in the session while they move about the points pages), else the
    volunteer home a resident's sign-in opens."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc in ("", request.get_host()):
        for name in H5_HOMES:
            home = _home_url(name)
            if home and referer.path.startswith(home):
                request.session[CAME_FROM] = name
    remembered = request.session.get(CAME_FROM)
    for name in ([remembered] if remembered in H5_HOMES else []) + list(H5_HOMES):
        if home := _home_url(name):
            return home
    return ""


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    account = selectors.account_for(me)
    rows: list[tuple[Any, int]] = []
    if account is not None:
        rows = [(m, selectors.signed_amount(m, account)) for m in selectors.movements(me)[:30]]
    soon, first = selectors.expiring_soon(me)
    context = {
        "me": me,
        "balance": account.balance if account else 0,
        "hours": hours_text(account.hours if account else 0),
        "earned": selectors.earned_total(me),
        "expiring": soon,
        "expiring_first": first,
        "rows": rows,
        "open": selectors.redemptions_of(me).filter(status=RedemptionStatus.RESERVED).count(),
        "back_url": _back_url(request),
    }
    return render(request, T + "my_points.html", context)


@login_required
def shop(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    refused: dict[str, Any] | None = None
    if request.method == "POST":
        try:
            # Required: a blank box is refused (请填写数量), never silently read as 1; the
            # form shows 1 already filled in.
            quantity = int_or_none(
                value(request, "quantity"),
                "quantity",
                _("数量"),
                minimum=1,
                maximum=MAX_QUANTITY,
                required=True,
            )
            assert quantity is not None  # required
            goods_id = pk_or_none(value(request, "goods"))
            goods = selectors.goods_for_resident(me).filter(pk=goods_id).first() if goods_id else None
            if goods is None:
                raise NotFound(_("商品不存在或已下架"))
            with once.guard(request):
                redemption = services.points_redeem(
                    actor=request.user, holder=me, goods=goods, quantity=quantity
                )
        except once.Repeated:
            return once.repeated(request, "points:h5_redemptions")
        except (NotFound, PermissionDenied) as exc:  # the goods are gone: no form to show again
            flash_error(request, exc)
            return redirect("points:h5_shop")
        except CivicError as exc:
            # 积分不足, a bad quantity, 限兑, out of stock: the shop again (422), the reason
            # beside the refused item's quantity box, which keeps what was typed.
            refused = {
                "goods_id": pk_or_none(value(request, "goods")),
                "quantity": value(request, "quantity"),
                "reason": exc.message,
            }
        else:
            messages.success(request, _("兑换成功，请凭取货码到社区积分超市领取"))
            return redirect("points:h5_redemption", redemption.pk)
    context = {
        "me": me,
        "balance": selectors.balance(me),
        "goods": _with_max_quantity(me, list(selectors.goods_for_resident(me))),
        "community": ledger.community_of(me.node),
        "refused": refused,
    }
    return render(request, T + "shop.html", context, status=422 if refused else 200)


def _with_max_quantity(me: Resident, goods: list[Goods]) -> list[Goods]:
    """Give each item ``max_quantity``: the most one redemption may take, as the service
    limits it (1–99, the stock, what is left of the per-person limit); the quantity box's
    ``max``. At least 1, so a refusal comes from the service with its reason."""
    had = selectors.redeemed_quantities(me)
    for g in goods:
        room = min(g.stock, MAX_QUANTITY)
        if g.per_person_limit:
            room = min(room, g.per_person_limit - had.get(g.pk, 0))
        setattr(g, "max_quantity", max(1, room))  # noqa: B010 - an attribute for the template
    return goods


@login_required
def my_redemptions(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    context = {"me": me, "redemptions": selectors.redemptions_of(me)[:50], "now": timezone.now()}
    return render(request, T + "redemptions.html", context)


RELEASED = (RedemptionStatus.CANCELLED, RedemptionStatus.EXPIRED)


@login_required
def my_redemption(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    redemption = selectors.redemption_of_resident(me, pk)
    show_code = redemption.status == RedemptionStatus.RESERVED and redemption.code_expires_at > timezone.now()
    context = {
        "me": me,
        "r": redemption,
        "show_code": show_code,
        "qr": qr_svg(redemption.code, label=_("取货码 {code}").format(code=redemption.code))
        if show_code
        else "",
        "pretty_code": f"{redemption.code[:4]} {redemption.code[4:]}",
        "refund": refund_said(redemption) if redemption.status in RELEASED else "",
    }
    return render(request, T + "redemption.html", context)


@login_required
@require_POST
def my_redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    redemption = selectors.redemption_of_resident(me, pk)
    try:
        cancelled = services.redemption_cancel(
            actor=request.user, redemption=redemption, reason=_("居民取消")
        )
        messages.success(request, _("已取消，{points}").format(points=refund_said(cancelled)))
    except CivicError as exc:
        flash_error(request, exc)
    return redirect("points:h5_redemption", redemption.pk)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    community = ledger.community_of(me.node)
    period = request.GET.get("period", "month")
    if period not in selectors.PERIODS:
        period = "month"
    # Residents only: shops and units that earned points (donations, services) are not
    # ranked among the residents.
    rows = selectors.leaderboard(community, period, kind=AccountKind.PERSON, limit=30)
    account = selectors.account_for(me)
    context = {
        "me": me,
        "community": community,
        "rows": rows,
        "period": period,
        "periods": selectors.PERIODS.items(),
        "my_account_id": account.pk if account else None,
    }
    return render(request, T + "board.html", context)
