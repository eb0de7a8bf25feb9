"""Signing out after a while without activity (登录超时自动退出).

A signed-in session that has made no request for ``SESSION_IDLE_MINUTES`` is ended on its
next request (an audit row ``accounts.session_expired``). That request then goes on as
anonymous: a page sends the user to the sign-in page (with a message saying why, and back to
the page afterwards); the JSON API answers 401, which the grid workers' offline queue treats
as "keep the reports, sign in again". Two exceptions: an htmx call gets ``HX-Redirect`` to the
sign-in page (the page as a whole goes there, not a panel), and a form sent gets what was
typed back to copy (``core.views.stale_form_page``). The session's absolute end is fixed at
sign-in, ``SESSION_COOKIE_AGE`` later, however active.

The time of the last request is kept in the session, set at sign-in (with the session's own
write) and rewritten at most once a minute (``TOUCH_SECONDS``), so an active user does not
cost a session write per request.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.middleware import machine_facing
from civicgrid.core.views import stale_form_page
from civicgrid.web.account import password_change_required
from civicgrid.web.login import LOGIN_TARGET

LAST_SEEN = "civicgrid_last_seen"  # the session key: seconds since the epoch
TOUCH_SECONDS = 60
SESSION_EXPIRED = "accounts.session_expired"


def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """The idle clock starts, and the session's end is fixed: ``SESSION_COOKIE_AGE`` from
    now, however active (a relative age would move on with every save of the stamp)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = int(time.time())
        session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="civicgrid.web.idle")


def idle_expired(last_seen: object, now: float) -> bool:
    """Whether a session last seen at ``last_seen`` has been idle too long at ``now``."""
    limit = settings.SESSION_IDLE_MINUTES * 60
    return limit > 0 and isinstance(last_seen, int | float) and now - last_seen > limit


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        watched = user is not None and user.is_authenticated and settings.SESSION_IDLE_MINUTES > 0
        if watched and self.check(request, user) and (answer := self.signed_out(request)) is not None:
            return answer
        # A password an administrator set: nothing but changing it until the user has.
        if (answer := password_change_required(request)) is not None:
            return answer
        return self.get_response(request)

    @staticmethod
    def signed_out(request: HttpRequest) -> HttpResponse | None:
        """The answer to the request that found the session idle: an htmx call is sent to the
        sign-in page as a whole (not swapped into a panel); a form sent gets what was typed
        back to copy; anything else goes on as anonymous (pages: sign-in, API: 401)."""
        message = _("您已{minutes}分钟未操作，为保护数据已自动退出，请重新登录。").format(
            minutes=settings.SESSION_IDLE_MINUTES
        )
        if request.headers.get("HX-Request") == "true":
            page = request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
            current = urlsplit(page).path or "/"  # back to the page, after signing in
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': current})}"
            messages.warning(request, message)
            return response
        signing_in = request.path in (resolve_url(settings.LOGIN_URL), "/admin/login/")
        if request.method == "POST" and not machine_facing(request) and not signing_in:
            return stale_form_page(request, message + _("本次提交未生效。"), status=401)
        messages.warning(request, message)
        return None

    @staticmethod
    def check(request: HttpRequest, user: object) -> bool:
        """True when the session was idle too long and has now been ended (audited)."""
        now = time.time()
        last_seen = request.session.get(LAST_SEEN)
        if idle_expired(last_seen, now):
            name = str(getattr(user, "username", ""))
            with transaction.atomic():
                audit_write(
                    actor=user,
                    verb=SESSION_EXPIRED,
                    target_type=LOGIN_TARGET,
                    target_id=name,
                    target_label=name,
                    after={"idle_minutes": int((now - float(last_seen)) // 60)},  # type: ignore[arg-type]
                )
            logout(request)  # a new, empty session; request.user is now anonymous
            return True
        if not isinstance(last_seen, int | float) or now - last_seen >= TOUCH_SECONDS:
            request.session[LAST_SEEN] = int(now)
        return False
