from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core import once
from civicgrid.notify.services import outbox_drain
from civicgrid.requests.rates.cells import rollup_tick
from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.requests.services.whistle import report_in_scan


class Command(BaseCommand):
    help = _("定时任务（建议每分钟一次）：扫描诉求期限、发出临期/超期预警，并发送待发通知。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-send", action="store_true", help=_("只扫描，不发送通知"))

    def handle(self, *args: object, **options: object) -> None:
        result = deadline_scan()
        if result["rescheduled"] is not None:
            self.stdout.write(
                _(
                    "黄灯阈值（CIVICGRID_YELLOW_FRACTION）为 {fraction}：{count} 件在办诉求已按新阈值重新检查"
                ).format(fraction=settings.REQUESTS_YELLOW_FRACTION, count=result["rescheduled"])
            )
        report_in = report_in_scan()  # 报到期限 of open whistles (临期/超期 to the summoned units)
        sent = 0 if options["no_send"] else outbox_drain()
        self.stdout.write(
            _("检查 {checked} 件，新预警 {warnings} 条，发送通知 {sent} 条").format(
                checked=result["checked"],
                warnings=result["warnings"] + report_in["warnings"],
                sent=sent,
            )
        )
        rates = rollup_tick()  # the rates rollup: this month built once, deltas folded in
        self.stdout.write(_("三率汇总：合并增量 {folded} 条").format(folded=rates["folded"]))
        once.purge()  # used one-time form tokens older than once.KEEP (indexed by time)
