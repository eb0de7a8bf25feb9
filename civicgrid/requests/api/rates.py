"""The three rates, the monthly ranking and the weekly report under /api/v1/rates/ (三率).

The pages' figures as JSON: the same functions (``requests.rates``), the same scope (the
caller's RATES_VIEW nodes: 403 without them, 404 for a unit or area outside them) and the
same parsers of the filters (a bad one is a 422 naming the field). Rates are percentages
rounded half up to two places as the pages show them, the composite score out of 100;
``null`` where nothing was rated (the pages' "—"); ``shown`` holds the pages' own text.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from civicgrid.api_errors import ERRORS
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import typed_day
from civicgrid.requests.api.schemas import Input, Integer
from civicgrid.requests.rates.access import (
    Target,
    asked_period,
    node_target,
    rate_paths,
    scope_target,
    target_rates,
    target_trend,
    unit_target,
    visible_unit_ids,
)
from civicgrid.requests.rates.cells import current_month, rollup_ready
from civicgrid.requests.rates.figures import Period, Rates, Weights
from civicgrid.requests.rates.ranking import (
    RankClass,
    Ranking,
    RankRow,
    Thresholds,
    node_not_ranked,
    ranking_month,
    rankings,
)
from civicgrid.requests.rates.report import WeeklyReport, weekly_report

router = Router(tags=["rates 三率统计"])

# ---------------------------------------------------------------- inputs


class RatesFiguresIn(Input):
    unit: Integer | None = Field(
        None, title=gettext_noop("承办单位"), description="承办单位 ID（与 node 二选一）"
    )
    node: Integer | None = Field(None, title=gettext_noop("区域"), description="区域 ID：其下各地点的评价")
    month: str = Field("", title=gettext_noop("月份"), description="YYYY-MM，默认本月")
    start: str = Field(
        "", title=gettext_noop("开始日期"), description="YYYY-MM-DD；与 end 一起给出时取代 month"
    )
    end: str = Field("", title=gettext_noop("结束日期"), description="YYYY-MM-DD，含当日；区间最长三年")
    trend: bool = Field(
        False,
        title=gettext_noop("趋势"),
        description="true 时附上截至该期末月（尚未开始时截至本月）的 12 个月趋势",
    )


# ---------------------------------------------------------------- outputs


class RatesCountsOut(Schema):
    rated: int = Field(description="评价件次")
    contacted: int = Field(description="已联系")
    solved: int = Field(description="已解决")
    partly: int = Field(description="部分解决")
    unsolved: int = Field(description="未解决")
    satisfied: int = Field(description="满意")
    basic: int = Field(description="基本满意")
    unsatisfied: int = Field(description="不满意")
    received: int = Field(description="受理诉求（件）")
    closed: int = Field(description="办结（件）")
    reopened: int = Field(description="重办（件）")


class RatesValuesOut(Schema):
    response: float | None = Field(description="响应率（%，两位小数）")
    resolution: float | None = Field(description="解决率（%）")
    satisfaction: float | None = Field(description="满意率（%）")
    composite: float | None = Field(description="综合得分（满分 100）")
    rework: float | None = Field(description="重办率（%）：重办 / 办结")


class RatesShownOut(Schema):
    response: str = Field(description="页面显示，如 98.25%；无评价时为 —")
    resolution: str
    satisfaction: str
    composite: str
    rework: str


class RatesTargetOut(Schema):
    kind: str = Field(description="unit 承办单位 / area 区域")
    id: int | None = Field(description="单位或区域 ID；多个辖区合并时为 null")
    label: str


class RatesPeriodOut(Schema):
    start: date
    end: date = Field(description="含当日")
    month: str | None = Field(description="整月时为 YYYY-MM")
    label: str


class RatesTrendOut(Schema):
    month: str
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut


class RatesWeightsOut(Schema):
    """The weights the figures were computed with (settings), as decimals: "0.1", "0.45"."""

    response: str = Field(description="综合得分中响应率的权重")
    resolution: str = Field(description="综合得分中解决率的权重")
    satisfaction: str = Field(description="综合得分中满意率的权重")
    partly: str = Field(description="部分解决计入解决率的权重")
    basic: str = Field(description="基本满意计入满意率的权重")


class RatesFiguresOut(Schema):
    target: RatesTargetOut
    period: RatesPeriodOut
    source: str = Field(description="rollup 月度汇总表 / raw 原始记录实时计算")
    live: bool = Field(description="统计期尚未结束，数字仍会变化")
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut
    weights: RatesWeightsOut
    trend: list[RatesTrendOut] | None = Field(description="trend=true 时：12 个月趋势")


class RankRowOut(Schema):
    unit_id: int
    code: str
    name: str
    rank: int | None = Field(description="名次（评价不足者为 null）")
    previous_rank: int | None = Field(description="上月名次")
    rise: int | None = Field(description="较上月上升的名次（负数为下降）")
    received_rank: int | None = Field(description="受理量名次")
    busy: bool = Field(description="受理量居前")
    in_bottom: bool = Field(description="综合得分居后")
    rank_class: str = Field(
        description="advanced 先进类 / improving 进步类 / rectification 整改类 / governance 治理类"
    )
    rank_class_label: str
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut


class RankClassOut(Schema):
    rank_class: str
    label: str
    count: int = Field(description="该类单位数（全部参与排名的单位）")


class RankBoardOut(Schema):
    kind: str = Field(description="subdistrict 街道 / department 部门 / enterprise 企业")
    kind_label: str
    source: str
    ranked_count: int = Field(description="参与排名的单位数")
    classes: list[RankClassOut]
    ranked: list[RankRowOut] = Field(description="参与排名的单位（您辖区内的）")
    bottom: list[RankRowOut] = Field(description="后若干名，末名在前（您辖区内的）")
    unranked: list[RankRowOut] = Field(description="评价不足、不参与排名的单位（您辖区内的）")


class RankThresholdsOut(Schema):
    min_ratings: int
    advanced_share: str
    bottom_share: str
    busy_share: str
    improving_places: int
    bottom_list: int


class RankingOut(Schema):
    month: str
    live: bool
    from_rollup: bool
    thresholds: RankThresholdsOut
    weights: RatesWeightsOut
    boards: list[RankBoardOut]


class WeeklyTallyOut(Schema):
    name: str
    count: int


class HotSpotOut(Schema):
    name: str
    received: int
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut


class WeekBeforeOut(Schema):
    period: RatesPeriodOut
    intake: int
    closed: int
    overdue: int = Field(description="超期未办结（件，截至上周末）")
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut
    same_time: bool = Field(description="本周尚未结束：上周数字截至一周前的同一时刻（上周同期）")
    changes: dict[str, str] = Field(
        description="本周较上周：intake、closed、overdue 如 +12（+10.3%），composite 如 +1.25"
    )


class WeeklyReportOut(Schema):
    period: RatesPeriodOut
    scope: RatesTargetOut
    generated_at: datetime = Field(description="生成时间")
    live: bool = Field(description="本周尚未结束，数字截至生成时")
    intake: int = Field(description="受理诉求（件）")
    closed: int = Field(description="办结诉求（件）")
    overdue: int = Field(description="超期未办结（件，截至周末或生成时）")
    counts: RatesCountsOut
    rates: RatesValuesOut
    shown: RatesShownOut
    by_channel: list[WeeklyTallyOut]
    by_type: list[WeeklyTallyOut]
    by_category: list[WeeklyTallyOut] = Field(description="按一级分类")
    top_categories: list[WeeklyTallyOut]
    hot_spots: list[HotSpotOut]
    ranking_month: str | None = Field(description="排名摘录所依据的月份")
    ranking_size: int
    excerpt: list[RankRowOut] = Field(description="街道排名前五与后五（您辖区内的）")
    weights: RatesWeightsOut
    before: WeekBeforeOut | None = Field(
        description="上周的同口径数字与环比（changes：受理、办结、超期为件数变化与百分比，综合得分为分差）"
    )


# ---------------------------------------------------------------- building the answers


def _rates(rates: Rates) -> dict[str, Any]:
    return {"counts": rates.counts.as_dict(), "rates": rates.chart(), "shown": rates.display()}


def _target_out(target: Target) -> dict[str, Any]:
    return {"kind": target.kind, "id": target.pk, "label": target.label}


def _period_out(period: Period) -> dict[str, Any]:
    whole = period.whole_month
    return {
        "start": period.start,
        "end": period.end,
        "month": f"{whole:%Y-%m}" if whole else None,
        "label": period.label,
    }


def _row(row: RankRow) -> dict[str, Any]:
    return {
        "unit_id": row.unit_id,
        "code": row.code,
        "name": row.name,
        "rank": row.rank,
        "previous_rank": row.previous_rank,
        "rise": row.rise,
        "received_rank": row.received_rank,
        "busy": row.busy,
        "in_bottom": row.in_bottom,
        "rank_class": row.klass,
        "rank_class_label": row.klass_label,
        **_rates(row.rates),
    }


def _board(board: Ranking, visible: set[int]) -> dict[str, Any]:
    """One kind's board as the ranking page shows it: the rows of units in the caller's
    scope, and the class counts of those rows only (as the page's header)."""
    ranked = [r for r in board.ranked if r.unit_id in visible]
    return {
        "kind": board.kind,
        "kind_label": board.kind_label,
        "source": board.source,
        "ranked_count": len(ranked),
        "classes": [
            {"rank_class": c.value, "label": str(c.label), "count": sum(r.klass == c.value for r in ranked)}
            for c in RankClass
        ],
        "ranked": [_row(r) for r in ranked],
        "bottom": [_row(r) for r in board.bottom if r.unit_id in visible],
        "unranked": [_row(r) for r in board.unranked if r.unit_id in visible],
    }


def _figures_target(actor: Any, f: RatesFiguresIn) -> Target:
    if f.unit is not None and f.node is not None:
        raise ValidationError(_("承办单位和区域只能选择一个"), field="unit")
    if f.unit is not None:
        return unit_target(actor, f.unit)
    if f.node is not None:
        return node_target(actor, f.node)
    return scope_target(actor)


def _figures_period(f: RatesFiguresIn) -> Period:
    return asked_period(f.month, f.start, f.end)


def _tally(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "count": count} for name, count in rows]


