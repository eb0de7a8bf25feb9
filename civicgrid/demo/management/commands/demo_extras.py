"""civicgrid demo_extras: the demo data of the apps built on the demo city and its requests."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicgrid.web.contrib import demo_seeders


class Command(BaseCommand):
    help = "为演示城市生成志愿服务、积分、党建、网格工作等演示数据（在 demo 和 requests_demo 之后运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--only", action="append", default=[], help="只运行这些应用的演示数据")

    def handle(self, *args: Any, **options: Any) -> None:
        for label, seed_demo in demo_seeders():
            if options["only"] and label not in options["only"]:
                continue
            self.stdout.write(f"==> {label}")
            seed_demo(seed=options["seed"], out=self.stdout.write)
