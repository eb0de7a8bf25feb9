"""Signing in: every success and failure is an audit row, and repeated failures lock the
account name from the address they come from for a while (登录失败处理).

The failures are counted from the audit log itself, in the database, so every worker
process sees the same count. Three locks, each for the rest of the ``LOGIN_LOCK_MINUTES``
window:

- ``LOGIN_MAX_FAILURES`` failures of one user name from one address, since that name's
  last success from that address (or the security administrator's unlocking), lock that
  name from that address only. Someone who knows a hotline operator's user name cannot
  lock them out from their own desk by failing from elsewhere (OWASP; django-axes'
  "user and address" lockout).
- ``LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS`` (much higher) failures of one name from any
  addresses, since the last unlocking, lock the name everywhere: a guess spread over many
  addresses is still slowed. A success does not clear this count (it would give such a
  guess a fresh allowance each time the operator signs in); the unlocking does.
- failures on ``LOGIN_MAX_FAILURES_PER_ADDRESS`` different names from one address lock
  that address (guessing across names).

A locked attempt is refused before the password is checked, so it neither tells whether
the password was right nor adds to the log. Attempts on one name (which covers the name
from one address) or from one address run one at a time (``_serialise``), so attempts sent
at once cannot slip past any count. The sign-in page, the admin's sign-in and the
own-password page (its old password) share it.
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
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.context import current_request_meta
from civicgrid.core.models import AuditLog

T = TypeVar("T")

LOGIN_FAILED = "accounts.login_failed"
LOGGED_IN = "accounts.logged_in"
LOGIN_UNLOCKED = "accounts.login_unlocked"
LOGGED_OUT = "accounts.logged_out"
LOGIN_TARGET = "accounts.login"  # the audit rows' target type; the target id is the user name


def _name(username: Any) -> str:
    return str(username or "").strip()[:64]


def _window_start() -> Any:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def _rows(name: str) -> Any:
    """This user name's sign-in rows in the window."""
    return AuditLog.objects.filter(target_type=LOGIN_TARGET, target_id=name, created_at__gte=_window_start())


def _last_id(rows: Any) -> int:
    return rows.order_by("-id").values_list("id", flat=True).first() or 0


def pair_failures(username: str, ip: str | None) -> int:
    """Failures of this user name from this address in the window, after its last successful
    sign-in from this address or the security administrator's unlocking. Attempts whose
    address is unknown count as one address."""
    rows = _rows(_name(username))
    since = _last_id(rows.filter(Q(verb=LOGIN_UNLOCKED) | Q(verb=LOGGED_IN, ip=ip)))
    return rows.filter(verb=LOGIN_FAILED, ip=ip, id__gt=since).count()


def name_failures(username: str) -> int:
    """Failures of this user name from any address in the window, after the security
    administrator's last unlocking (a success does not clear them: see the module)."""
    rows = _rows(_name(username))
    since = _last_id(rows.filter(verb=LOGIN_UNLOCKED))
    return rows.filter(verb=LOGIN_FAILED, id__gt=since).count()


def known_address(username: str, ip: str | None) -> bool:
    """Whether this name signed in successfully from this address within
    ``LOGIN_KNOWN_ADDRESS_DAYS``: its own desk, which the name-wide lock leaves open (an
    attacker spread over many addresses has no success from any of them)."""
    days = settings.LOGIN_KNOWN_ADDRESS_DAYS
    if not ip or days <= 0:
        return False
    since = timezone.now() - timedelta(days=days)
    rows = AuditLog.objects.filter(target_type=LOGIN_TARGET, target_id=_name(username), created_at__gte=since)
    return rows.filter(verb=LOGGED_IN, ip=ip).exists()


def address_failures(ip: str | None) -> int:
    """How many different user names failed from this address in the window: guessing
    across names, not one office's typos behind a shared address."""
    if not ip:
        return 0
    rows = AuditLog.objects.filter(verb=LOGIN_FAILED, ip=ip, created_at__gte=_window_start())
    return rows.values("target_id").distinct().count()


def _serialise(name: str, ip: str | None) -> None:
    """One attempt at a time per user name and per address (PostgreSQL: transaction-level
    advisory locks), so that attempts sent at once cannot all pass a count before any
    failure is written. The name's lock covers both counts of the name (from this address
    and from any); the address's lock covers the count across names. Always the name's
    first, then the address's, so two attempts never wait for each other in a circle.
    SQLite runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.login:{name}"])
        if ip:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"civicgrid.login-ip:{ip}"])


def locked_message(name: str, ip: str | None) -> str:
    """Why sign-in is refused now, or ""."""
    minutes = settings.LOGIN_LOCK_MINUTES
    if (
        name
        and name_failures(name) >= settings.LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS
        and not known_address(name, ip)
    ):
        return _(
            "登录失败次数过多，该账号已暂时锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。"
        ).format(minutes=minutes)
    if name and pair_failures(name, ip) >= settings.LOGIN_MAX_FAILURES:
        return _(
            "该账号在本机登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。"
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

    def get_default_redirect_url(self) -> str:
        """Where a sign-in without ``next`` lands: 网格员工作台 (the phone's 今日) for one whose
        only work is grid work, else the home page."""
        from civicgrid.accounts.models import Role
        from civicgrid.accounts.selectors import actor_roles

        user = self.request.user
        roles = {role for role, _path in actor_roles(user)} if user.is_authenticated else set()
        if roles == {Role.GRID_WORKER} and not getattr(user, "admin_role", ""):
            return reverse("gridwork:m_today")
        return str(super().get_default_redirect_url())


def record_logout(request: HttpRequest) -> None:
    """A signed-in user signs out (the page's and the admin's 退出): audited. A session ended
    for idleness is written by ``web.idle`` as ``accounts.session_expired`` instead."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    name = _name(user.get_username())
    with transaction.atomic():
        audit_write(actor=user, verb=LOGGED_OUT, target_type=LOGIN_TARGET, target_id=name, target_label=name)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        record_logout(request)
        return super().post(request, *args, **kwargs)


def unlock(*, actor: Any, username: str) -> None:
    """The security administrator lifts a name's locks: its failures before this, from
    every address, no longer count (an address's lock across names stays)."""
    name = _name(username)
    with transaction.atomic():
        audit_write(
            actor=actor, verb=LOGIN_UNLOCKED, target_type=LOGIN_TARGET, target_id=name, target_label=name
        )


def admin_password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """/admin/password_change/ is the own-password page (``web.account``): Django's own has
    neither the sign-in lock on the old password nor an audit row."""
    return redirect("web:password_change")


def connect() -> None:
    """Called from ``WebConfig.ready``: the admin's sign-in form gets the lock, and its
    "change password" goes to the own-password page (before the admin's URLs are built)."""
    admin.site.login_form = GuardedAdminAuthenticationForm
    admin.site.password_change = admin_password_change  # type: ignore[method-assign,assignment]
    admin_logout = admin.site.logout

    def logout(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "POST":
            record_logout(request)
        return admin_logout(request, extra_context)

    admin.site.logout = logout  # type: ignore[method-assign,assignment]
