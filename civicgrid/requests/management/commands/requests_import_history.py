"""``civicgrid requests_import_history PATH``: import closed historical requests from .csv/.xlsx."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.core.errors import CivicError
from civicgrid.requests.history_import import requests_history_import, template_csv, template_xlsx
from civicgrid.requests.history_import.service import (
    CHECK_SECONDS,
    IMPORT_SECONDS,
    ROLLUP_SECONDS,
    WRITE_SECONDS,
    HistoryImportResult,
)

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = _(
        "导入历史诉求（已办结）：先逐行校验，任何一行有错都不导入，并列出每处错误（行、列、原因）；"
        "全部无误才在一个事务中写入（PostgreSQL 用 COPY）。导入人须有配置诉求或导入+受理权限。"
        "列说明见 docs/modules/requests.md“导入历史诉求”，或用 --template 生成模板。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="", help=_("要导入的 .csv 或 .xlsx 文件"))
        parser.add_argument("--user", default="", help=_("以该用户身份导入（默认：第一个系统管理员）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验，不写入"))
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help=_("已存在的诉求编号跳过不导入（默认：视为错误，整个文件不导入）"),
        )
        parser.add_argument(
            "--no-rollup", action="store_true", help=_("导入后不重建受影响月份的三率汇总（读数仍精确）")
        )
        parser.add_argument(
            "--template", default="", metavar="OUT", help=_("把导入模板写到 OUT（.csv 或 .xlsx）")
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["template"]:
            self._template(Path(opts["template"]))
            return
        if not opts["path"]:
            raise CommandError(_("请给出要导入的文件，或用 --template 生成模板"))
        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(_("文件不存在：{path}").format(path=path))
        actor = self._actor(opts["user"])
        try:
            result = requests_history_import(
                actor=actor,
                file_name=path.name,
                data=path.read_bytes(),
                dry_run=opts["dry_run"],
                skip_existing=opts["skip_existing"],
                rebuild_rollups=not opts["no_rollup"],
            )
        except CivicError as exc:
            raise CommandError(exc.message) from exc
        self._report(result)
        if not result.ok:
            raise CommandError(
                _("共 {count} 处错误，未导入任何数据，请修改后重新导入").format(count=len(result.errors))
            )

    def _template(self, out: Path) -> None:
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(_("模板只能写成 .csv 或 .xlsx"))
        out.write_bytes(template_xlsx() if out.suffix.lower() == ".xlsx" else template_csv())
        self.stdout.write(_("已写出导入模板：{out}").format(out=out))

    @staticmethod
    def _actor(username: str) -> User:
        if username:
            found = User.objects.filter(username=username, is_active=True).first()
            if found is None:
                raise CommandError(_("用户不存在或已停用：{username}").format(username=username))
            return found
        found = User.objects.filter(admin_role="system", is_active=True).order_by("id").first()
        if found is None:
            raise CommandError(_("没有可用的系统管理员，请用 --user 指定导入人"))
        return found

    def _report(self, result: HistoryImportResult) -> None:
        write = self.stdout.write
        validate = result.seconds.get(CHECK_SECONDS, 0.0)
        rate = _("{speed:,.0f} 行/秒").format(speed=result.rows / validate) if validate else "—"
        write(
            _("读取并校验 {rows:,} 行：{validate:.2f} 秒（{rate}）").format(
                rows=result.rows, validate=validate, rate=rate
            )
        )
        for error in result.errors[:SHOWN_ERRORS]:
            write(
                _("  第{row}行 {column}：{reason}").format(
                    row=error.row, column=error.column or _("（整个文件）"), reason=error.reason
                )
            )
        if len(result.errors) > SHOWN_ERRORS:
            write(_("  ……另有 {count} 处错误未列出").format(count=len(result.errors) - SHOWN_ERRORS))
        if result.skipped:
            write(
                _("跳过已导入的编号 {count:,} 个（第{row}行起）").format(
                    count=len(result.skipped), row=result.skipped[0][0]
                )
            )
        if result.errors:
            return
        if result.dry_run:
            write(
                _("校验通过（试运行，未写入）：可导入 {count:,} 件").format(
                    count=result.rows - len(result.skipped)
                )
            )
            return
        write_s = result.seconds.get(WRITE_SECONDS, 0.0)
        counts = result.counts
        write(
            _(
                "写入：诉求 {requests:,} 件、工单 {work_orders:,} 条、办理记录 {events:,} 条、评价 "
                "{ratings:,} 次，{seconds:.2f} 秒（{speed:,.0f} 件/秒）"
            ).format(
                requests=counts.get("requests", 0),
                work_orders=counts.get("work_orders", 0),
                events=counts.get("events", 0),
                ratings=counts.get("ratings", 0),
                seconds=write_s,
                speed=result.imported / write_s if write_s else 0,
            )
        )
        # The wall time of the whole import (reading, checking, writing, rollups), as measured
        # by the service; the steps above overlap it, they do not add up to it.
        total = result.seconds.get(IMPORT_SECONDS, 0.0) + result.seconds.get(ROLLUP_SECONDS, 0.0)
        speed = result.imported / total if total else 0
        write(
            _("合计 {total:.2f} 秒，{speed:,.0f} 件/秒；导入批次 {key}").format(
                total=total, speed=speed, key=result.key
            )
        )
        if result.months_dropped:
            months = "、".join(f"{m:%Y-%m}" for m in result.months_dropped)
            write(_("受影响月份的三率汇总已作废：{months}").format(months=months))
            if result.months_rebuilt:
                rebuilt = "、".join(f"{m:%Y-%m}" for m in result.months_rebuilt)
                write(
                    _("已重建：{rebuilt}（{seconds:.2f} 秒）").format(
                        rebuilt=rebuilt, seconds=result.seconds.get(ROLLUP_SECONDS, 0.0)
                    )
                )
            missing = [m for m in result.months_dropped if m not in result.months_rebuilt]
            if missing:
                again = " ".join(f"--month {m:%Y-%m}" for m in missing)
                write(
                    _(
                        "未重建的月份暂按原始记录计算（结果精确），可运行：civicgrid rates_rollup {again}"
                    ).format(again=again)
                )
