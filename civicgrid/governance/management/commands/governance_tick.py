from django.core.management.base import BaseCommand, CommandParser

from civicgrid.governance.tasks import tick
from civicgrid.governance.terms import terms_index
from civicgrid.notify.services import outbox_drain


class Command(BaseCommand):
    help = "定时任务（每分钟一次）：为新诉求分词、检测突发预警（同一地点同类诉求骤增），并发送待发通知。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-send", action="store_true", help="只检测，不发送通知")
        parser.add_argument(
            "--index-all", action="store_true", help="先为全部尚未分词的诉求分词（导入历史数据后运行一次）"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["index_all"]:
            self.stdout.write(f"分词 {terms_index(limit=None)} 件（全部）")
        result = tick()
        sent = 0 if options["no_send"] else outbox_drain()
        self.stdout.write(
            f"分词 {result['indexed']} 件，新预警 {result['raised']} 条，持续 {result['updated']} 条，"
            f"结束 {result['ended']} 条，发送通知 {sent} 条"
        )
