from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.services import TOKEN_DAYS, api_token_create
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError

PREFIX = "cg_"  # what every token starts with (ApiToken.generate)
PREFIX_LENGTH = 6  # characters kept as ApiToken.prefix (services.api_token_create: raw[3:9])
ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)


class Command(BaseCommand):
    help = gettext("创建、列出或吊销接口令牌。示例：civicgrid apitoken create --user NAME")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--user", help=gettext("账号用户名"))
        parser.add_argument("--name", default=gettext("外部系统"), help=gettext("令牌用途"))
        parser.add_argument(
            "--days",
            type=int,
            default=TOKEN_DAYS,
            help=gettext("创建时：令牌有效天数（默认 {days}）").format(days=TOKEN_DAYS),
        )
        parser.add_argument(
            "--prefix",
            help=gettext(
                "吊销时：令牌前缀，即 list 列出的前缀或令牌开头的字符（可带 cg_；"
                "以“-”开头的旧令牌写作 --prefix=-abc123）"
            ),
        )

    def handle(self, *args: object, **opts: Any) -> None:
        action = opts["action"]
        if action == "list":
            for t in ApiToken.objects.select_related("user").order_by("id"):
                if t.revoked_at:
                    state = gettext("已吊销")
                elif t.expires_at and t.expires_at <= timezone.now():
                    state = gettext("已过期")
                else:
                    state = gettext("有效")
                self.stdout.write(f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}\t{t.last_used_at or ''}")
            return
        if action == "revoke":
            self.revoke(opts.get("prefix") or "", opts.get("user") or "")
            return
        user = User.objects.filter(username=opts["user"] or "").first()
        if user is None:
            raise CommandError(gettext("账号不存在：{user}").format(user=opts["user"]))
        try:
            token, raw = api_token_create(
                actor=ACTOR, user=user, name=opts["name"], system=True, days=opts["days"]
            )
        except ValidationError as exc:
            raise CommandError(str(exc.message)) from exc
        if not user.is_integration:
            # The operator on the server may (the tests and older set-ups do), but a token of
            # a personal account lets its holder act as that person.
            self.stderr.write(
                gettext(
                    "注意：{user} 不是系统对接账号；持有该令牌者可以该账号的身份调用接口。"
                    "建议为对接的系统单独开设账号，并在账号页面勾选“系统对接账号”"
                ).format(user=user.username)
            )
        self.stderr.write(
            gettext("令牌有效期至 {expires}").format(
                expires=timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
            )
        )
        self.stdout.write(raw)

    def revoke(self, given: str, username: str) -> None:
        """Revoke the one active token that ``given`` names: its prefix as ``list`` shows it,
        or the token's own first characters (``cg_`` and all, or the whole token). Nothing
        matching, or more than one, is an error (exit status 1) and revokes nothing."""
        text = given.strip()
        if not text:
            raise CommandError(
                gettext("请用 --prefix 指定要吊销的令牌（civicgrid apitoken list 列出各令牌的前缀）")
            )
        key = text.removeprefix(PREFIX)[:PREFIX_LENGTH]
        if not key:
            raise CommandError(gettext("--prefix 至少写出令牌 cg_ 之后的一个字符"))
        found = ApiToken.objects.select_related("user").filter(prefix__startswith=key)
        if username:
            found = found.filter(user__username=username)
        with transaction.atomic():
            active = list(found.filter(revoked_at__isnull=True).select_for_update(of=("self",)))
            if not active:
                if found.exists():
                    raise CommandError(gettext("前缀为 {prefix} 的令牌已经吊销过").format(prefix=key))
                raise CommandError(
                    gettext("没有前缀为 {prefix} 的令牌（civicgrid apitoken list 列出各令牌的前缀）").format(
                        prefix=key
                    )
                )
            if len(active) > 1:
                names = "、".join(f"{t.prefix}（{t.user.username}）" for t in active)
                raise CommandError(
                    gettext("前缀 {prefix} 对应 {count} 个有效令牌：{names}；请写出完整的前缀").format(
                        prefix=key, count=len(active), names=names
                    )
                )
            token = active[0]
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_write(actor=ACTOR, verb=Verb.TOKEN_REVOKED, target=token)
        self.stdout.write(
            gettext("已吊销 {count} 个令牌").format(count=1)
            + f"：{token.prefix}（{token.user.username}，{token.name}）"
        )
