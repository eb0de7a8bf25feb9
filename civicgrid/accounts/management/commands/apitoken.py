from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.services import api_token_create
from civicgrid.core.audit import audit_write

ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)


class Command(BaseCommand):
    help = gettext("创建、列出或吊销接口令牌。示例：civicgrid apitoken create --user NAME")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--user", help=gettext("账号用户名"))
        parser.add_argument("--name", default=gettext("外部系统"), help=gettext("令牌用途"))
        parser.add_argument(
            "--prefix", help=gettext("吊销时：令牌前缀（以“-”开头的旧令牌写作 --prefix=-abc123）")
        )

    def handle(self, *args: object, **opts: str) -> None:
        action = opts["action"]
        if action == "list":
            for t in ApiToken.objects.select_related("user").order_by("id"):
                state = gettext("已吊销") if t.revoked_at else gettext("有效")
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
                    audit_write(actor=ACTOR, verb=Verb.TOKEN_REVOKED, target=t)
            self.stdout.write(gettext("已吊销 {count} 个令牌").format(count=len(tokens)))
            return
        user = User.objects.filter(username=opts["user"] or "").first()
        if user is None:
            raise CommandError(gettext("账号不存在：{user}").format(user=opts["user"]))
        _, raw = api_token_create(actor=ACTOR, user=user, name=opts["name"], system=True)
        self.stdout.write(raw)
