from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.governance.seasonal import ProposalRule, proposals_generate


class Command(BaseCommand):
    help = _("未诉先办（建议每天一次）：把往年同季节反复出现的同类诉求，提前生成整治任务建议。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", default="", help=_("以这一天为今天（YYYY-MM-DD，默认今天）"))
        parser.add_argument("--lead-days", type=int, default=120, help=_("提前多少天提出建议（默认120）"))

    def handle(self, *args: object, **options: object) -> None:
        raw = str(options["today"] or "")
        try:
            today = date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise CommandError(_("--today 应为 YYYY-MM-DD")) from exc
        made = proposals_generate(today=today, rule=ProposalRule(lead_days=int(str(options["lead_days"]))))
        self.stdout.write(_("新建议 {count} 条").format(count=len(made)))
        for p in made:
            self.stdout.write(
                _("  {season_start} {title} 往年同期 {evidence}").format(
                    season_start=p.season_start, title=p.title, evidence=p.evidence
                )
            )
