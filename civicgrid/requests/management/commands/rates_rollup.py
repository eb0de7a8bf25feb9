from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.requests.rates.cells import (
    current_month,
    rollup_build,
    rollup_compact,
    rollup_refresh,
    rollup_tick,
)
from civicgrid.requests.rates.figures import add_months, parse_month


class Command(BaseCommand):
    help = _(
        "三率汇总：由原始评价和办理记录精确重算月度汇总，或合并增量。"
        "定时任务（建议每分钟）运行 --tick：生成本月汇总并合并增量；"
        "批量导入历史数据（绕过业务服务写入）后，对相关月份运行 --month 或 --since。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", action="append", default=[], help=_("重算该月份 YYYY-MM，可重复"))
        parser.add_argument("--since", default="", help=_("从该月份（YYYY-MM）到本月逐月重算"))
        parser.add_argument("--all", action="store_true", help=_("重算所有已生成汇总的月份"))
        parser.add_argument(
            "--tick", action="store_true", help=_("定时任务：生成本月汇总（如尚无）并合并增量")
        )
        parser.add_argument("--compact", action="store_true", help=_("只合并增量"))

    def _months(self, options: dict[str, object]) -> list[date]:
        given = options["month"]
        months = [parse_month(str(raw)) for raw in given] if isinstance(given, list) else []
        if options["since"]:
            month, last = parse_month(str(options["since"]), field="since"), current_month()
            while month <= last:
                months.append(month)
                month = add_months(month, 1)
        return sorted(set(months))

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["tick"]:
                result = rollup_tick()
                built = "、".join(result["built"]) or _("无")
                self.stdout.write(
                    _("新生成汇总：{built}；合并增量 {folded} 条").format(
                        built=built, folded=result["folded"]
                    )
                )
                return
            if options["compact"]:
                self.stdout.write(_("合并增量 {rollup_compact} 条").format(rollup_compact=rollup_compact()))
                return
            months = self._months(options)
            if options["all"]:
                markers = rollup_refresh()
            elif months:
                markers = [rollup_build(month) for month in months]
            else:
                markers = [rollup_build(add_months(current_month(), -1))]
            for marker in markers:
                self.stdout.write(
                    _("{month:%Y-%m}：评价 {rated} 件次，汇总 {cells} 行").format(
                        month=marker.month, rated=marker.rated, cells=marker.cells
                    )
                )
        except ValidationError as exc:
            raise CommandError(exc.message) from exc
