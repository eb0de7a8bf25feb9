"""``civicgrid requests_demo``: twelve months of demo requests on the demo city."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicError
from civicgrid.requests.demo_history import requests_history_build, requests_history_summary, summary_lines
from civicgrid.requests.demo_history.setup import describe, requests_demo_setup

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins


class Command(BaseCommand):
    help = _(
        "演示诉求历史：先补齐承办单位、默认派单目录、派单规则和承办人账号，"
        "再生成最近若干个月的诉求（只能在没有诉求的库中生成）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help=_("随机种子（同一种子、同一时刻生成相同的历史）")
        )
        parser.add_argument("--months", type=int, default=12, help=_("完整月份数（另加本月至今），默认12"))
        parser.add_argument(
            "--per-month", type=int, default=300, dest="per_month", help=_("每月平均诉求数，默认300")
        )
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=_("新建演示账号的密码（默认 {demo_password}）").format(demo_password=DEMO_PASSWORD),
        )
        parser.add_argument("--setup-only", action="store_true", help=_("只补齐单位、目录、规则和账号"))
        parser.add_argument("--summary", action="store_true", help=_("只打印现有诉求的统计"))

    def handle(self, *args: object, **opts: Any) -> None:
        try:
            if not opts["summary"]:
                self._build(opts)
            for line in summary_lines(requests_history_summary()):
                self.stdout.write(line)
        except CivicError as exc:
            raise CommandError(exc.message) from exc

    def _build(self, opts: dict[str, Any]) -> None:
        for line in describe(requests_demo_setup(password=opts["password"])):
            self.stdout.write(line)
        if opts["setup_only"]:
            return
        self.stdout.write(
            _("生成诉求历史（种子 {seed}，{months} 个月，每月约 {per_month} 件）……").format(
                seed=opts["seed"], months=opts["months"], per_month=opts["per_month"]
            )
        )
        result = requests_history_build(seed=opts["seed"], months=opts["months"], per_month=opts["per_month"])
        self.stdout.write(
            _(
                "完成：{requests} 件诉求、{events} 条办理记录、{ratings} 次评价，"
                "用时 {seconds} 秒（推演 {seconds_simulated} 秒）"
            ).format(
                requests=result["requests"],
                events=result["events"],
                ratings=result["ratings"],
                seconds=result["seconds"],
                seconds_simulated=result["seconds_simulated"],
            )
        )
        if opts["password"] == DEMO_PASSWORD:
            self.stdout.write(
                _("新建的演示账号密码均为 {demo_password}，仅供演示；正式使用前请删除这些账号。").format(
                    demo_password=DEMO_PASSWORD
                )
            )
