from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicError
from civicgrid.governance.hot import hot_issues_compute
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates.access import asked_period
from civicgrid.requests.rates.figures import parse_range
from civicgrid.territory.models import Node


class Command(BaseCommand):
    help = _("计算某区域某时段的热点问题（相似诉求按地点、时间聚类，按热度排序）并保存。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--node", required=True, help=_("区域编码（如 320213000000）"))
        parser.add_argument("--month", default="", help=_("月份 YYYY-MM"))
        parser.add_argument("--start", default="", help=_("开始日期 YYYY-MM-DD（与 --end 一起用）"))
        parser.add_argument("--end", default="", help=_("结束日期 YYYY-MM-DD"))

    def handle(self, *args: object, **options: object) -> None:
        node = Node.objects.filter(code=str(options["node"])).first()
        if node is None:
            raise CommandError(_("没有这个区域编码"))
        try:
            # As the page and the API: at most three years, begun by today (asked_period).
            month, start, end = str(options["month"]), str(options["start"]), str(options["end"])
            if month:
                period = asked_period(month, "", "")
            elif start.strip() or end.strip():
                period = asked_period("", start, end)
            else:
                period = parse_range(start, end)  # names the missing day
            run = hot_issues_compute(actor=SYSTEM, node=node, period=period, system=True)
        except CivicError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("{name} {label}：{stats}，耗时 {seconds} 秒").format(
                name=node.name, label=period.label, stats=run.stats, seconds=run.seconds
            )
        )
        for issue in run.issues.order_by("rank")[:20]:
            self.stdout.write(
                _("  {rank:>3} 热度 {heat:>7.1f} {count:>4}件 {name} {title}").format(
                    rank=issue.rank,
                    heat=issue.heat,
                    count=issue.count,
                    name=issue.node.name,
                    title=issue.title,
                )
            )
