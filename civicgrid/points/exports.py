"""Excel exports of points for a community office: an account's movements, the movements of
an area for a period, redemption records for a period (to reconcile with donor units) and
the leaderboard.

Each goes through ``civicgrid.exchange.exports.xlsx_response`` (the EXPORT capability,
audited as "exchange.exported" with its filters), is cut once more to the actor's export
scope, refused past ``EXPORT_MAX`` rows before any is read, and prints residents' phones
masked (138****1234); ID numbers are not exported.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, scope_filter
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.exchange.exports import limit_export, xlsx_response
from civicgrid.points import selectors
from civicgrid.points.models import HOLDER_KINDS, Account, Movement, Redemption
from civicgrid.points.sources import describe_movements
from civicgrid.territory.models import Node

CHUNK = 500


def period_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[since 00:00, the day after until 00:00) in local time; until before since is refused."""
    if since and until and until < since:
        raise ValidationError(_("截止日期不能早于起始日期"), field="until")
    start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)) if until else None
    return start, end


def _in_period(qs: QuerySet[Any], field: str, start: datetime | None, end: datetime | None) -> QuerySet[Any]:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def require_export_at(actor: Any, path: str) -> None:
    if not can(actor, Capability.EXPORT, path):
        raise PermissionDenied(_("您无权导出该区域的数据"))


def _holder_name(account: Account) -> str:
    holder = account.resident or account.organisation
    return holder.name if holder is not None else str(account)


def _phone(account: Account) -> str:
    return account.resident.phone_masked if account.resident is not None else ""


def _filters(start: datetime | None, end: datetime | None, **more: Any) -> dict[str, Any]:
    return {
        "since": _when(start)[:10],
        "until": _when(end - timedelta(days=1))[:10] if end else "",
        **{k: v for k, v in more.items() if v not in (None, "")},
    }


MOVEMENT_HEADERS: list[StrOrPromise] = [
    gettext_lazy("时间"),
    gettext_lazy("类型"),
    gettext_lazy("积分"),
    gettext_lazy("服务时长（小时）"),
    gettext_lazy("来源"),
    gettext_lazy("服务队"),
    gettext_lazy("说明"),
]


def _movement_rows(qs: QuerySet[Movement], signed: Any) -> Iterable[tuple[Any, ...]]:
    """Rows in chunks: each chunk's sources described at once (one query per chunk)."""
    chunk: list[Movement] = []
    for m in qs.iterator(chunk_size=CHUNK):
        chunk.append(m)
        if len(chunk) == CHUNK:
            yield from _described(chunk, signed)
            chunk = []
    yield from _described(chunk, signed)


def _described(chunk: list[Movement], signed: Any) -> Iterable[tuple[Any, ...]]:
    sources = describe_movements(chunk)
    for m in chunk:
        yield signed(m), sources[m.pk].label


def account_movements_xlsx(actor: Any, account: Account) -> HttpResponse:
    """积分流水 of one account (the page's list, all of it, wherever it happened), newest
    first; the account must lie where the actor may export."""
    holder = account.resident or account.organisation
    assert holder is not None
    require_export_at(actor, account.node_path)
    qs = selectors.movements(holder)
    limit_export(qs)

    def rows() -> Iterable[tuple[Any, ...]]:
        for (m, amount), source in _movement_rows(qs, lambda m: (m, selectors.signed_amount(m, account))):
            yield (_when(m.created_at), m.get_kind_display(), amount, m.hours, source, m.team, m.note)

    return xlsx_response(
        actor=actor,
        list_name=_("积分流水 {name}").format(name=_holder_name(account)),
        headers=MOVEMENT_HEADERS,
        rows=rows(),
        node=account.node,
        filters={"account": account.pk},
    )


