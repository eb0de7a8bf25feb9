"""civicgrid demo: build the demo city, show its logins, or tell whether one is built."""

from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter

from civicgrid.demo.builder import DemoError, build, refuse_if_not_empty, status
from civicgrid.demo.maintenance import logins_table, reset
from civicgrid.demo.plan import SIZES

HELP = """生成演示城市（只能在空库上生成，不会重复生成）。
区划用真实的街道、社区名称和12位统计用区划代码（国家统计局2016年版，
数据来源 Vonng/adcode，CC BY 4.0）和真实的区县边界；网格、小区、楼栋、
人口、单位、岗位均为生成数据，同一随机种子生成同一座城市。
--size small（默认）：无锡市梁溪区的崇安寺、通江、北大街、南禅寺四个街道，
  约80个网格、5000名居民，几秒钟生成完。
--size city：十个区县（梁溪、东昌、茂南、电白、信宜、高州、化州、湄潭、余庆、凤冈）
  的全部真实街道和社区，另加生成的“新城第N街道”（代码 <区县>9xx000，凑足300个街道），
  10000个网格、200万名居民；这些区县分属不同地级市，顶级节点是虚构的“演示市”
  （代码 990100000000）。建议使用 PostgreSQL。"""


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's order of options, and the description's line breaks kept."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = HelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(SIZES), default="small", help="规模：small 或 city")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--status", action="store_true", help="库中还没有区域时输出 empty，否则输出 built"
        )
        parser.add_argument("--logins", action="store_true", help="列出演示账号和密码")
        parser.add_argument("--reset", action="store_true", help="清空演示城市（仅当库中只有演示数据时）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self.stdout.write(status())
            return
        if options["logins"]:
            for line in logins_table():
                self.stdout.write(line)
            return
        try:
            if options["reset"]:
                removed = reset()
                self.stdout.write(
                    f"已清空演示城市：{removed['nodes']:,} 个区域节点，{removed['residents']:,} 名居民。"
                )
                return
            self._build(options["size"], options["seed"])
        except DemoError as exc:
            raise CommandError(str(exc)) from exc

    def _build(self, size: str, seed: int) -> None:
        refuse_if_not_empty()
        self.stdout.write(f"生成演示城市：{SIZES[size].label}，随机种子 {seed}")
        report = build(size, seed, out=self._progress)
        counts = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"完成，共用时 {report.seconds:.1f} 秒："
                f"{counts.get('subdistrict', 0):,} 个街道，{counts.get('community', 0):,} 个社区，"
                f"{counts.get('grid', 0):,} 个网格，{counts.get('building', 0):,} 栋楼，"
                f"{counts.get('households', 0):,} 户，{counts.get('residents', 0):,} 名居民，"
                f"{counts.get('organisations', 0):,} 个单位。"
            )
        )
        self.stdout.write("演示账号和密码：civicgrid demo --logins")

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
