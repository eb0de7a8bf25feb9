from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import ValidationError
from civicgrid.requests.rates.cells import current_month, rollup_build
from civicgrid.requests.rates.figures import add_months, parse_month


class Command(BaseCommand):
    help = (
        "重新生成三率月度汇总（由原始评价和办理记录精确重算）。"
        "默认上个月；建议每月 1 日凌晨运行一次，导入历史数据后对相关月份再运行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", action="append", default=[], help="月份 YYYY-MM，可重复")
        parser.add_argument("--since", default="", help="从该月份（YYYY-MM）到上个月逐月生成")

    def _months(self, options: dict[str, object]) -> list[date]:
        given = options["month"]
        months = [parse_month(str(raw)) for raw in given] if isinstance(given, list) else []
        if options["since"]:
            month, last = parse_month(str(options["since"]), field="since"), add_months(current_month(), -1)
            while month <= last:
                months.append(month)
                month = add_months(month, 1)
        return sorted(set(months)) or [add_months(current_month(), -1)]

    def handle(self, *args: object, **options: object) -> None:
        try:
            for month in self._months(options):
                marker = rollup_build(month)
                self.stdout.write(f"{month:%Y-%m}：评价 {marker.rated} 件次，汇总 {marker.cells} 行")
        except ValidationError as exc:
            raise CommandError(exc.message) from exc
