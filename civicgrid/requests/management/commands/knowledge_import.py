"""civicgrid knowledge_import: load official replies into the knowledge base (知识库)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicError
from civicgrid.requests.knowledge import demo_rows, knowledge_import, rows_from_replies


class Command(BaseCommand):
    help = _(
        "导入官方答复到知识库：.csv（UTF-8 或 GBK）或 .xlsx，需有 subject、reply 列（或 标题、答复内容；"
        "可有 id、reply_time），重复导入时按编号或相同的标题和内容跳过"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", help=_(".csv 或 .xlsx 文件（如 replies.csv）；不填则导入演示知识库")
        )
        parser.add_argument("--limit", type=int, default=0, help=_("最多导入多少条（0 为全部）"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["path"]:
                path = Path(options["path"])
                if not path.is_file():
                    raise CommandError(_("找不到文件：{path}").format(path=path))
                rows = list(rows_from_replies(path))
            else:
                rows = demo_rows()
            if options["limit"]:
                rows = rows[: options["limit"]]
            added = knowledge_import(actor=None, rows=rows)
        except CivicError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("知识库新增 {added} 条答复（共读取 {count} 条，已有的跳过）").format(
                added=added, count=len(rows)
            )
        )
