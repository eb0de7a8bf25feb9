"""Helpers of the pages: errors on forms, redirects with a message, the served photos."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.volunteers.access import order_for
from civicgrid.volunteers.constants import ON_BOARD
from civicgrid.volunteers.models import OrderPhoto


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's reasons on the form, by field where the form has that field."""
    if not exc.errors:
        form.add_error(None, exc.message)
    for field, reasons in exc.errors.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)


def act(
    request: HttpRequest,
    call: Callable[[], Any],
    done: str | Callable[[Any], str],
    back: str,
    *,
    gone: Callable[[], str | None] | None = None,
) -> HttpResponse:
    """Run a service from a button: a message, then back to the page (errors shown there too).

    ``done`` is the message, or makes it from what the service returned (a sign-up that went
    onto the waiting list says so). ``gone``, after a refusal, names another page when
    ``back`` can no longer be shown to this user (an order someone else took first)."""
    try:
        result = call()
    except CivicError as exc:
        messages.error(request, exc.message)
        elsewhere = gone() if gone is not None else None
        return HttpResponseRedirect(elsewhere or back)
    messages.success(request, done(result) if callable(done) else done)
    return HttpResponseRedirect(back)


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A service photo: to anyone when its order is on the public board, else to those who
    may see the order."""
    found = OrderPhoto.objects.select_related("order").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("照片不存在"))
    order = found.order
    if not (order.on_board and order.status in ON_BOARD):
        order_for(request.user, order.pk)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
