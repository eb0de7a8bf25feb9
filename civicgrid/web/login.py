"""Signing in: every success and failure is an audit row, and repeated failures lock the
account name (and the address they come from) for a while (登录失败处理).

The failures are counted from the audit log itself, in the database, so every worker
process sees the same count: ``LOGIN_MAX_FAILURES`` failures of one user name since its
last success (or the security administrator's unlocking) within ``LOGIN_LOCK_MINUTES``
lock that name; failures on ``LOGIN_MAX_FAILURES_PER_ADDRESS`` different names from one
address within the same window lock that address (guessing across names). A locked
attempt is refused before the password is checked, so it neither tells whether the
password was right nor adds to the log. Attempts on one name or from one address run one
at a time (``_serialise``), so attempts sent at once cannot slip past the count. The
sign-in page, the admin's sign-in and the own-password page (its old password) share it.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.context import current_request_meta
from civicgrid.core.models import AuditLog

T = TypeVar("T")

LOGIN_FAILED = "accounts.login_failed"
LOGGED_IN = "accounts.logged_in"
LOGIN_UNLOCKED = "accounts.login_unlocked"
LOGIN_TARGET = "accounts.login"  # the audit rows' target type; the target id is the user name


def _name(username: Any) -> str:
    return str(username or "").strip()[:64]


def _window_start() -> Any:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def name_failures(username: str) -> int:
    """Failures of this user name in the window, after its last successful sign-in or the
    security administrator's unlocking."""
    start = _window_start()
    rows = AuditLog.objects.filter(target_type=LOGIN_TARGET, target_id=_name(username), created_at__gte=start)
    since = (
        rows.filter(verb__in=(LOGGED_IN, LOGIN_UNLOCKED)).order_by("-id").values_list("id", flat=True).first()
    )
    return rows.filter(verb=LOGIN_FAILED, id__gt=since or 0).count()


def address_failures(ip: str | None) -> int:
    """How many different user names failed from this address in the window: guessing
    across names, not one office's typos behind a shared address."""
    if not ip:
        return 0
    rows = AuditLog.objects.filter(verb=LOGIN_FAILED, ip=ip, created_at__gte=_window_start())
    return rows.values("target_id").distinct().count()


def _serialise(name: str, ip: str | None) -> None:
    """One attempt at a time per user name and per address (PostgreSQL: transaction-level
    advisory locks), so that attempts sent at once cannot all pass the count before any
    failure is written. SQLite runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.login:{name}"])
        if ip:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.login-ip:{ip}"])


def locked_message(name: str, ip: str | None) -> str:
    """Why sign-in is refused now, or ""."""
    minutes = settings.LOGIN_LOCK_MINUTES
    if name and name_failures(name) >= settings.LOGIN_MAX_FAILURES:
        return _(
            "登录失败次数过多，该账号已暂时锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。"
        ).format(minutes=minutes)
    if address_failures(ip) >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        return _("本机登录失败次数过多，请 {minutes} 分钟后再试。").format(minutes=minutes)
    return ""


def record_failure(name: str) -> None:
    audit_write(
        actor=_("匿名"), verb=LOGIN_FAILED, target_type=LOGIN_TARGET, target_id=name, target_label=name
    )


def guarded(name: str, check: Callable[[], T]) -> T:
    """Run ``check`` (which raises ``forms.ValidationError`` on a wrong password) for ``name``
    under the lock: refused without checking when locked; a failure is written (and kept)
    before the error goes back to the form."""
    name, ip = _name(name), current_request_meta().ip
    failed: forms.ValidationError | None = None
    with transaction.atomic():
        _serialise(name, ip)
        if message := locked_message(name, ip):
            raise forms.ValidationError(message, code="locked")
        try:
            return check()
        except forms.ValidationError as exc:
            record_failure(name)
            failed = exc
    raise failed


class GuardedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form under the lock; every sign-in and failure audited."""

    locked_message = ""  # shown instead of the usual "wrong name or password"

    def clean(self) -> dict[str, Any]:
        name = _name(self.cleaned_data.get("username"))
        if not name or not self.cleaned_data.get("password"):
            return super().clean()  # a missing field: the form says so, nothing is tried
        try:
            data = guarded(name, super().clean)
        except forms.ValidationError as exc:
            if exc.code == "locked":
                self.locked_message = str(exc.message)
            raise
        with transaction.atomic():
            audit_write(
                actor=self.get_user(),
                verb=LOGGED_IN,
                target_type=LOGIN_TARGET,
                target_id=name,
                target_label=name,
            )
        return data


class GuardedAdminAuthenticationForm(GuardedAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in form: the same lock, so /admin/login/ is no way around it."""


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = GuardedAuthenticationForm


def unlock(*, actor: Any, username: str) -> None:
    """The security administrator lifts a lock: the failures before it no longer count."""
    name = _name(username)
    with transaction.atomic():
        audit_write(
            actor=actor, verb=LOGIN_UNLOCKED, target_type=LOGIN_TARGET, target_id=name, target_label=name
        )


def connect() -> None:
    """Called from ``WebConfig.ready``: the admin's sign-in form gets the lock."""
    admin.site.login_form = GuardedAdminAuthenticationForm
