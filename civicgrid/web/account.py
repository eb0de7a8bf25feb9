"""The signed-in user's own account: changing one's password (修改密码), and having to change
a password an administrator set before doing anything else."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.middleware import ErrorMiddleware, machine_facing
from civicgrid.web.login import guarded

PASSWORD_CHANGED = "accounts.password_changed"  # noqa: S105 - an event name


def must_change_message() -> str:
    return _("您的密码由管理员设置，请先设置您自己的新密码，然后才能继续使用系统。")


class GuardedPasswordChangeForm(PasswordChangeForm):
    """The old password is checked under the sign-in lock (``web.login``): a wrong one
    counts as a failed sign-in, and a locked name cannot try again until the lock ends.
    The new password must differ from the old one (and from one an administrator set)."""

    def clean_old_password(self) -> str:
        check = super().clean_old_password
        return guarded(self.user.get_username(), check)

    def clean(self) -> Any:
        data = super().clean()
        old, new = self.cleaned_data.get("old_password"), self.cleaned_data.get("new_password1")
        if old and new and old == new:
            message = (
                _("新密码不能与管理员设置的密码相同")
                if getattr(self.user, "must_change_password", False)
                else _("新密码不能与原密码相同")
            )
            self.add_error("new_password1", forms.ValidationError(message, code="same"))
        return data

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = False
        return super().save(commit)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The old password, then the new one twice (Django's validators: length, not too
    common, not all digits, not like the user's name). Audited; the session stays."""
    required = bool(getattr(request.user, "must_change_password", False))
    form = GuardedPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit_write(
                actor=user, verb=PASSWORD_CHANGED, target=user, after={"required": True} if required else None
            )
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改"))
        return redirect("web:home")
    return render(
        request,
        "web/password_change.html",
        {"form": form, "required": required, "required_message": must_change_message() if required else ""},
        status=422 if request.method == "POST" else 200,
    )


def _open_paths() -> tuple[str, ...]:
    return (reverse("web:password_change"), reverse("web:logout"), "/admin/logout/", "/favicon.ico")


def password_change_required(request: HttpRequest) -> HttpResponse | None:
    """The answer for a signed-in session whose password an administrator set (the account
    was created with it, or it was reset in the admin): only the own-password page and
    signing out are open until the user sets their own — whoever set it could otherwise sign
    in as the account (三员分立). Pages go to the password page, an htmx call is sent there as
    a whole, the JSON API answers 403. API tokens are not sessions and are not affected.
    Called from ``web.idle.IdleTimeoutMiddleware``; None when the request may go on."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
        return None
    path = request.path
    if path in _open_paths() or (settings.STATIC_URL and path.startswith(str(settings.STATIC_URL))):
        return None
    if machine_facing(request):
        return ErrorMiddleware.error_response(request, PermissionDenied(must_change_message()))
    target = reverse("web:password_change")
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
