"""The weekly report (周报): intake, closures, overdue, the three rates, hot spots, ranking excerpt.

Everything is cut to the actor's RATES_VIEW scope; the same data feeds the printable page
and the Excel download.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from io import BytesIO
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise, plain
from civicgrid.requests.constants import Channel, RequestType, Status, UnitKind
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.rates.access import Target, scope_target, visible_unit_ids
from civicgrid.requests.rates.cells import (
    BY_AREA,
    CLOSE_ACTIONS,
    Cells,
    Slice,
    bounds,
    by_paths,
    grand_total,
    raw_cells,
)
from civicgrid.requests.rates.figures import (
    FIRST_YEAR,
    ZERO,
    Counts,
    Period,
    Rates,
    Weights,
    add_months,
    check_year,
    month_start,
    percent,
    rates_of,
    rounded,
    total,
)
from civicgrid.requests.rates.ranking import RankRow, ranking
from civicgrid.territory.models import Node, NodeKind

# Statuses whose resolution clock does not run: left out of "overdue".
CLOCK_STOPPED = (Status.SUSPENDED, Status.LONG_RUNNING, Status.MERGED)
TOP_CATEGORIES = 10
EXCERPT = 5
UNCATEGORISED = gettext_lazy("未分类")


@dataclass
class HotSpot:
    name: str
    rates: Rates
    closed: int = 0  # distinct requests closed in the week (件), as the report's ``closed``
    node_id: int | None = None  # the row's area; None for the row of the reader's own level

    @property
    def received(self) -> int:
        return self.rates.counts.received

    @property
    def closures(self) -> int:
        """Closures in the week (件次): a request closed, reopened and closed again counts 2."""
        return self.rates.counts.closed


@dataclass(frozen=True)
class WeekBefore:
    """The week before's headline figures (环比), counted as the report counts its own week."""

    period: Period  # for a week not yet over: the week before up to the same weekday (同期)
    intake: int
    closed: int
    overdue: int  # at the end of that week, or of the same moment a week ago (同期)
    rates: Rates
    same_time: bool = False  # cut at the same moment a week ago: the week is not over yet


@dataclass
class WeeklyReport:
    period: Period
    scope: Target
    generated_at: datetime
    intake: int = 0
    closed: int = 0  # distinct requests with a closure in the week (件); ``closures``: 件次
    overdue: int = 0
    rates: Rates = field(default_factory=lambda: rates_of(grand_total({})))
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    top_categories: list[tuple[str, int]] = field(default_factory=list)
    hot_spots: list[HotSpot] = field(default_factory=list)
    hot_spot_sheet: str = ""  # what the hot spots list, as the Excel sheet's name: 街道热点, 社区热点…
    ranking_month: date | None = None
    ranking_size: int = 0
    excerpt: list[RankRow] = field(default_factory=list)
    before: WeekBefore | None = None  # the week before (环比)

    def changes(self) -> dict[str, str]:
        """Each headline figure against the week before, as the page and the file say it:
        +12（+10.3%）for counts, +1.25 for the composite; "" where there is nothing to compare."""
        b = self.before
        if b is None:
            return {}
        found = {
            "intake": _change(self.intake, b.intake),
            "closed": _change(self.closed, b.closed),
            "overdue": _change(self.overdue, b.overdue),
            "composite": "",
        }
        if self.rates.composite is not None and b.rates.composite is not None:
            # The difference of the two scores as shown (docs/formulas.md), as the Excel writes
            # it: 90.93 against 90.08 is +0.85, though the exact scores differ by 0.858.
            now, before = rounded(self.rates.composite), rounded(b.rates.composite)
            assert now is not None and before is not None
            delta = now - before
            found["composite"] = f"{delta:+.2f}" if delta else "0.00"
        return found

    @property
    def top_tied(self) -> bool:
        """More than ten hot categories: some are tied at the tenth place."""
        return len(self.top_categories) > TOP_CATEGORIES

    @property
    def closures(self) -> int:
        """Closures in the week (件次), the rework rate's denominator: at least ``closed``, more
        when a request was closed, reopened and closed again within the week."""
        return self.rates.counts.closed

    @property
    def is_live(self) -> bool:
        """The week has not ended: its figures are as of the time of generation."""
        return timezone.localtime(self.generated_at).date() <= self.period.end


def by_paths_q(paths: tuple[str, ...]) -> Q:
    """Requests placed under any of ``paths`` (an area's own path: itself and below)."""
    found = Q(pk__in=[])
    for path in paths:
        found |= Q(node_path__startswith=path)
    return found


