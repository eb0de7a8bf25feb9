from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicgrid.points.services import points_expire_due, redemptions_expire_due


class Command(BaseCommand):
    help = _("定时任务（建议每天一次）：按批次让到期积分过期，并退回取货码已过期的兑换（积分和库存）。")

    def handle(self, *args: object, **options: object) -> None:
        released = redemptions_expire_due()
        expired = points_expire_due()
        self.stdout.write(
            _("退回过期兑换 {released} 笔，过期积分 {expired} 分").format(released=released, expired=expired)
        )
