"""``civicgrid workcal_import FILE``: enter holidays and make-up days in the line format of the
year page's 批量录入 (``civicgrid.workcal.bulk``), all or nothing."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.exchange.readers import decode_text
from civicgrid.workcal import services


class Command(BaseCommand):
    help = _(
        "录入节假日与调休：每行一条，如“2027-02-11 至 2027-02-17 休 春节”“2027-02-07 班 春节调休”"
        "（格式见 docs/modules/workcal.md）。先校验全部行，有一行出错则什么都不改。文件为 - 时读标准输入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("要导入的文本文件（UTF-8 或 GBK），- 为标准输入"))
        parser.add_argument("--year", type=int, default=None, help=_("只允许该年的日期"))
        parser.add_argument(
            "--confirm", action="store_true", help=_("导入后确认该年全年安排已录入（须同时给出 --year）")
        )
        parser.add_argument("--note", default="", help=_("确认时的备注，如公布的文号"))
        parser.add_argument(
            "--few-ok",
            action="store_true",
            help=_("该年工作日放假少于法定节假日天数（可能未录全）时仍确认"),
        )
        parser.add_argument("--user", default="", help=_("以该用户身份录入（默认：第一个系统管理员）"))

    def handle(self, *args: Any, **opts: Any) -> None:
        text = self._read(opts["path"])
        actor = self._actor(opts["user"])
        try:
            result = services.calendar_days_import(
                actor=actor,
                text=text,
                year=opts["year"],
                confirm=opts["confirm"],
                note=opts["note"],
                few_ok=opts["few_ok"],
            )
        except ValidationError as exc:
            for reasons in exc.errors.values():
                for reason in reasons:
                    self.stderr.write(reason)
            raise CommandError(
                _("共 {n} 处错误，未做任何修改").format(n=sum(map(len, exc.errors.values())))
            ) from exc
        except CivicError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("已录入：设置 {set} 天，清除 {cleared} 天，{unchanged} 天原已如此").format(
                set=result.set, cleared=result.cleared, unchanged=result.unchanged
            )
        )
        if result.confirmed:
            self.stdout.write(_("已确认 {year} 年节假日安排").format(year=opts["year"]))

    @staticmethod
    def _read(path: str) -> str:
        """The text as the other imports decode it (``exchange.readers.decode_text``): UTF-8
        with or without BOM, GB18030/GBK (Notepad's and Excel's Chinese default), UTF-16
        with its BOM (Excel's "Unicode text")."""
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(_("文件不存在：{path}").format(path=path))
            data = file.read_bytes()
        try:
            return decode_text(data)
        except ValidationError as exc:
            raise CommandError(_("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的文本")) from exc

    @staticmethod
    def _actor(username: str) -> User:
        if username:
            found = User.objects.filter(username=username, is_active=True).first()
            if found is None:
                raise CommandError(_("用户不存在或已停用：{username}").format(username=username))
            return found
        found = User.objects.filter(admin_role="system", is_active=True).order_by("id").first()
        if found is None:
            raise CommandError(_("没有可用的系统管理员账号，请用 --user 指定"))
        return found
