"""One-time form tokens: a double click, a resent POST or two tabs write once.

A form renders ``{% load once %}{% once_field %}`` — a hidden field with a fresh random
token. The view runs its write inside ``guard(request)``: in one transaction with the write
the token is stored as a used ``FormToken`` row (the token is its primary key). A second POST
with the same token cannot store it and raises ``Repeated`` before anything is written; the
view answers with ``repeated`` (an info message "已提交，请勿重复提交" and a redirect). Two POSTs at
the same moment: PostgreSQL makes the second insert wait for the first transaction, then
refuses it, so exactly one write happens. A write that fails rolls the token back with it,
so the user can correct the form and send it again.

A POST without a token (a page rendered before the form had one, a hand-made request) is
written as before, unguarded.

``act_once`` is ``core.views_forms.act`` with the guard, for forms that run one service and
redirect back. Used rows are dropped by ``purge`` after ``KEEP`` (a token's form is long gone).

``remember`` keeps what the first POST of a token wrote (in the cache, for ``REMEMBER_SECONDS``)
so that a repeat can show that result again (``recall``) instead of a bare "already sent";
a cache that forgot it (another worker, a restart) makes the caller look the write up itself.
"""

import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.models import FormToken
from civicgrid.core.views_forms import act

FIELD = "once_token"
KEEP = timedelta(days=30)
REMEMBER_SECONDS = 24 * 3600
_REMEMBERED = "civicgrid:once:{kind}:{token}"
_SHAPE = re.compile(r"[0-9a-f]{32}")


class Repeated(Exception):
    """The form's token was used already: this POST is a repeat and wrote nothing."""


def issue() -> str:
    """A fresh token for one rendering of a form."""
    return secrets.token_hex(16)


def posted(request: HttpRequest) -> str | None:
    """The token the form sent, None when it sent none (or something that is no token)."""
    raw = str(request.POST.get(FIELD, "")).strip().lower()
    return raw if _SHAPE.fullmatch(raw) else None


def consume(token: str) -> bool:
    """Store ``token`` as used; False when it was used already (by this or a concurrent POST).

    Meant to run inside the transaction of the write it guards (``guard`` does so)."""
    try:
        with transaction.atomic():
            FormToken.objects.create(token=token)
    except IntegrityError:
        return False
    return True


@contextmanager
def guard(request: HttpRequest) -> Iterator[None]:
    """Run the block once per form token, in one transaction with the token's use.

    Raises ``Repeated`` (before the block runs) when the posted token was used already."""
    token = posted(request)
    with transaction.atomic():
        if token is not None and not consume(token):
            raise Repeated
        yield


def remember(request: HttpRequest, kind: str, written: Any) -> None:
    """Keep what this POST's token wrote (``kind`` names the form) for a repeat to show."""
    if token := posted(request):
        cache.set(_REMEMBERED.format(kind=kind, token=token), written, REMEMBER_SECONDS)


def recall(request: HttpRequest, kind: str) -> Any:
    """What the first POST of this form's token wrote (``remember``); None when not known."""
    token = posted(request)
    return cache.get(_REMEMBERED.format(kind=kind, token=token)) if token else None


def repeated(request: HttpRequest, back: str, *args: Any) -> HttpResponse:
    """The answer to a repeated POST: say it was already sent, go to ``back`` (a URL or URL name)."""
    messages.info(request, _("已提交，请勿重复提交"))
    return redirect(back, *args)


def act_once(
    request: HttpRequest,
    call: Callable[[], Any],
    done: str | Callable[[Any], str],
    back: str,
    *,
    labels: Mapping[str, StrOrPromise] | None = None,
    gone: Callable[[], str | None] | None = None,
) -> HttpResponse:
    """``act`` guarded by the form's token: a repeated POST writes nothing and goes ``back``."""

    def guarded() -> Any:
        with guard(request):
            return call()

    try:
        return act(request, guarded, done, back, labels=labels, gone=gone)
    except Repeated:
        return repeated(request, back)


def purge(now: Any = None) -> int:
    """Drop tokens used more than ``KEEP`` ago; how many were dropped."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _rows = FormToken.objects.filter(used_at__lt=cutoff).delete()
    return deleted
