"""Accounts, roles and tokens. Only the security administrator grants (or a command run
on the server, which acts as the system itself: ``actor=None`` with ``system=True``)."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.constants import ADMIN_GROUPS, Verb
from civicgrid.accounts.models import AdminRole, ApiToken, Role, RoleAssignment, User, hash_token
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import forget_scope, require_any
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.territory.models import Node, NodeKind

ADMIN_ROLE_ONLY_ON_SERVER = gettext_lazy("管理员角色只能在服务器上用 civicgrid admins 设置（三员分立）")

# The levels each business role may be bound to: a role's scope is the node and all beneath
# it, so a grid worker bound to a district would see, and patrol, the whole district.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({NodeKind.GRID}),
    Role.COMMUNITY_WORKER: frozenset({NodeKind.COMMUNITY, NodeKind.RESIDENTS_GROUP, NodeKind.GRID}),
    Role.HANDLER: frozenset({NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY}),
    Role.OPERATOR: frozenset({NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT}),
    Role.LEADER: frozenset({NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY}),
    Role.PARTY_OFFICER: frozenset({NodeKind.DISTRICT, NodeKind.SUBDISTRICT}),
}


def role_node_problem(role: str, node: Node) -> str | None:
    """Why ``role`` cannot be bound to ``node`` (its level), or None."""
    levels = ROLE_LEVELS.get(role)
    if levels is None or node.kind in levels:
        return None
    names = "、".join(str(label) for value, label in NodeKind.choices if value in levels)
    return _("{role}只能绑定到{levels}一级，不能绑定到{kind}").format(
        role=Role(role).label, levels=names, kind=node.get_kind_display()
    )


def admin_account_problem(*, actor: Any, user: User) -> str | None:
    """Why ``actor``, a person (the security administrator in the admin), may not change
    ``user`` (as stored now) at all, or None. An administrator's account (its details,
    password, active flag and roles, one's own included) is managed only on the server with
    ``civicgrid admins`` (三员分立): whoever could set the system administrator's password
    could sign in as them. One's own password is changed at ``/account/password/``."""
    if user.admin_role:
        return _(
            "管理员账号只能在服务器上用 civicgrid admins 管理：此处不能修改其资料、密码、"
            "启用状态或角色（三员分立）"
        )
    return None


def admin_change_problem(*, actor: Any, user: User | None, admin_role: str, is_active: bool) -> str | None:
    """Why ``actor``, a person, may not save ``user`` (as stored now; None for a new account)
    with this administrator role and active flag, or None. Administrator roles are given
    only by ``civicgrid admins`` on the server, and an administrator's account is not
    changed here (``admin_account_problem``), whatever a form sent."""
    if user is not None and (problem := admin_account_problem(actor=actor, user=user)):
        return problem
    if admin_role != (user.admin_role if user is not None else ""):
        return str(ADMIN_ROLE_ONLY_ON_SERVER)
    return None


def _check_actor(actor: Any, system: bool) -> None:
    if not system:
        require_any(actor, Capability.ACCOUNT_MANAGE)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str = "",
    title: str = "",
    admin_role: str = "",
    system: bool = False,
) -> User:
    _check_actor(actor, system)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("用户名不能为空")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("用户名已存在")]
    user = User(username=username, full_name=full_name.strip(), title=title, admin_role=admin_role)
    if len(password) < 8:
        errors["password"] = [_("密码至少8位")]
    elif not system:
        # The password rules (AUTH_PASSWORD_VALIDATORS: length, not common, not all digits,
        # not like the name, 3 of 4 character classes). Commands run on the server (the
        # demo with its published password, generated first passwords) check the length only.
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError as exc:
            errors["password"] = [str(m) for m in exc.messages]
    if admin_role not in AdminRole.values:
        errors["admin_role"] = [_("管理员角色取值无效")]
    elif admin_role and not system:
        errors["admin_role"] = [str(ADMIN_ROLE_ONLY_ON_SERVER)]
    if errors:
        raise ValidationError(errors=errors)
    user.set_password(password)
    user.is_staff = admin_role in ADMIN_GROUPS
    user.save()
    if admin_role in ADMIN_GROUPS:
        user.groups.add(Group.objects.get(name=ADMIN_GROUPS[admin_role]))
    audit_write(
        actor=actor,
        verb=Verb.USER_CREATED,
        target=user,
        after={"username": username, "admin_role": admin_role},
    )
    return user


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: str, node: Node, system: bool = False) -> RoleAssignment:
    """Bind a business role to a node. Administrators hold no business roles."""
    _check_actor(actor, system)
    if role not in Role.values:
        raise ValidationError(_("角色取值无效"), field="role")
    if (problem := role_node_problem(role, node)) is not None:
        raise ValidationError(problem, field="node")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.admin_role:
        raise ValidationError(_("管理员账号不能同时担任业务角色（三员分立）"), field="role")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, node=node)
    if created:
        audit_write(
            actor=actor, verb=Verb.ROLE_GRANTED, target=user, node=node, after={"role": role, "node": node.pk}
        )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment, system: bool = False) -> None:
    _check_actor(actor, system)
    audit_write(
        actor=actor,
        verb=Verb.ROLE_REVOKED,
        target=assignment.user,
        node=assignment.node,
        before={"role": assignment.role, "node": assignment.node_id},
    )
    assignment.delete()


