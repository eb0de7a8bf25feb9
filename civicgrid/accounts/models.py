"""Staff accounts, their roles and the territory nodes that bound what they see.

Business roles are bound to nodes (``RoleAssignment``): a grid worker of grid 7 sees what
lies under grid 7. The three administrators (system, security, audit) are a single field
on the account, so no account can hold two of them by construction, and an account with
an administrator role holds no business role (checked in ``accounts.services``).
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("话务员")
    HANDLER = "handler", _("承办人")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    LEADER = "leader", _("领导")
    # The party-building office of a subdistrict (or district): 党建办 / 党建专干.
    PARTY_OFFICER = "party_officer", _("党建专干")


class AdminRole(models.TextChoices):
    NONE = "", _("无")
    SYSTEM = "system", _("系统管理员")
    SECURITY = "security", _("安全管理员")
    AUDIT = "audit", _("审计管理员")


PASSWORD_HISTORY = 5  # earlier passwords an account may not set again


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    admin_role = models.CharField(
        _("管理员角色"), max_length=16, choices=AdminRole.choices, blank=True, default=""
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    # A password an administrator set (the account created with one, or reset in the admin)
    # is known to that administrator: until the user sets their own, a signed-in session can
    # only change it (``web.idle``, 三员分立: the security administrator cannot become the
    # account). Accounts made by commands and the demo are not marked.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # An account another system uses through API tokens (12345 hotline, a mini-program): no
    # person signs in with it (the sign-in pages refuse it), and only such an account gets a
    # token from the security administrator's pages. A token for a personal account would let
    # the administrator act as that person past the forced password change (三员分立).
    is_integration = models.BooleanField(
        _("系统对接账号"),
        default=False,
        help_text=_("供其他系统通过接口令牌调用，不能登录网页；只有对接账号能在此页面创建接口令牌"),
    )

    # The hashes of the last ``PASSWORD_HISTORY`` passwords before the current one, newest
    # first (``set_password``): a password may not come back (``validators.
    # PasswordHistoryValidator``), so the password an administrator set cannot be set again
    # by the user after the forced change, nor one recently used.
    password_history = models.JSONField(_("历史密码摘要"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        if self.password and self.has_usable_password():
            kept = [self.password, *(self.password_history or [])]
            self.password_history = kept[:PASSWORD_HISTORY]
        super().set_password(raw_password)

    def used_password(self, raw_password: str) -> bool:
        """Whether ``raw_password`` is one of the recent ones (``password_history``)."""
        from django.contrib.auth.hashers import check_password

        return any(check_password(raw_password, old) for old in self.password_history or [])

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    node = models.ForeignKey(
        "territory.Node",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("管辖范围"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "node"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.node}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for another system; only its hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号")
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("令牌前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # Set by ``api_token_create`` (``TOKEN_DAYS`` by default); an expired token is refused.
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        # The prefix (characters 3–8) is typed after ``--prefix`` on the command line: one
        # starting with "-" would read as an option there.
        while True:
            raw = "cg_" + secrets.token_urlsafe(32)
            if raw[3] != "-":
                return raw
