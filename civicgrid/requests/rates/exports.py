"""Excel of the rates page, the monthly ranking and the priority subdistricts, as the weekly
report's (``report.weekly_report_xlsx``): figures as numbers, rates with a % format, scores
with two decimals, names never read as formulas. What is written is what the page shows the
reader (rows beyond their scope left out)."""

from datetime import date
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from civicgrid.requests.rates.access import Target
from civicgrid.requests.rates.figures import Period, Rates
from civicgrid.requests.rates.report import RATE_HEADERS, _rate, _rate_cells, _score, _sheet

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
    ]
    months: list[Any] = [
        [f"{m:%Y-%m}", *_rate_cells(r), r.counts.received, r.counts.closed, r.counts.reopened]
        for m, r in trend
    ]
    return workbook_bytes(
        [
            (_("概况"), [_("指标"), _("数值")], summary),
            (_("近12个月"), [_("月份"), *RATE_HEADERS, _("受理"), _("办结"), _("重办")], months),
        ]
    )


def ranking_xlsx(boards: list[dict[str, Any]]) -> bytes:
    """One sheet per kind of unit: the ranked rows, then those with too few ratings."""
    header: list[Any] = [_("名次"), _("上月"), _("升降"), _("单位"), *RATE_HEADERS, _("受理"), _("类别")]
    sheets: list[Sheet] = []
    for b in boards:
        rows = [
            [r.rank, r.previous_rank, r.movement, r.name, *_rate_cells(r.rates), r.counts.received, klass]
            for r in b["ranked"]
            for klass in (r.klass_label,)
        ]
        few = _("评价不足，不参与排名")
        rows += [
            [None, None, "", r.name, *_rate_cells(r.rates), r.counts.received, few] for r in b["unranked"]
        ]
        sheets.append((str(b["ranking"].kind_label)[:31], header, rows))
    return workbook_bytes(sheets)


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
