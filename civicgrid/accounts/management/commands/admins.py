"""The first accounts of a new installation: the three administrators (系统管理员,
安全管理员, 审计管理员), each a separate person, none holding a business role.

    civicgrid admins create [--system NAME] [--security NAME] [--audit NAME]
    civicgrid admins list
    civicgrid admins reset-password NAME
    civicgrid admins disable NAME | enable NAME

``create`` makes each administrator that does not exist yet, with a generated password
printed once, which its holder must change at first sign-in (the account is marked
``must_change_password``: every page leads to 修改密码 until they do); an account that
already exists is left as it is. Run it once after ``civicgrid migrate``; the security
administrator then creates the staff accounts.

An administrator's account is not changed in the web admin (三员分立), so its life goes on
here: ``reset-password`` prints a new generated password once (to be changed at the next
sign-in; the name's sign-in lock is lifted), ``disable`` stops an account whose holder has
left (their sessions end with it; ``create`` can then make the successor) and ``enable``
restarts it. Each change is an audit row whose actor is 命令行.
"""

import secrets
import string
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.constants import Verb
from civicgrid.accounts.models import AdminRole, User
from civicgrid.accounts.services import user_create
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError

ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)
# Letters and digits without the look-alikes (0/O, 1/l/I), so that a printed password
# can be typed without mistakes.
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
PASSWORD_LENGTH = 16
USERNAME_MAX = User._meta.get_field("username").max_length or 150


