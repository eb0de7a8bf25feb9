from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicgrid.party.services.committees import committee_activity_check


class Command(BaseCommand):
    help = _(
        "定时任务（建议每天一次）：检查上一季度未开展活动的大工委、大党委并生成预警；重复运行不会重复预警。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = committee_activity_check()
        quarter = _("{year}年第{quarter}季度").format(year=result["year"], quarter=result["quarter"])
        idle, new = result["idle"], result["warnings"]
        self.stdout.write(
            _("{quarter}：未开展活动的大党委 {idle} 个，新预警 {new} 条").format(
                quarter=quarter, idle=idle, new=new
            )
        )
