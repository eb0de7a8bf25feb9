"""Helpers of the pages: errors on forms, the served photos."""

from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.core.views_forms import pk_or_none
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


def form_status(form: forms.Form) -> int:
    """422 for a posted form shown again with its errors (bad input, nothing changed), else 200."""
    return 422 if form.is_bound and form.errors else 200


def posted_rating(post: Any) -> int:
    """The stars a confirming form posted; anything that is no number ("", "abc", "²", which
    ``str.isdigit`` takes for a digit) reads as 0, which the service refuses as "评价应为1到5星"."""
    return pk_or_none(str(post.get("rating", "")).strip()) or 0


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