def _in_scope(actor: Any) -> QuerySet[Request]:
    return scope_filter(Request.objects.all(), actor, Capability.RATES_VIEW)


def _labelled(rows: QuerySet[Any], key: str, labels: Mapping[str, StrOrPromise]) -> list[tuple[str, int]]:
    return [(str(labels.get(r[key], r[key] or UNCATEGORISED)), r["n"]) for r in rows]


def _top_level(row: dict[str, Any]) -> str:
    level = row["category__level"]
    if level is None:
        return str(UNCATEGORISED)
    names = {1: row["category__name"], 2: row["category__parent__name"]}
    return str(names.get(level, row["category__parent__parent__name"]))


def _by_category(intake: QuerySet[Request]) -> list[tuple[str, int]]:
    rows = intake.values(
        "category__level", "category__name", "category__parent__name", "category__parent__parent__name"
    ).annotate(n=Count("id"))
    totals: dict[str, int] = {}
    for row in rows.order_by():
        name = _top_level(row)
        totals[name] = totals.get(name, 0) + row["n"]
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _counts_by(intake: QuerySet[Request], key: str) -> QuerySet[Any]:
    return intake.values(key).annotate(n=Count("id")).order_by("-n", key)


def _intake_figures(report: WeeklyReport, intake: QuerySet[Request]) -> None:
    report.intake = intake.count()
    report.by_channel = _labelled(_counts_by(intake, "channel"), "channel", dict(Channel.choices))
    report.by_type = _labelled(_counts_by(intake, "type"), "type", dict(RequestType.choices))
    report.by_category = _by_category(intake)
    report.top_categories = _top_categories(intake)


def _top_categories(intake: QuerySet[Request]) -> list[tuple[str, int]]:
    """The ten leaf categories with the most requests, and every one tied with the tenth (a
    cut inside a tie would pick among equals by name)."""
    rows = [
        (r["category__full_name"], r["n"])
        for r in _counts_by(intake.exclude(category=None), "category__full_name")
    ]
    if len(rows) <= TOP_CATEGORIES:
        return rows
    tenth = rows[TOP_CATEGORIES - 1][1]
    return [row for row in rows if row[1] >= tenth]


# The rows of the hot spots for a reader whose area is a node of this kind: one level below.
HOT_SPOT_LEVEL: dict[str, str] = {
    NodeKind.CITY: NodeKind.SUBDISTRICT,
    NodeKind.DISTRICT: NodeKind.SUBDISTRICT,
    NodeKind.SUBDISTRICT: NodeKind.COMMUNITY,
    NodeKind.COMMUNITY: NodeKind.GRID,
}
HOT_SPOT_SHEETS: dict[str, StrOrPromise] = {
    NodeKind.SUBDISTRICT: gettext_lazy("街道热点"),
    NodeKind.COMMUNITY: gettext_lazy("社区热点"),
    NodeKind.GRID: gettext_lazy("网格热点"),
}


def _hot_spot_nodes(scope: Target) -> list[Node]:
    """The nodes one level below the reader's area: subdistricts for a district or city reader
    (or everything), communities for a subdistrict, grids for a community; a grid (or anything
    lower) stands for itself, having no level below it to break down."""
    if "" in scope.paths:
        return list(Node.objects.filter(kind=NodeKind.SUBDISTRICT))
    found: dict[str, Node] = {}
    for top in Node.objects.filter(path__in=scope.paths):
        level = HOT_SPOT_LEVEL.get(top.kind)
        below = list(Node.objects.filter(kind=level, path__startswith=top.path)) if level else [top]
        found.update((n.path, n) for n in below)
    return list(found.values())


def unsplit_name(label: str) -> str:
    """The name of the row of what lies in the reader's area (``label``) but on none of the
    areas one level below it (a request placed on the reader's node itself): the weekly
    report's hot spots and the overview's areas end with it, so their rows add up."""
    return _("{name}（本级及未细分）").format(name=label)