def area_movements_xlsx(actor: Any, node: Node, since: date | None, until: date | None) -> HttpResponse:
    """Every movement of a resident's or unit's account that happened under ``node`` in the
    period, with whose account it was (the system's own postings, such as a hand-over
    from reserved to the shop, are left out: they move no holder's points)."""
    start, end = period_bounds(since, until)
    holders = Q(to_account__kind__in=HOLDER_KINDS) | Q(from_account__kind__in=HOLDER_KINDS)
    qs = _in_period(
        Movement.objects.filter(holders, node_path__startswith=node.path), "created_at", start, end
    ).select_related(
        "node",
        "to_account__resident",
        "to_account__organisation",
        "from_account__resident",
        "from_account__organisation",
    )
    qs = scope_filter(qs, actor, Capability.EXPORT).order_by("created_at", "id")
    limit_export(qs)

    def side(m: Movement) -> tuple[Movement, Account, int]:
        incoming = m.to_account.kind in HOLDER_KINDS
        account = m.to_account if incoming else m.from_account
        return m, account, m.amount if incoming else -m.amount

    def rows() -> Iterable[tuple[Any, ...]]:
        for (m, account, amount), source in _movement_rows(qs, side):
            yield (
                _when(m.created_at),
                m.node.name,
                _holder_name(account),
                _phone(account),
                m.get_kind_display(),
                amount,
                m.hours,
                source,
                m.team,
                m.note,
            )

    headers: list[StrOrPromise] = [_("时间"), _("发生区域"), _("姓名 / 单位"), _("联系电话")]
    headers += MOVEMENT_HEADERS[1:]
    return xlsx_response(
        actor=actor,
        list_name=_("积分流水 {name}").format(name=node.name),
        headers=headers,
        rows=rows(),
        node=node,
        filters=_filters(start, end, node=node.path),
    )


def redemptions_xlsx(
    actor: Any, qs: QuerySet[Redemption], since: date | None, until: date | None, status: str = ""
) -> HttpResponse:
    """兑换记录 of the period (by the day of the redemption), with the goods' donor unit, for
    reconciling with the units that gave the goods."""
    start, end = period_bounds(since, until)
    qs = _in_period(qs, "created_at", start, end).select_related(
        "goods__donor", "account__resident", "account__organisation", "closed_by", "node"
    )
    qs = scope_filter(qs, actor, Capability.EXPORT).order_by("created_at", "id")
    limit_export(qs)

    def rows() -> Iterable[tuple[Any, ...]]:
        for r in qs.iterator(chunk_size=CHUNK):
            yield (
                _when(r.created_at),
                r.code,
                _holder_name(r.account),
                _phone(r.account),
                r.goods.name,
                r.goods.donor.name if r.goods.donor else "",
                r.quantity,
                r.points,
                r.get_status_display(),
                _when(r.closed_at),
                r.closed_by.display_name if r.closed_by else "",
                r.close_note,
                r.node.name,
            )

    headers = [
        _("兑换时间"),
        _("取货码"),
        _("兑换人"),
        _("联系电话"),
        _("商品"),
        _("捐赠单位"),
        _("数量"),
        _("积分"),
        _("状态"),
        _("办结时间"),
        _("经办人"),
        _("说明"),
        _("社区"),
    ]
    return xlsx_response(
        actor=actor,
        list_name=_("兑换记录"),
        headers=headers,
        rows=rows(),
        filters=_filters(start, end, status=status),
    )


def leaderboard_xlsx(
    actor: Any, node: Node, rows: list[selectors.LeaderRow], period_label: str, team: str, kind: str
) -> HttpResponse:
    """The leaderboard as shown on the page (top 50, full names: it goes to the office)."""
    require_export_at(actor, node.path)
    lines = [(r.rank, r.name, _("单位") if r.kind == "unit" else _("个人"), r.points, r.hours) for r in rows]
    return xlsx_response(
        actor=actor,
        list_name=_("积分排行 {name} {period}").format(name=node.name, period=period_label),
        headers=[_("名次"), _("姓名 / 单位"), _("类型"), _("获得积分"), _("服务时长（小时）")],
        rows=lines,
        node=node,
        filters={"node": node.path, "period": period_label, "team": team, "kind": kind},
    )
