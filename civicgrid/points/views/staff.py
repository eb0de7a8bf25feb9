"""The community's pages of points: overview, goods, redemptions, hand-over, accounts,
adjustments and their approval, leaderboards, rules. Every write calls a service; the
service checks the actor again (pages and API behave alike)."""

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require_any
from civicgrid.core import once
from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.redirects import within_site
from civicgrid.core.validators import fold
from civicgrid.core.views_forms import date_or_none, int_or_none, pk_or_none, value
from civicgrid.points import exports, selectors, services
from civicgrid.points.checks import MAX_AMOUNT, direct_credit_max
from civicgrid.points.constants import Source
from civicgrid.points.forms import GoodsEditForm, GoodsForm, PolicyForm, RestockForm, RuleForm
from civicgrid.points.models import (
    HOLDER_KINDS,
    Account,
    AccountKind,
    ActivityType,
    Adjustment,
    AdjustmentStatus,
    Goods,
    Movement,
    MovementKind,
    Redemption,
    RedemptionStatus,
)
from civicgrid.points.rules import BUILT_IN, DIFFICULTY_MAX, DIFFICULTY_MIN, policy_for
from civicgrid.points.shop import PLAIN_WHOLE, normalise_code
from civicgrid.points.sources import describe_movements, describe_stock_entries
from civicgrid.points.views.common import communities_visible, flash_error, refund_said, view_q
from civicgrid.registry.models import Organisation
from civicgrid.registry.selectors import organisations_visible
from civicgrid.requests.forms import add_service_errors
from civicgrid.territory.models import Node

T = "points/staff/"
MOVEMENT_PARTIES = [
    f"{side}__{rel}"
    for side in ("from_account", "to_account")
    for rel in ("resident", "organisation", "node")
]


def _community(request: HttpRequest, communities: list[Node]) -> Node | None:
    return _community_of(request.GET.get("community") or request.POST.get("community") or "", communities)


def _community_of(raw: str, communities: list[Node]) -> Node | None:
    """The community ``raw`` names among ``communities`` (NotFound for another), else the only one."""
    if raw.isdecimal():
        for node in communities:
            if node.pk == int(raw):
                return node
        raise NotFound(_("社区不存在或您无权查看"))
    return communities[0] if len(communities) == 1 else None


def _period(request: HttpRequest) -> tuple[date | None, date | None]:
    since = date_or_none(request.GET.get("since", ""), "since", _("起始日期"))
    until = date_or_none(request.GET.get("until", ""), "until", _("截止日期"))
    return since, until