def _hot_spots(report: WeeklyReport, weights: Weights, closed: Cells) -> list[HotSpot]:
    """Intake, closures and rates of the week per node one level below the reader's area,
    every node with any of them (a node with ratings or closures but no new request is
    listed too), the most requests first; what lies on none of those nodes (a request placed
    on the reader's node itself) is one more row at the end, so the rows add up to the totals.
    ``closed`` holds the distinct requests closed per place (``Counts.closed``): a request has
    one place, so the rows' 办结（件） add up to the report's as their 办结（件次） do."""
    nodes = _hot_spot_nodes(report.scope)
    kinds = {n.kind for n in nodes}
    sheet = HOT_SPOT_SHEETS.get(kinds.pop()) if len(kinds) == 1 else None
    report.hot_spot_sheet = str(sheet or _("属地热点"))
    names = {n.path: n.name for n in nodes}
    ids = {n.path: n.pk for n in nodes}
    found = raw_cells(report.period, Slice(paths=report.scope.paths), by=BY_AREA)
    totals = by_paths(found, names)  # nodes of one level: no cell counts twice
    rest = grand_total(found) + -total(list(totals.values()))
    requests = by_paths(closed, names)
    spots = [
        HotSpot(names[p], rates_of(c, weights), closed=requests[p].closed, node_id=ids[p])
        for p, c in totals.items()
        if any(c.as_tuple())
    ]
    spots.sort(key=lambda s: (-s.received, -s.rates.counts.rated, s.name))
    if any(rest.as_tuple()):
        left = report.closed - sum(s.closed for s in spots)
        spots.append(HotSpot(unsplit_name(report.scope.label), rates_of(rest, weights), closed=left))
    return spots


def _closed_by_place(closes: QuerySet[RequestEvent]) -> Cells:
    """Distinct requests with a closure, per place (as ``Counts.closed``, keyed as raw cells)."""
    rows = closes.values("request__node_path").annotate(n=Count("request_id", distinct=True)).order_by()
    found: Cells = {}
    for row in rows:
        key = (None, row["request__node_path"])
        found[key] = found.get(key, ZERO) + Counts(closed=row["n"])
    return found


def _overlaps(path: str, paths: tuple[str, ...]) -> bool:
    """Whether the node at ``path`` lies under one of ``paths`` or contains one of them."""
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def _excerpt(actor: Any, report: WeeklyReport, area: Target | None) -> None:
    month = add_months(month_start(report.period.end), -1)
    if month.year < FIRST_YEAR:  # a week of the first year: no month before it to rank
        return
    board = ranking(month, UnitKind.SUBDISTRICT)
    visible = visible_unit_ids(actor)
    rows = [r for r in board.ranked if r.unit_id in visible]
    if area is not None:  # a report narrowed to one area: the subdistricts it is or lies in
        rows = [r for r in rows if _overlaps(r.node_path, area.paths)]
    chosen = rows[:EXCERPT] + [r for r in rows[-EXCERPT:] if r not in rows[:EXCERPT]]
    report.ranking_month, report.ranking_size, report.excerpt = month, len(board.ranked), chosen


def overdue_at(moment: datetime) -> Q:
    """Requests past their resolution deadline and not yet replied or closed at ``moment``
    (the weekly report's "overdue", as of the end of a past week or now in the current one),
    read from the times stored on the request now: dispatched, deadline passed, reply and
    closure (if any) later; those suspended, long-running or merged now left out. Later
    events rewrite those times (a new dispatch, an approved return, an extension, a refused
    verification, a resumption), so a past week's figure can still move with them; an exact
    one would replay each request's history rows."""
    unreplied = Q(replied_at__isnull=True) | Q(replied_at__gt=moment)
    open_then = Q(closed_at__isnull=True) | Q(closed_at__gt=moment)
    passed = Q(dispatched_at__lte=moment, due_resolution_at__lt=moment)
    return passed & unreplied & open_then & ~Q(status__in=CLOCK_STOPPED)


def _change(now: int, before: int) -> str:
    delta = now - before
    if not delta:
        return "0"
    if before == 0:
        return f"{delta:+d}"
    return _("{delta:+d}（{percent:+.1f}%）").format(delta=delta, percent=delta * 100 / before)


def _closes(requests: QuerySet[Request], start: datetime, end: datetime) -> QuerySet[RequestEvent]:
    """The closures (件次) of ``requests`` in ``[start, end)``: 办结 counts their requests."""
    return RequestEvent.objects.filter(
        created_at__gte=start, created_at__lt=end, action__in=CLOSE_ACTIONS, request__in=requests
    )


def _week_before(requests: QuerySet[Request], report: WeeklyReport, weights: Weights) -> WeekBefore:
    """The headline figures of the week before ``report``'s, counted as ``weekly_report`` does.
    While the week is not over, the week before up to the same moment (同期: Monday 00:00 to
    the same weekday and time; its ratings to the end of that weekday), so that part of a week
    is not set against a whole one."""
    period = Period.week(report.period.start - timedelta(days=7))
    start, end = bounds(period)
    if report.is_live:
        end = min(end, report.generated_at - timedelta(days=7))
        period = Period(period.start, timezone.localtime(end).date())
    return WeekBefore(
        period=period,
        intake=requests.filter(received_at__gte=start, received_at__lt=end).count(),
        closed=_closes(requests, start, end).values("request_id").distinct().count(),
        overdue=requests.filter(overdue_at(end)).count(),
        rates=rates_of(grand_total(raw_cells(period, report.scope.slice, by=BY_AREA)), weights),
        same_time=report.is_live,
    )


def weekly_report(actor: Any, day: date, *, area: Target | None = None) -> WeeklyReport:
    """The week of ``day`` over the actor's scope, or over ``area`` (an area within it, from
    ``access.node_target``: a subdistrict of a district leader's) when given."""
    period = Period.week(check_year(day, field="week"))
    if period.start > timezone.localdate():
        raise ValidationError(_("所选的周尚未开始，请选择本周或以前的周"), field="week")
    scope = area if area is not None else scope_target(actor)
    report = WeeklyReport(period=period, scope=scope, generated_at=timezone.now())
    start, end = bounds(period)
    requests = _in_scope(actor)
    if area is not None:
        requests = requests.filter(by_paths_q(area.paths))
    _intake_figures(report, requests.filter(received_at__gte=start, received_at__lt=end))
    closes = _closes(requests, start, end)
    report.closed = closes.values("request_id").distinct().count()
    report.overdue = requests.filter(overdue_at(min(end, report.generated_at))).count()
    weights = Weights.from_settings()
    report.rates = rates_of(grand_total(raw_cells(period, report.scope.slice, by=BY_AREA)), weights)
    report.hot_spots = _hot_spots(report, weights, _closed_by_place(closes))
    report.before = _week_before(requests, report, weights)
    _excerpt(actor, report, area)
    return report


# Excel -------------------------------------------------------------------------------------

RATE_HEADERS = [
    gettext_lazy("评价件次"),
    gettext_lazy("响应率"),
    gettext_lazy("解决率"),
    gettext_lazy("满意率"),
    gettext_lazy("综合得分"),
    gettext_lazy("重办率"),
]
PERCENT_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"


@dataclass(frozen=True)
class Number:
    """A cell written as a number with its Excel number format (empty when undefined)."""

    value: float | None
    number_format: str


def _rate(value: Fraction | None) -> Number:
    """The rate as a fraction (0.9825 shown as 98.25%), rounded as the page rounds it."""
    shown = percent(value)
    return Number(None if shown is None else float(shown / 100), PERCENT_FORMAT)


def _compared(label: StrOrPromise, now: int, before: int | None) -> list[Any]:
    """A count against the week before: 本周, 上周, 变化 (a number), 变化率 (a percentage)."""
    if before is None:
        return [label, now]
    ratio = Number((now - before) / before if before else None, "+0.0%;-0.0%;0.0%")
    return [label, now, before, Number(now - before, "+0;-0;0"), ratio]


def _rates_compared(
    label: StrOrPromise,
    now: Fraction | None,
    before: Fraction | None,
    cell: Callable[[Fraction | None], Number],
) -> list[Any]:
    """A rate or the composite against the week before: 本周, 上周, 变化 (percentage points or
    score points, from the rounded figures as shown); blank where either has no rating."""
    shown, earlier = cell(now), cell(before)
    if shown.value is None or earlier.value is None:
        return [label, shown, earlier]
    # The difference of the figures as shown, rounded as they are (0.01 point, 0.01 score):
    # a float difference came out as -0.289999999999992.
    places = 4 if shown.number_format == PERCENT_FORMAT else 2
    return [label, shown, earlier, Number(round(shown.value - earlier.value, places), shown.number_format)]


def _score(value: Fraction | None) -> Number:
    shown = rounded(value)
    return Number(None if shown is None else float(shown), SCORE_FORMAT)


def _rate_cells(rates: Rates) -> list[Any]:
    return [
        rates.counts.rated,
        _rate(rates.response),
        _rate(rates.resolution),
        _rate(rates.satisfaction),
        _score(rates.composite),
        _rate(rates.rework),
    ]


def _text(value: Any) -> Any:
    """A value as openpyxl may write it: a lazy label rendered, control characters (pasted into
    a name) dropped."""
    value = plain(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet(
    wb: Workbook,
    title: str,
    header: list[StrOrPromise],
    rows: list[list[Any]],
    *,
    lines: list[str] | None = None,
) -> None:
    """A sheet of ``rows`` under a bold ``header``; ``lines`` (a title, notes) above the header,
    one per row in the first column, the title bold."""
    ws = wb.create_sheet(title)
    for number, line in enumerate(lines or []):
        ws.append([_text(line)])
        ws.cell(row=ws.max_row, column=1).data_type = "s"
        if number == 0:
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([str(name) for name in header])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([value.value if isinstance(value, Number) else _text(value) for value in row])
        for cell, value in zip(ws[ws.max_row], row, strict=False):
            if isinstance(value, Number):
                cell.number_format = value.number_format
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # a name such as "=HYPERLINK(…)" stays text, never a formula
    skip = len(lines or [])  # the notes run across the columns: they do not set a width
    for column in ws.columns:
        letter = column[0].column_letter
        ws.column_dimensions[letter].width = max(10, *(len(str(c.value or "")) * 2 for c in column[skip:]))


def _summary_rows(report: WeeklyReport) -> list[list[Any]]:
    r, c = report.rates, report.rates.counts
    overdue = _("超期未办结（件，截至生成时）") if report.is_live else _("超期未办结（件，截至周末）")
    live = [[_("说明"), _("本周尚未结束，数字为截至生成时")]] if report.is_live else []
    b = report.before
    bc = b.rates.counts if b else None
    return [
        [_("统计周期"), report.period.label, b.period.label if b else ""],
        *live,
        [_("统计范围"), report.scope.label],
        _compared(_("受理诉求（件）"), report.intake, b.intake if b else None),
        _compared(_("办结诉求（件）"), report.closed, b.closed if b else None),
        _compared(_("办结（件次）"), c.closed, bc.closed if bc else None),
        _compared(overdue, report.overdue, b.overdue if b else None),
        _compared(_("评价件次"), c.rated, bc.rated if bc else None),
        _rates_compared(_("响应率"), r.response, b.rates.response if b else None, _rate),
        _rates_compared(_("解决率"), r.resolution, b.rates.resolution if b else None, _rate),
        _rates_compared(_("满意率"), r.satisfaction, b.rates.satisfaction if b else None, _rate),
        _rates_compared(_("综合得分"), r.composite, b.rates.composite if b else None, _score),
        _rates_compared(_("重办率"), r.rework, b.rates.rework if b else None, _rate),
        _compared(_("重办（件次）"), c.reopened, bc.reopened if bc else None),
        [_("计算口径"), Weights.from_settings().note()],
        [
            _("已联系 / 已解决 / 部分解决 / 满意 / 基本满意"),
            f"{c.contacted} / {c.solved} / {c.partly} / {c.satisfied} / {c.basic}",
        ],
        [_("生成时间"), timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")],
    ]


def _ranking_note(report: WeeklyReport) -> list[list[Any]]:
    """Which month's ranking the excerpt is, as the page's heading says."""
    if report.ranking_month is None:
        return []
    if not report.excerpt:
        month = report.ranking_month
        return [["", _("{month:%Y}年{month.month}月街道排名：暂无排名").format(month=month)]]
    note = _("{month:%Y}年{month.month}月街道排名，共 {n} 个街道参与排名（摘要）").format(
        month=report.ranking_month, n=report.ranking_size
    )
    return [["", note]]


def weekly_report_xlsx(report: WeeklyReport) -> bytes:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    before = _("上周同期") if report.before and report.before.same_time else _("上周")
    _sheet(wb, _("概况"), [_("指标"), _("本周"), before, _("变化"), _("变化率")], _summary_rows(report))
    _sheet(wb, _("渠道"), [_("渠道"), _("件数")], [list(row) for row in report.by_channel])
    _sheet(wb, _("类型"), [_("诉求类型"), _("件数")], [list(row) for row in report.by_type])
    _sheet(wb, _("一级分类"), [_("一级分类"), _("件数")], [list(row) for row in report.by_category])
    # The notes the page shows beside these two tables (an outside tester missed them in the file).
    top = [list(row) for row in report.top_categories]
    if report.top_tied:
        tied = _("第十名有并列，并列的分类一并列出（共 {n} 项）。").format(n=len(report.top_categories))
        top.append([tied, ""])
    _sheet(wb, _("热点分类"), [_("分类"), _("件数")], top)
    _sheet(
        wb,
        report.hot_spot_sheet or _("属地热点"),
        # 办结件数 last: the columns before it keep their places for those who read them by position.
        [_("区域"), _("受理件数"), _("办结件次"), *RATE_HEADERS, _("办结件数")],
        [[s.name, s.received, s.closures, *_rate_cells(s.rates), s.closed] for s in report.hot_spots],
    )
    _sheet(
        wb,
        _("排名摘要"),
        [_("名次"), _("街道"), *RATE_HEADERS, _("类别")],
        [[r.rank, r.name, *_rate_cells(r.rates), r.klass_label] for r in report.excerpt]
        + _ranking_note(report),
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
