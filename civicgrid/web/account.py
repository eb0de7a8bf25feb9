"""The signed-in user's own account: changing one's password (修改密码)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.web.login import guarded

PASSWORD_CHANGED = "accounts.password_changed"  # noqa: S105 - an event name


class GuardedPasswordChangeForm(PasswordChangeForm):
    """The old password is checked under the sign-in lock (``web.login``): a wrong one
    counts as a failed sign-in, and a locked name cannot try again until the lock ends."""

    def clean_old_password(self) -> str:
        check = super().clean_old_password
        return guarded(self.user.get_username(), check)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The old password, then the new one twice (Django's validators: length, not too
    common, not all digits, not like the user's name). Audited; the session stays."""
    form = GuardedPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit_write(actor=user, verb=PASSWORD_CHANGED, target=user)
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改"))
        return redirect("web:home")
    return render(
        request,
        "web/password_change.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )
