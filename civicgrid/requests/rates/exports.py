"""Excel of the rates page, the monthly ranking and the priority subdistricts, as the weekly
report's (``report.weekly_report_xlsx``): figures as numbers, rates with a % format, scores
with two decimals, names never read as formulas. What is written is what the page shows the
reader (rows beyond their scope left out)."""

from collections.abc import Iterable, Iterator
from datetime import date
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from civicgrid.core import crypto
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.permissions import requester_seen_q
from civicgrid.requests.rates.access import Target
from civicgrid.requests.rates.figures import Period, Rates, Weights
from civicgrid.requests.rates.ranking import Thresholds
from civicgrid.requests.rates.report import RATE_HEADERS, _rate, _rate_cells, _score, _sheet
from civicgrid.territory.models import Node, NodeKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


Sheet = tuple[str, list[Any], list[Any]]  # title, header, rows


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    for title, header, rows in sheets:
        _sheet(wb, title, header, rows)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def rates_xlsx(target: Target, period: Period, rates: Rates, trend: list[tuple[date, Rates]]) -> bytes:
    c = rates.counts
    summary: list[Any] = [
        [_("统计对象"), target.label],
        [_("统计期"), period.label],
        [_("评价件次"), c.rated],
        [_("已联系"), c.contacted],
        [_("已解决"), c.solved],
        [_("部分解决"), c.partly],
        [_("未解决"), c.unsolved],
        [_("满意"), c.satisfied],
        [_("基本满意"), c.basic],
        [_("不满意"), c.unsatisfied],
        [_("响应率"), _rate(rates.response)],
        [_("解决率"), _rate(rates.resolution)],
        [_("满意率"), _rate(rates.satisfaction)],
        [_("综合得分"), _score(rates.composite)],
        [_("受理诉求（件）"), c.received],
        [_("办结（件次）"), c.closed],
        [_("重办（件次）"), c.reopened],
        [_("重办率"), _rate(rates.rework)],
        [_("计算口径"), Weights.from_settings().note()],
    ]
    # The page's trend table, column for column: 重办率 last, after 受理, 办结 and 重办.
    months: list[Any] = [
        [
            f"{m:%Y-%m}",
            *_rate_cells(r)[:5],
            r.counts.received,
            r.counts.closed,
            r.counts.reopened,
            _rate(r.rework),
        ]
        for m, r in trend
    ]
    header = [_("月份"), *RATE_HEADERS[:5], _("受理"), _("办结"), _("重办"), RATE_HEADERS[5]]
    return workbook_bytes([(_("概况"), [_("指标"), _("数值")], summary), (_("近12个月"), header, months)])


def ranking_xlsx(month: date, boards: list[dict[str, Any]]) -> bytes:
    """One sheet per kind of unit: the ranked rows, then those with too few ratings. Above the
    header: the month, the weights, the class thresholds and how many units take part (the
    sheet says on its own what it ranks). 上月 is empty for a unit not ranked last month."""
    # The page's table, column for column (名次, 单位, 综合得分, 类别, 评价 … 上月, 升降), then
    # the page's 受理量前20% tag as a column of its own.
    busy = _("受理量前{busy}").format(busy=Thresholds.from_settings().shown()["busy"])
    header: list[Any] = [
        _("名次"),
        _("单位"),
        _("综合得分"),
        _("类别"),
        _("评价"),
        _("响应率"),
        _("解决率"),
        _("满意率"),
        _("受理"),
        _("重办率"),
        _("上月"),
        _("升降"),
        busy,
    ]
    yes = _("是")

    def cells(rates: Rates) -> tuple[list[Any], list[Any]]:
        rated, response, resolution, satisfaction, composite, rework = _rate_cells(rates)
        return [composite], [rated, response, resolution, satisfaction, rates.counts.received, rework]

    sheets: list[Sheet] = []
    notes: list[list[str]] = []
    for b in boards:
        rows = [
            [r.rank, r.name, *score, r.klass_label, *rest, r.previous_rank, moved, yes if r.busy else ""]
            for r in b["ranked"]
            for score, rest in (cells(r.rates),)
            for moved in (r.movement if r.rise is not None else "",)  # no "—" text in the file
        ]
        few = _("评价不足，不参与排名")
        rows += [
            [None, r.name, *score, few, *rest, None, "", ""]
            for r in b["unranked"]
            for score, rest in (cells(r.rates),)
        ]
        kind = str(b["ranking"].kind_label)
        counts = _(
            "参与排名 {ranked} 个，本表列出其中您可查看的 {shown} 个；另列评价不足、未参与排名的 "
            "{unranked} 个（表末）；共 {rows} 行"
        ).format(ranked=b["ranked_all"], shown=len(b["ranked"]), unranked=len(b["unranked"]), rows=len(rows))
        title = _("接诉即办月度排名 · {month:%Y}年{month.month}月 · {kind}").format(month=month, kind=kind)
        notes.append([title, counts])
        sheets.append((kind[:31], header, rows))
    common = [Weights.from_settings().note(), Thresholds.from_settings().note()]
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    for (title, head, rows), (heading, counts) in zip(sheets, notes, strict=True):
        _sheet(wb, title, head, rows, lines=[heading, *common, counts])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# The ratings page's columns in its order, then what a recount wants beside them.
RATING_HEADERS = [
    gettext_lazy("评价时间"),
    gettext_lazy("诉求编号"),
    gettext_lazy("标题"),
    gettext_lazy("分类"),
    gettext_lazy("承办单位"),
    gettext_lazy("轮次"),
    gettext_lazy("联系"),
    gettext_lazy("解决情况"),
    gettext_lazy("满意度"),
    gettext_lazy("考核月份"),
    gettext_lazy("诉求人"),
    gettext_lazy("街道"),
    gettext_lazy("社区"),
]


def _area_names(paths: Iterable[str]) -> dict[int, tuple[str, str]]:
    """The subdistrict and community nodes on ``paths``: id -> (kind, name)."""
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    kinds = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)
    return {
        pk: (kind, name)
        for pk, kind, name in Node.objects.filter(pk__in=ids, kind__in=kinds).values_list(
            "pk", "kind", "name"
        )
    }


def rating_rows(actor: Any, ratings: QuerySet[Rating]) -> Iterator[list[Any]]:
    """The ratings list (评价明细) as rows for Excel: one per rating (件次), with what a recount
    of the rates needs (联系, 解决情况, 满意度, the unit, the subdistrict and community of the
    place). The requester is the masked name, left out where the actor may not see it."""
    areas = _area_names(set(ratings.values_list("node_path", flat=True).distinct().order_by()))
    seen = requester_seen_q(actor)
    yes, no = _("是"), _("否")
    chunk: list[Rating] = []

    def flush() -> Iterator[list[Any]]:
        ids = {r.request_id for r in chunk}
        shown = (
            ids
            if seen is None
            else set(Request.objects.filter(seen, pk__in=ids).values_list("pk", flat=True))
        )
        for r in chunk:
            on_path = [areas[int(p)] for p in r.node_path.strip("/").split("/") if p and int(p) in areas]
            names = {kind: name for kind, name in on_path}
            category = r.request.category
            yield [
                r.created_at,
                r.request.number,
                # A hidden requester's phone or ID number typed into the title is masked,
                # as on the list (permissions.shown_text) and the request's page.
                r.request.title
                if r.request_id in shown and not r.request.anonymous
                else crypto.mask_numbers_in_text(r.request.title),
                category.name if category else "",
                r.unit.name if r.unit else "",
                r.round,
                yes if r.contacted else no,
                r.get_resolution_display(),
                r.get_satisfaction_display(),
                f"{r.month:%Y-%m}",
                r.request.requester_name_masked if r.request_id in shown else "",
                names.get(NodeKind.SUBDISTRICT, ""),
                names.get(NodeKind.COMMUNITY, ""),
            ]

    for rating in ratings.iterator(chunk_size=2000):
        chunk.append(rating)
        if len(chunk) >= 2000:
            yield from flush()
            chunk = []
    yield from flush()


def priority_xlsx(report: Any) -> bytes:
    """The priority subdistricts (``governance.seasonal.Priority``) and the area's figures."""
    header: list[Any] = [
        _("街道"),
        _("在册居民"),
        _("受理诉求"),
        _("每万人诉求"),
        *RATE_HEADERS,
        _("月度排名类别"),
        _("治理类"),
        _("理由"),
    ]
    yes = _("是")
    rows = [
        [
            r.node.name,
            r.residents,
            r.counts.received,
            None if r.per_10k is None else round(float(r.per_10k), 1),
            *_rate_cells(r.rates),
            r.rank_class_label,
            yes if r.flagged else "",
            "；".join(r.reasons),
        ]
        for r in report.rows
    ]
    whole: list[Any] = [
        [_("月份"), f"{report.month:%Y-%m}"],
        [_("辖区每万人诉求"), None if report.per_10k is None else round(float(report.per_10k), 1)],
        [_("辖区综合得分"), _score(report.rates.composite)],
    ]
    return workbook_bytes([(_("治理类街道"), header, rows), (_("辖区整体"), [_("指标"), _("数值")], whole)])
