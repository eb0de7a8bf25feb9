from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from civicgrid.gridwork.services import care_scan
from civicgrid.notify.services import outbox_drain


class Command(BaseCommand):
    help = _("定时任务（建议每小时一次）：关爱走访临期/超期红黄灯预警，通知网格长，并发送待发通知。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-send", action="store_true", help=_("只扫描，不发送通知"))

    def handle(self, *args: object, **options: object) -> None:
        result = care_scan()
        sent = 0 if options["no_send"] else outbox_drain()
        self.stdout.write(
            _("检查关爱计划 {checked} 个，新预警 {warnings} 条，发送通知 {sent} 条").format(
                checked=result["checked"], warnings=result["warnings"], sent=sent
            )
        )