def _report(report: WeeklyReport) -> dict[str, Any]:
    return {
        "period": _period_out(report.period),
        "scope": _target_out(report.scope),
        "generated_at": report.generated_at,
        "live": report.is_live,
        "intake": report.intake,
        "closed": report.closed,
        "overdue": report.overdue,
        **_rates(report.rates),
        "by_channel": _tally(report.by_channel),
        "by_type": _tally(report.by_type),
        "by_category": _tally(report.by_category),
        "top_categories": _tally(report.top_categories),
        "hot_spots": [{"name": s.name, "received": s.received, **_rates(s.rates)} for s in report.hot_spots],
        "ranking_month": f"{report.ranking_month:%Y-%m}" if report.ranking_month else None,
        "ranking_size": report.ranking_size,
        "excerpt": [_row(r) for r in report.excerpt],
        "weights": Weights.from_settings().shown(),
        "before": _before(report),
    }


def _before(report: WeeklyReport) -> dict[str, Any] | None:
    b = report.before
    if b is None:
        return None
    return {
        "period": _period_out(b.period),
        "intake": b.intake,
        "closed": b.closed,
        "overdue": b.overdue,
        **_rates(b.rates),
        "changes": report.changes(),
        "same_time": b.same_time,
    }


# ---------------------------------------------------------------- endpoints


