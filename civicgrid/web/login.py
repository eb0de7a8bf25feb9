"""Signing in: every success and failure is an audit row, and repeated failures lock the
account name (and the address they come from) for a while (登录失败处理).

The failures are counted from the audit log itself, in the database, so every worker
process sees the same count: ``LOGIN_MAX_FAILURES`` failures of one user name since its
last success within ``LOGIN_LOCK_MINUTES`` lock that name; ``LOGIN_MAX_FAILURES_PER_ADDRESS``
failures from one address within the same window lock that address (guessing across
many names). A locked attempt is refused before the password is checked, so it neither
tells whether the password was right nor adds to the log.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.context import current_request_meta
from civicgrid.core.models import AuditLog

LOGIN_FAILED = "accounts.login_failed"
LOGGED_IN = "accounts.logged_in"
LOGIN_TARGET = "accounts.login"  # the audit rows' target type; the target id is the user name


def _name(username: Any) -> str:
    return str(username or "").strip()[:64]


def _window_start() -> Any:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def name_failures(username: str) -> int:
    """Failures of this user name in the window, after its last successful sign-in."""
    rows = AuditLog.objects.filter(target_type=LOGIN_TARGET, target_id=_name(username))
    since = rows.filter(verb=LOGGED_IN).order_by("-id").values_list("id", flat=True).first() or 0
    return rows.filter(verb=LOGIN_FAILED, id__gt=since, created_at__gte=_window_start()).count()


def address_failures(ip: str | None) -> int:
    if not ip:
        return 0
    return AuditLog.objects.filter(verb=LOGIN_FAILED, ip=ip, created_at__gte=_window_start()).count()


class LockCheck(AuthenticationForm):
    """Refuses a locked name or address before the password check (``clean``)."""

    locked_message = ""  # shown instead of the usual "wrong name or password"

    def clean(self) -> dict[str, Any]:
        username = _name(self.cleaned_data.get("username"))
        minutes = settings.LOGIN_LOCK_MINUTES
        if username and name_failures(username) >= settings.LOGIN_MAX_FAILURES:
            self.locked_message = _(
                "登录失败次数过多，该账号已暂时锁定，请 {minutes} 分钟后再试，或联系安全管理员。"
            ).format(minutes=minutes)
        elif address_failures(current_request_meta().ip) >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
            self.locked_message = _("本机登录失败次数过多，请 {minutes} 分钟后再试。").format(minutes=minutes)
        if self.locked_message:
            raise forms.ValidationError(self.locked_message, code="locked")
        return super().clean()


class GuardedAuthenticationForm(LockCheck):
    """The sign-in page's form."""


class GuardedAdminAuthenticationForm(LockCheck, AdminAuthenticationForm):
    """The admin's sign-in form: the same lock, so /admin/login/ is no way around it."""


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = GuardedAuthenticationForm


def _record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    username = _name(credentials.get("username"))
    with transaction.atomic():
        audit_write(
            actor=_("匿名"),
            verb=LOGIN_FAILED,
            target_type=LOGIN_TARGET,
            target_id=username,
            target_label=username,
        )


def _record_success(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    with transaction.atomic():
        audit_write(
            actor=user,
            verb=LOGGED_IN,
            target_type=LOGIN_TARGET,
            target_id=_name(user.get_username()),
            target_label=_name(user.get_username()),
        )


def connect() -> None:
    """Called from ``WebConfig.ready``."""
    user_login_failed.connect(_record_failure, dispatch_uid="civicgrid.login_failed")
    user_logged_in.connect(_record_success, dispatch_uid="civicgrid.logged_in")
    admin.site.login_form = GuardedAdminAuthenticationForm