def generated_password() -> str:
    """16 characters with at least one upper-case letter, lower-case letter and digit each
    (the password rule asks for 3 of the 4 kinds)."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))
        kinds = (str.isupper, str.islower, str.isdigit)
        if all(any(kind(c) for c in password) for kind in kinds):
            return password


def administrators() -> list[tuple[str, str, str]]:
    """(admin role, option, default user name) of the three administrators."""
    return [
        (AdminRole.SYSTEM, "system", "sysadmin"),
        (AdminRole.SECURITY, "security", "secadmin"),
        (AdminRole.AUDIT, "audit", "auditor"),
    ]


class Command(BaseCommand):
    help = gettext("创建三员（系统管理员、安全管理员、审计管理员）账号，或列出已有的管理员")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "reset-password", "disable", "enable"])
        parser.add_argument(
            "name", nargs="?", help=gettext("reset-password、disable、enable 所针对的管理员用户名")
        )
        for role, option, default in administrators():
            parser.add_argument(
                f"--{option}",
                default=default,
                help=gettext("{role}的用户名（默认 {default}）").format(
                    role=AdminRole(role).label, default=default
                ),
            )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] in ("reset-password", "disable", "enable"):
            self.change_one(opts["action"], opts["name"])
            return
        if opts["name"]:
            raise CommandError(gettext("{action} 不接受用户名参数").format(action=opts["action"]))
        if opts["action"] == "list":
            found = User.objects.exclude(admin_role="").order_by("admin_role", "username")
            for user in found:
                state = gettext("启用") if user.is_active else gettext("停用")
                kind = str(AdminRole(user.admin_role).label)
                last = (
                    timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M") if user.last_login else ""
                )
                self.stdout.write(f"{user.username}\t{kind}\t{state}\t{last}")
            if not found:
                self.stdout.write(gettext("尚无管理员，请运行 civicgrid admins create"))
            return
        names = [opts[option].strip() for _role, option, _default in administrators()]
        if len(set(names)) != len(names):
            raise CommandError(gettext("三员须是三个不同的账号"))
        created: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for (role, _option, _default), name in zip(administrators(), names, strict=True):
                existing = User.objects.filter(username=name).first()
                label = str(AdminRole(role).label)
                # A stopped holder (``disable``: they left) does not block their successor.
                holder = User.objects.filter(admin_role=role, is_active=True).exclude(username=name).first()
                if existing is None and holder is not None:
                    self.stdout.write(
                        gettext("已有{role} {holder}，未新建 {name}").format(
                            role=label, holder=holder.username, name=name
                        )
                    )
                    continue
                if len(name) > USERNAME_MAX:
                    raise CommandError(
                        gettext("用户名最长 {n} 个字符：{name}").format(n=USERNAME_MAX, name=name[:20])
                    )
                if existing is not None:
                    if existing.admin_role != role:
                        raise CommandError(
                            gettext("账号 {name} 已存在，但不是{role}；请换一个用户名").format(
                                name=name, role=label
                            )
                        )
                    self.stdout.write(gettext("{role} {name} 已存在，未改动").format(role=label, name=name))
                    continue
                password = generated_password()
                try:
                    user = user_create(
                        actor=ACTOR,
                        system=True,
                        username=name,
                        password=password,
                        full_name=label,
                        admin_role=role,
                    )
                except ValidationError as exc:
                    reasons = "；".join(r for rs in exc.errors.values() for r in rs) or exc.message
                    raise CommandError(f"{name}: {reasons}") from exc
                except IntegrityError as exc:  # created meanwhile by another run
                    raise CommandError(
                        gettext("账号 {name} 刚被另一进程创建，请重新运行").format(name=name)
                    ) from exc
                # The password went through a terminal (and maybe a log): its holder must set
                # their own at first sign-in (web/account.py sends them to 修改密码).
                user.must_change_password = True
                user.save(update_fields=["must_change_password"])
                created.append((label, name, password))
        for label, name, password in created:
            self.stdout.write(
                gettext("{role}\t用户名 {name}\t初始密码 {password}").format(
                    role=label, name=name, password=password
                )
            )
        if created:
            self.stdout.write(gettext("请妥善保管初始密码，首次登录后立即修改。"))

    def change_one(self, action: str, name: str | None) -> None:
        """``reset-password``, ``disable`` or ``enable`` one administrator's account, under its
        row lock, with its audit row in the same transaction."""
        if not name:
            raise CommandError(
                gettext("请给出管理员的用户名，例如 civicgrid admins {action} sysadmin").format(action=action)
            )
        password = ""
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=name.strip()).first()
            if user is None:
                raise CommandError(gettext("没有用户名为 {name} 的账号").format(name=name))
            if not user.admin_role:
                raise CommandError(
                    gettext("{name} 不是管理员账号：业务账号由安全管理员在后台（/admin/）管理").format(
                        name=name
                    )
                )
            label = str(AdminRole(user.admin_role).label)
            before = {"is_active": user.is_active, "must_change_password": user.must_change_password}
            if action == "reset-password":
                password = generated_password()
                user.set_password(password)
                user.must_change_password = True
                user.save(update_fields=["password", "password_history", "must_change_password"])
                verb = Verb.PASSWORD_SET
            else:
                active = action == "enable"
                if user.is_active == active:
                    state = gettext("启用") if active else gettext("停用")
                    self.stdout.write(
                        gettext("{role} {name} 已是{state}状态，未改动").format(
                            role=label, name=user.username, state=state
                        )
                    )
                    return
                if active and (
                    holder := User.objects.filter(admin_role=user.admin_role, is_active=True)
                    .exclude(pk=user.pk)
                    .first()
                ):
                    raise CommandError(
                        gettext("已有启用的{role} {holder}：请先停用它（三员各一人）").format(
                            role=label, holder=holder.username
                        )
                    )
                user.is_active = active
                user.save(update_fields=["is_active"])
                verb = Verb.USER_CHANGED
            audit_write(
                actor=ACTOR,
                verb=verb,
                target=user,
                before=before,
                after={"is_active": user.is_active, "must_change_password": user.must_change_password},
            )
        if action == "reset-password":
            from civicgrid.web.login import unlock

            unlock(actor=ACTOR, username=user.username)
            self.stdout.write(
                gettext("{role}\t用户名 {name}\t新密码 {password}").format(
                    role=label, name=user.username, password=password
                )
            )
            self.stdout.write(gettext("请妥善保管新密码，登录后须立即修改。"))
        elif action == "disable":
            self.stdout.write(
                gettext("已停用{role} {name}，其登录会话随之失效").format(role=label, name=user.username)
            )
            if not User.objects.filter(admin_role=user.admin_role, is_active=True).exists():
                option = next(o for r, o, _d in administrators() if r == user.admin_role)
                self.stdout.write(
                    gettext(
                        "现已没有启用的{role}：可用 civicgrid admins create --{option} 新用户名 新建"
                    ).format(role=label, option=option)
                )
        else:
            self.stdout.write(gettext("已启用{role} {name}").format(role=label, name=user.username))