@router.get(
    "/figures",
    response={200: RatesFiguresOut, **ERRORS},
    summary="三率统计",
    description="响应率、解决率、满意率、综合得分与重办率（三率统计页的数字）。统计对象：unit（承办单位）"
    "或 node（区域），都不给时为您的全部辖区；统计期：month（YYYY-MM，默认本月）或 start 与 end。"
    "无三率查看权限返回 403；单位或区域不在辖区内返回 404；参数无效返回 422 并指明字段。",
)
def figures(request: HttpRequest, f: Query[RatesFiguresIn]) -> Any:
    rate_paths(request.user)
    target, period = _figures_target(request.user, f), _figures_period(f)
    rates, source = target_rates(target, period)
    trend = None
    if f.trend:
        trend = [{"month": f"{m:%Y-%m}", **_rates(r)} for m, r in target_trend(target, period.months()[-1])]
    return {
        "target": _target_out(target),
        "period": _period_out(period),
        "source": source,
        "live": period.end >= timezone.localdate(),
        **_rates(rates),
        "weights": Weights.from_settings().shown(),
        "trend": trend,
    }


@router.get(
    "/ranking",
    response={200: RankingOut, **ERRORS},
    summary="月度排名",
    description="街道、部门、企业按综合得分的月度排名及分类（先进类、进步类、整改类、治理类）。"
    "month 为 YYYY-MM，默认上月；各表只列您辖区内的单位。排名是全区各单位之间的，不按区域筛选："
    "给出 node 时返回 422（field 为 node）。",
)
def ranking(request: HttpRequest, month: str = "", node: str = "") -> Any:
    rate_paths(request.user)
    if node.strip():  # silently ignored, it read as that area's ranking
        raise ValidationError(node_not_ranked(), field="node")
    first = ranking_month(month)
    visible = visible_unit_ids(request.user)
    t = Thresholds.from_settings()
    shares = t.shown()
    return {
        "month": f"{first:%Y-%m}",
        "live": first >= current_month(),
        "from_rollup": rollup_ready(first),
        "thresholds": {
            "min_ratings": t.min_ratings,
            "advanced_share": shares["advanced"],
            "bottom_share": shares["bottom"],
            "busy_share": shares["busy"],
            "improving_places": t.improving_places,
            "bottom_list": t.bottom_list,
        },
        "weights": Weights.from_settings().shown(),
        "boards": [_board(b, visible) for b in rankings(first).values()],
    }


@router.get(
    "/weekly",
    response={200: WeeklyReportOut, **ERRORS},
    summary="周报",
    description="一周（周一至周日）的受理、办结、超期、三率、分渠道与分类统计、热点区域和街道排名摘录，"
    "限于您的辖区。week 为该周任一天（YYYY-MM-DD），默认上一个完整的周；尚未开始的周返回 422。"
    "node（区域 ID）只统计辖区内该区域（如某街道）的诉求；区域不在辖区内返回 404。",
)
def weekly(request: HttpRequest, week: str = "", node: Integer | None = None) -> Any:
    rate_paths(request.user)
    area = node_target(request.user, node) if node is not None else None
    raw = week.strip()
    day = typed_day(raw, field="week", label=_("统计周")) if raw else timezone.localdate() - timedelta(days=7)
    return _report(weekly_report(request.user, day, area=area))
