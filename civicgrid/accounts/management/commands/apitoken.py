from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.services import api_token_create
from civicgrid.core.audit import audit_write


class Command(BaseCommand):
    help = "创建、列出或吊销接口令牌。示例：civicgrid apitoken create --user NAME"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--user", help="账号用户名")
        parser.add_argument("--name", default="外部系统", help="令牌用途")
        parser.add_argument("--prefix", help="吊销时：令牌前缀（以“-”开头的旧令牌写作 --prefix=-abc123）")

    def handle(self, *args: object, **opts: str) -> None:
        action = opts["action"]
        if action == "list":
            for t in ApiToken.objects.select_related("user").order_by("id"):
                state = "已吊销" if t.revoked_at else "有效"
                self.stdout.write(f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}\t{t.last_used_at or ''}")
            return
        if action == "revoke":
            from django.utils import timezone

            with transaction.atomic():
                n = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True)
                tokens = list(n)
                for t in tokens:
                    t.revoked_at = timezone.now()
                    t.save(update_fields=["revoked_at"])
                    audit_write(actor="命令行", verb=Verb.TOKEN_REVOKED, target=t)
            self.stdout.write(f"已吊销 {len(tokens)} 个令牌")
            return
        user = User.objects.filter(username=opts["user"] or "").first()
        if user is None:
            raise CommandError(f"账号不存在：{opts['user']}")
        _, raw = api_token_create(actor="命令行", user=user, name=opts["name"], system=True)
        self.stdout.write(raw)