def _wants_sheet(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _sheet_or_back(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """The Excel file ``make`` writes; a refusal (a bad date, too many rows, no export right)
    goes back to the page without ``format`` with the reason."""
    try:
        return make()
    except CivicError as exc:
        flash_error(request, exc)
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the form's ``next`` when it is a page of this site (``/\\evil.example`` passed a
    plain "starts with one slash" test and browsers read it as ``//evil.example``)."""
    return redirect(within_site(request, request.POST.get("next"), default))


# ---------------------------------------------------------------------------------- overview


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = view_q(request.user)
    communities = communities_visible(request.user)
    month = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    mv = Movement.objects.filter(scope, created_at__gte=month)
    sums = dict(mv.values_list("kind").annotate(s=Sum("amount")).values_list("kind", "s"))
    board_node = _community(request, communities) or (communities[0] if communities else None)
    context = {
        "communities": communities,
        "board_node": board_node,
        "issued": sums.get(MovementKind.EARN, 0) or 0,
        "redeemed": sums.get(MovementKind.HAND_OVER, 0) or 0,
        "expired": sums.get(MovementKind.EXPIRE, 0) or 0,
        # In the same scope as the totals beside it (a leader reads, POINTS_MANAGE is not theirs).
        "holders": Account.objects.filter(scope, kind__in=HOLDER_KINDS).count(),
        "open_redemptions": Redemption.objects.filter(scope, status=RedemptionStatus.RESERVED).count(),
        "pending": Adjustment.objects.filter(scope, status=AdjustmentStatus.PENDING).count(),
        "board": selectors.leaderboard(board_node, "month", limit=10) if board_node else [],
        "recent": Movement.objects.filter(scope)
        .select_related(*MOVEMENT_PARTIES)
        .order_by("-created_at", "-id")[:12],
        "can_manage": has_capability(request.user, Capability.POINTS_MANAGE),
    }
    return render(request, T + "index.html", context)


# ---------------------------------------------------------------------------------- goods


@login_required
def goods_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.POINTS_MANAGE)
    communities = communities_visible(request.user)
    if request.method == "POST":
        return _goods_create(request, communities)
    return _goods_list_page(request, communities)


def _goods_list_page(
    request: HttpRequest, communities: list[Node], form: GoodsForm | None = None, status: int = 200
) -> HttpResponse:
    qs = selectors.goods_visible(request.user).annotate(
        open_count=Count("redemptions", filter=Q(redemptions__status=RedemptionStatus.RESERVED))
    )
    community = _community(request, communities) if request.GET.get("community") else None
    if community is not None:
        qs = qs.filter(node_path__startswith=community.path)
    if request.GET.get("q"):
        qs = qs.filter(name__contains=request.GET["q"].strip())
    if request.GET.get("on_sale") == "1":
        qs = qs.filter(is_active=True)
    if form is None:
        initial = {"stock": "0", "unit_label": _("件"), "per_person_limit": "0"}
        form = GoodsForm(initial=initial)
    context = {
        "page": paginate(request, qs.order_by("node_path", "-is_active", "price", "id")),
        "query": query_without_page(request),
        "params": request.GET,
        "communities": communities,
        "donors": organisations_visible(request.user).order_by("name")[:300],
        "form": form,
    }
    return render(request, T + "goods_list.html", context, status=status)


def _whole(request: HttpRequest, name: str, label: str, *, minimum: int, maximum: int) -> int:
    """A required whole number, bounded as the service bounds it: a blank or bad one is
    refused here ("请填写积分", "积分应为1到100000之间的整数"). Typed text is plain digits, as
    the goods fields and the API read it: "1e2", "100.0" and "1,000" are refused, not 100."""
    raw = value(request, name)
    if raw.strip() and not PLAIN_WHOLE.fullmatch(fold(raw.strip())):
        reason = _("{label}应为{minimum}到{maximum}之间的整数")
        raise ValidationError(reason.format(label=label, minimum=minimum, maximum=maximum), field=name)
    number = int_or_none(raw, name, label, minimum=minimum, maximum=maximum, required=True)
    assert number is not None  # required
    return number


def _picked_donor(request: HttpRequest, form: GoodsForm | GoodsEditForm) -> Organisation | None:
    """The donor the form picked among the units the user sees; a reason beside the picker
    for one that names none of them (it was silently dropped)."""
    raw = form.cleaned_data.get("donor") or ""
    if not raw:
        return None
    donor_id = pk_or_none(raw)
    donor = organisations_visible(request.user).filter(pk=donor_id).first() if donor_id else None
    if donor is None:
        form.add_error("donor", _("捐赠单位不存在或您无权查看"))
    return donor


def _goods_create(request: HttpRequest, communities: list[Node]) -> HttpResponse:
    """上架新商品. A refusal shows the form again (422) with what was typed and each reason
    beside its field; before, it redirected and everything typed was gone."""
    form = GoodsForm(request.POST)
    form.is_valid()  # text only: the service checks every field
    data = form.cleaned_data
    node = None
    try:
        node = _community_of(data.get("community") or "", communities)
    except NotFound as exc:
        form.add_error("community", exc.message)
    if node is None and "community" not in form.errors:
        form.add_error("community", _("请选择社区"))
    donor = _picked_donor(request, form)
    status = 422
    if not form.errors and node is not None:
        try:
            # The form's one-time token: a double click or two tabs create one item.
            with once.guard(request):
                goods = services.goods_create(
                    actor=request.user,
                    node=node,
                    name=data["name"],
                    price=data["price"],
                    stock=data["stock"] or 0,
                    donor=donor,
                    description=data["description"],
                    unit_label=data["unit_label"],
                    per_person_limit=data["per_person_limit"] or 0,
                )
        except once.Repeated:
            return once.repeated(request, "points:goods")
        except CivicError as exc:
            add_service_errors(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("已上架：{name}").format(name=goods.name))
            return redirect("points:goods_detail", goods.pk)
    return _goods_list_page(request, communities, form, status)


@login_required
def goods_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goods = selectors.goods_get(request.user, pk)
    if request.method == "POST":
        return _goods_change(request, goods)
    return _goods_detail_page(request, goods)


def _goods_detail_page(
    request: HttpRequest,
    goods: Goods,
    form: GoodsEditForm | None = None,
    restock_form: RestockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    entries = list(goods.stock_entries.order_by("-created_at", "-id")[:30])
    refs = describe_stock_entries(entries)
    if form is None:
        form = GoodsEditForm(
            initial={
                "version": goods.version,
                "name": goods.name,
                "description": goods.description,
                "price": goods.price,
                "unit_label": goods.unit_label,
                "per_person_limit": goods.per_person_limit,
                "donor": goods.donor_id or "",
                "is_active": goods.is_active,
            }
        )
    context = {
        "goods": goods,
        "entries": [(e, refs[e.pk]) for e in entries],
        "redemptions": goods.redemptions.select_related("account__resident", "account__organisation")[:30],
        "donors": organisations_visible(request.user).order_by("name")[:300],
        "can_manage": can(request.user, Capability.POINTS_MANAGE, goods.node_path),
        "form": form,
        "restock_form": restock_form or RestockForm(),
    }
    return render(request, T + "goods_detail.html", context, status=status)


def _goods_change(request: HttpRequest, goods: Goods) -> HttpResponse:
    """Save the listing or register a restock. Bad input shows the form again (422) with what
    was typed and each reason beside its field; a stale save (409) or a refused write-off goes
    back to the page with the message, as the page must show what was saved meanwhile."""
    if request.POST.get("action") == "restock":
        restock = RestockForm(request.POST)
        restock.is_valid()
        before = goods.stock
        try:
            with once.guard(request):  # a repeated restock form counts its stock once
                services.goods_restock(
                    actor=request.user,
                    goods=goods,
                    quantity=restock.cleaned_data["quantity"],
                    note=restock.cleaned_data["note"],
                )
        except once.Repeated:
            return once.repeated(request, "points:goods_detail", goods.pk)
        except ValidationError as exc:
            add_service_errors(restock, exc)
            return _goods_detail_page(request, goods, restock_form=restock, status=exc.http_status)
        except CivicError as exc:
            flash_error(request, exc)
            return redirect("points:goods_detail", goods.pk)
        quantity = goods.stock - before  # goods_restock read the stock back
        messages.success(
            request,
            (_("库存已增加 {quantity}") if quantity > 0 else _("库存已减少 {quantity}")).format(
                quantity=abs(quantity)
            ),
        )
        return redirect("points:goods_detail", goods.pk)
    form = GoodsEditForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    donor = _picked_donor(request, form)
    if not form.errors:
        try:
            services.goods_update(
                actor=request.user,
                goods=goods,
                expected_version=data["version"] or None,
                name=data["name"],
                description=data["description"],
                price=data["price"],
                unit_label=data["unit_label"],
                per_person_limit=data["per_person_limit"] or 0,
                is_active=data["is_active"],
                donor=donor,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _goods_detail_page(request, goods, form=form, status=exc.http_status)
        except CivicError as exc:
            flash_error(request, exc, {"name": _("商品名称")})
            return redirect("points:goods_detail", goods.pk)
        messages.success(request, _("商品信息已保存"))
        return redirect("points:goods_detail", goods.pk)
    return _goods_detail_page(request, goods, form=form, status=422)


# ---------------------------------------------------------------------------------- redemptions


@login_required
def redemption_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.POINTS_MANAGE)
    qs = selectors.redemptions_visible(request.user)
    status = request.GET.get("status", "")
    if status in RedemptionStatus.values:
        qs = qs.filter(status=status)
    code = normalise_code(request.GET.get("code", ""))
    if code:
        qs = qs.filter(code__startswith=code)
    if request.GET.get("q"):
        name = request.GET["q"].strip()
        qs = qs.filter(
            Q(account__resident__name__contains=name) | Q(account__organisation__name__contains=name)
        )
    if _wants_sheet(request):
        return _sheet_or_back(
            request, lambda: exports.redemptions_xlsx(request.user, qs, *_period(request), status=status)
        )
    try:
        start, end = exports.period_bounds(*_period(request))
    except CivicError as exc:
        flash_error(request, exc)
        start = end = None
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    context = {
        "page": paginate(request, qs.order_by("-created_at", "-id")),
        "query": query_without_page(request),
        "params": request.GET,
        "statuses": RedemptionStatus.choices,
        "now": timezone.now(),
    }
    return render(request, T + "redemptions.html", context)


@login_required
@require_POST
def redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemptions_visible(request.user).filter(pk=pk).first()
    if redemption is None:
        raise NotFound(_("兑换记录不存在或您无权查看"))
    try:
        cancelled = services.redemption_cancel(
            actor=request.user, redemption=redemption, reason=request.POST.get("reason", "")
        )
        said = refund_said(cancelled)
        done = _("已取消兑换 {code}，库存已退回，{points}")
        messages.success(request, done.format(code=cancelled.code, points=said))
    except CivicError as exc:
        flash_error(request, exc)
    return _back(request, reverse("points:redemptions"))


@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    """The shopkeeper's counter: scan (a scanner types the code) or type the pickup code."""
    require_any(request.user, Capability.POINTS_MANAGE)
    done: Redemption | None = None
    if request.method == "POST":
        try:
            done = services.redemption_hand_over(actor=request.user, code=request.POST.get("code", ""))
            messages.success(
                request,
                _("已核销：{name} × {quantity}，请将商品交给兑换人").format(
                    name=done.goods.name, quantity=done.quantity
                ),
            )
        except CivicError as exc:
            flash_error(request, exc)
    code = normalise_code(request.GET.get("code", ""))
    preview = (
        selectors.redemptions_visible(request.user).filter(code=code).first()
        if code and done is None
        else None
    )
    recent = (
        selectors.redemptions_visible(request.user)
        .filter(status=RedemptionStatus.HANDED_OVER, closed_by_id=request.user.pk)
        .order_by("-closed_at")[:10]
    )
    context = {"done": done, "preview": preview, "code": code, "recent": recent, "now": timezone.now()}
    return render(request, T + "hand_over.html", context)


# ---------------------------------------------------------------------------------- accounts


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.POINTS_MANAGE)
    qs = selectors.accounts_visible(request.user)
    if request.GET.get("q"):
        name = request.GET["q"].strip()
        qs = qs.filter(Q(resident__name__contains=name) | Q(organisation__name__contains=name))
    kind = request.GET.get("kind", "")
    if kind in (AccountKind.PERSON, AccountKind.UNIT):
        qs = qs.filter(kind=kind)
    order = "-balance" if request.GET.get("order") != "hours" else "-hours"
    context = {
        "page": paginate(request, qs.order_by(order, "id")),
        "query": query_without_page(request),
        "params": request.GET,
        "communities": communities_visible(request.user),
    }
    return render(request, T + "accounts.html", context)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    if _wants_sheet(request):
        return _sheet_or_back(request, lambda: exports.account_movements_xlsx(request.user, account))
    return _account_page(request, account)


@login_required
def movements_export(request: HttpRequest) -> HttpResponse:
    """积分流水 of a community (every resident's and unit's movements there) for a period."""
    require_any(request.user, Capability.POINTS_MANAGE)

    def make() -> HttpResponse:
        node = _community(request, communities_visible(request.user))
        if node is None:
            raise ValidationError(_("请选择社区"), field="community")
        return exports.area_movements_xlsx(request.user, node, *_period(request))

    try:
        return make()
    except CivicError as exc:
        flash_error(request, exc)
        return redirect("points:accounts")


def _account_page(
    request: HttpRequest,
    account: Account,
    *,
    earn: dict[str, str] | None = None,
    adjust: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The account's page; after a refusal (422) the forms show what was typed (``earn``,
    ``adjust``) next to the message naming the field."""
    holder = account.resident or account.organisation
    assert holder is not None
    page = paginate(request, selectors.movements(holder), per_page=30)
    sources = describe_movements(page)
    rows = [(m, selectors.signed_amount(m, account), sources[m.pk]) for m in page]
    soon, first = selectors.expiring_soon(holder)
    context = {
        "account": account,
        "holder": holder,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "lots": account.lots.filter(remaining__gt=0).order_by("earned_at", "id")[:20],
        "redemptions": selectors.redemptions_of(holder)[:10],
        "adjustments": account.adjustments.select_related("requested_by", "decided_by")[:10],
        "earned": selectors.earned_total(holder),
        "expiring": soon,
        "expiring_first": first,
        "token": uuid.uuid4().hex,
        "communities": communities_visible(request.user),
        "can_manage": can(request.user, Capability.POINTS_MANAGE, account.node_path),
        "earn": earn or {},
        "direct_credit_max": direct_credit_max(),
        "adjust": adjust or {},
    }
    return render(request, T + "account.html", context, status=status)


def _typed(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


@login_required
@require_POST
def account_earn(request: HttpRequest, pk: int) -> HttpResponse:
    """Credit points by hand (an offline activity); the form's token makes a double submit
    harmless. A refusal shows the page again (422) with what was typed."""
    account = selectors.account_get(request.user, pk)
    holder = account.resident or account.organisation
    assert holder is not None
    try:
        node = _community(request, communities_visible(request.user)) or account.node
        services.points_earn(
            actor=request.user,
            holder=holder,
            amount=_whole(request, "amount", _("积分"), minimum=1, maximum=MAX_AMOUNT),
            source=Source.MANUAL,
            source_ref=(request.POST.get("token") or uuid.uuid4().hex)[:96],
            node=node,
            note=request.POST.get("note", "").strip() or _("线下活动积分"),
        )
    except CivicError as exc:
        flash_error(request, exc)
        typed = _typed(request, "amount", "note", "community")
        # Over the cap: the adjustment form below is filled in, ready to send for approval.
        over_cap = exc.code == "direct_credit_cap"
        adjust = {"amount": typed["amount"], "reason": typed["note"]} if over_cap else None
        return _account_page(request, account, earn=typed, adjust=adjust, status=exc.http_status)
    messages.success(request, _("积分已发放"))
    return redirect("points:account", account.pk)


@login_required
@require_POST
def account_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(request.user, pk)
    holder = account.resident or account.organisation
    assert holder is not None
    try:
        amount = _whole(request, "amount", _("调整积分"), minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT)
        with once.guard(request):  # a double submit asks for one adjustment, not two
            services.points_adjust(
                actor=request.user, holder=holder, amount=amount, reason=request.POST.get("reason", "")
            )
    except once.Repeated:
        return once.repeated(request, "points:account", account.pk)
    except CivicError as exc:
        flash_error(request, exc)
        typed = _typed(request, "amount", "reason")
        return _account_page(request, account, adjust=typed, status=exc.http_status)
    messages.success(request, _("调整申请已提交，待领导审批后生效"))
    return redirect("points:account", account.pk)


# ---------------------------------------------------------------------------------- adjustments


@login_required
def adjustment_list(request: HttpRequest) -> HttpResponse:
    qs = Adjustment.objects.filter(view_q(request.user)).select_related(
        "account__resident", "account__organisation", "requested_by", "decided_by", "node"
    )
    status = request.GET.get("status", AdjustmentStatus.PENDING)
    if status in AdjustmentStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-requested_at", "-id"))
    rows = [
        (
            a,
            can(request.user, Capability.POINTS_APPROVE, a.node_path)
            and a.requested_by_id != request.user.pk,
        )
        for a in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": AdjustmentStatus.choices,
        "query": query_without_page(request),
    }
    return render(request, T + "adjustments.html", context)


@login_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = (
        Adjustment.objects.filter(view_q(request.user), pk=pk).select_related("account", "node").first()
    )
    if adjustment is None:
        raise NotFound(_("调整申请不存在或您无权查看"))
    try:
        if request.POST.get("decision") == "approve":
            services.adjustment_approve(
                actor=request.user, adjustment=adjustment, note=request.POST.get("note", "")
            )
            messages.success(request, _("已批准，积分已调整"))
        else:
            services.adjustment_reject(
                actor=request.user, adjustment=adjustment, note=request.POST.get("note", "")
            )
            messages.success(request, _("已驳回"))
    except CivicError as exc:
        flash_error(request, exc)
    return _back(request, reverse("points:adjustments"))


# ---------------------------------------------------------------------------------- leaderboards


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    communities = communities_visible(request.user)
    node = _community(request, communities) or (communities[0] if communities else None)
    period = request.GET.get("period", "month")
    if period not in selectors.PERIODS:
        period = "month"
    team = request.GET.get("team", "").strip()
    kind = request.GET.get("kind", "")
    rows = (
        selectors.leaderboard(
            node, period, team or None, kind=kind if kind in AccountKind.values else None, limit=50
        )
        if node
        else []
    )
    # Every team that earned here, once each: the model's ordering (-created_at) would make
    # DISTINCT keep one row per movement, so order by the name itself. No cap: a community
    # has a handful of teams, and a capped list silently left some out.
    teams = (
        list(
            Movement.objects.filter(kind=MovementKind.EARN, node_path__startswith=node.path)
            .exclude(team="")
            .order_by("team")
            .values_list("team", flat=True)
            .distinct()
        )
        if node
        else []
    )
    if _wants_sheet(request) and node is not None:
        label = str(selectors.PERIODS[period])
        return _sheet_or_back(
            request, lambda: exports.leaderboard_xlsx(request.user, node, rows, label, team, kind)
        )
    context = {
        "communities": communities,
        "node": node,
        "period": period,
        "periods": selectors.PERIODS.items(),
        "team": team,
        "teams": teams,
        "kind": kind,
        "rows": rows,
    }
    return render(request, T + "leaderboard.html", context)


# ---------------------------------------------------------------------------------- rules


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The rules and the expiry policy; a refused form comes back with what was typed."""
    require_any(request.user, Capability.POINTS_MANAGE)
    communities = communities_visible(request.user)
    forms: dict[str, RuleForm | PolicyForm] = {}
    status = 200
    if request.method == "POST":
        which = "policy_form" if request.POST.get("action") == "policy" else "rule_form"
        form = PolicyForm(request.POST) if which == "policy_form" else RuleForm(request.POST)
        saved = _rules_save(request, communities, form)
        if saved is not None:
            messages.success(request, saved)
            return redirect(reverse("points:rules") + f"?community={form.cleaned_data['community']}")
        forms[which], status = form, 422
    try:
        node = _community(request, communities)
    except NotFound:
        node = None
    policy = policy_for(node) if node else None
    community = node.pk if node else None
    rule_initial = {"community": community, "base_points": 0, "points_per_hour": 10, "max_points": 0}
    forms.setdefault("rule_form", RuleForm(initial=rule_initial | {"difficulty_step": "0.25"}))
    policy_initial = {"expiry_days": policy[0], "pickup_days": policy[1]} if policy else {}
    forms.setdefault("policy_form", PolicyForm(initial={"community": community, **policy_initial}))
    rows = list(
        selectors.rules_visible(request.user).select_related("node").order_by("node_path", "activity_type")
    )
    context = {
        "communities": communities,
        "node": node,
        "rules": rows,
        "types": ActivityType.choices,
        "built_in": BUILT_IN,
        "policy": policy,
        "difficulties": range(DIFFICULTY_MIN, DIFFICULTY_MAX + 1),
        "example": [
            (d, BUILT_IN.points_for(Decimal(2), d)) for d in range(DIFFICULTY_MIN, DIFFICULTY_MAX + 1)
        ],
        **forms,
    }
    return render(request, T + "rules.html", context, status=status)


def _rules_save(request: HttpRequest, communities: list[Node], form: RuleForm | PolicyForm) -> str | None:
    """Save a rule or the policy; the message to show, or None with the reasons on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    node = next((c for c in communities if c.pk == data["community"]), None)
    if node is None:
        form.add_error("community", _("社区不存在或您无权查看"))
        return None
    try:
        if isinstance(form, PolicyForm):
            pickup = data["pickup_days"]
            services.policy_set(
                actor=request.user,
                node=node,
                expiry_days=data["expiry_days"],
                pickup_days=7 if pickup is None else pickup,
            )
            return _("有效期已保存（对此后获得的积分生效）")
        services.rule_save(
            actor=request.user,
            node=node,
            activity_type=data["activity_type"],
            name=data["name"],
            base_points=data["base_points"] or 0,
            points_per_hour=data["points_per_hour"],
            difficulty_step=data["difficulty_step"],
            max_points=data["max_points"] or 0,
        )
    except CivicError as exc:
        add_service_errors(form, exc)
        return None
    return _("积分规则已保存")
