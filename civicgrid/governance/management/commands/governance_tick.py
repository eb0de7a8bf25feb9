from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from civicgrid.governance.tasks import tick
from civicgrid.governance.terms import terms_index
from civicgrid.notify.services import outbox_drain


class Command(BaseCommand):
    help = _("定时任务（每分钟一次）：为新诉求分词、检测突发预警（同一地点同类诉求骤增），并发送待发通知。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-send", action="store_true", help=_("只检测，不发送通知"))
        parser.add_argument(
            "--index-all", action="store_true", help=_("先为全部尚未分词的诉求分词（导入历史数据后运行一次）")
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["index_all"]:
            self.stdout.write(_("分词 {terms_index} 件（全部）").format(terms_index=terms_index(limit=None)))
        result = tick()
        sent = 0 if options["no_send"] else outbox_drain()
        self.stdout.write(
            _(
                "分词 {indexed} 件，新预警 {raised} 条，持续 {updated} 条，结束 {ended} "
                "条，发送通知 {sent} 条"
            ).format(
                indexed=result["indexed"],
                raised=result["raised"],
                updated=result["updated"],
                ended=result["ended"],
                sent=sent,
            )
        )