@transaction.atomic
def admin_role_set(*, actor: Any, user: User, admin_role: str, system: bool = False) -> User:
    """Make an account one of the three administrators (or none). One role per account.
    Only a command run on the server does it (``system=True``): a security administrator
    who could would make themself, or anyone, a system administrator (三员分立)."""
    _check_actor(actor, system)
    if admin_role not in AdminRole.values:
        raise ValidationError(_("管理员角色取值无效"), field="admin_role")
    if not system:
        raise ValidationError(ADMIN_ROLE_ONLY_ON_SERVER, field="admin_role")
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise ValidationError(_("不能修改自己的管理员角色"), field="admin_role")
    if admin_role and user.role_assignments.exists():
        raise ValidationError(_("该账号已担任业务角色，不能再设为管理员（三员分立）"), field="admin_role")
    before = user.admin_role
    user.admin_role = admin_role
    user.is_staff = admin_role in ADMIN_GROUPS
    user.save(update_fields=["admin_role", "is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ADMIN_GROUPS.values()))
    if admin_role in ADMIN_GROUPS:
        user.groups.add(Group.objects.get(name=ADMIN_GROUPS[admin_role]))
    audit_write(
        actor=actor,
        verb=Verb.ADMIN_ROLE_SET,
        target=user,
        before={"admin_role": before},
        after={"admin_role": admin_role},
    )
    return user


TOKEN_DAYS = 365  # a token's life unless its creator chose another
TOKEN_MAX_DAYS = 3650


@transaction.atomic
def api_token_create(
    *, actor: Any, user: User, name: str, system: bool = False, days: int = TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Create a token valid for ``days``; the clear token is returned once and never stored.

    A person (the security administrator's pages) creates tokens only for a system-integration
    account (``User.is_integration``): a token for a personal account would let whoever holds
    it act as that person, past the forced change of a password the administrator set. A
    command run on the server (``system=True``: ``civicgrid apitoken create``, which warns)
    may create one for any business account."""
    _check_actor(actor, system)
    if not name.strip():
        raise ValidationError(_("请填写令牌用途"), field="name")
    if len(name.strip()) > 100:  # ApiToken.name
        raise ValidationError(_("令牌用途最长100个字"), field="name")
    if user.admin_role:
        # An administrator's powers stay behind the sign-in page (lockout, forced password
        # change, audited sessions): a bearer token would carry them past all of that.
        raise ValidationError(
            _("管理员账号不能持有接口令牌（三员分立），请为对接的系统单独开设业务账号"), field="user"
        )
    if not user.is_active:
        raise ValidationError(_("该账号已停用，不能为其创建接口令牌"), field="user")
    if not system and not user.is_integration:
        raise ValidationError(
            _(
                "账号用户名：{username} 不是系统对接账号，不能在此为其创建接口令牌"
                "（否则持有令牌者可冒用本人身份）；请为对接的系统单独开设账号并勾选“系统对接账号”"
            ).format(username=user.username),
            field="user",
        )
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError(_("有效天数须在 1 到 {most} 之间").format(most=TOKEN_MAX_DAYS), field="days")
    raw = ApiToken.generate()
    expires_at = timezone.now() + timedelta(days=days)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[3:9], key_hash=hash_token(raw), expires_at=expires_at
    )
    audit_write(
        actor=actor,
        verb=Verb.TOKEN_CREATED,
        target=token,
        after={"user": user.username, "name": name, "expires_at": expires_at.isoformat()},
    )
    return token, raw
