from typing import Any

from django.core.management.base import BaseCommand

from civicgrid.party.services.committees import committee_activity_check


class Command(BaseCommand):
    help = (
        "定时任务（建议每天一次）：检查上一季度未开展活动的大工委、大党委并生成预警；重复运行不会重复预警。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = committee_activity_check()
        quarter = f"{result['year']}年第{result['quarter']}季度"
        idle, new = result["idle"], result["warnings"]
        self.stdout.write(f"{quarter}：未开展活动的大党委 {idle} 个，新预警 {new} 条")
