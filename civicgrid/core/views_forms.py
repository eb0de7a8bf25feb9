"""Server-rendered forms: reading what was posted, running a service, saying its refusal.

A ``ValidationError`` maps field codes (``ends_on``, ``interval_days``) to reasons. A page
that shows its form again puts each reason next to its field (``add_service_errors`` in
``civicgrid.requests.forms``); these helpers word what is left over in one line — the
summary above a form, or the message after a button that redirects — naming each field by
its form label or the app's table of labels, never by its code.

``act`` runs a service from a button or a small form and redirects with one message; after a
refusal the page's form is filled again with what was posted (``core.kept_form``).

``value``, ``date_or_none``, ``int_or_none``, ``decimal_or_none`` and ``pk_or_none`` read a
posted form that has no Django form class. They read days with ``typed_day`` and numbers
with ``whole_value`` and ``decimal_value``, so a refusal is worded as the services and the
API word it ("受益人数应为0到1000000之间的整数") and names the field by its Chinese label.
"""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import DecimalField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import kept_form
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.inputs import INT_MAX
from civicgrid.core.validators import Errors, decimal_value, typed_day, whole_value

UNKNOWN_FIELD = gettext_lazy("输入")


def field_label(name: str, labels: Mapping[str, StrOrPromise], form: forms.Form | None = None) -> str:
    if form is not None and name in form.fields and form.fields[name].label:
        return str(form.fields[name].label)
    return str(labels.get(name, UNKNOWN_FIELD))


def labelled(exc: CivicError, labels: Mapping[str, StrOrPromise], form: forms.Form | None = None) -> str:
    """The refusal as one message: "截止日期：截止日期不能早于开始日期；备注：…"."""
    errors = exc.errors if isinstance(exc, ValidationError) else {}
    if not errors:
        return exc.message
    return "；".join(f"{field_label(k, labels, form)}：{'，'.join(v)}" for k, v in errors.items())


def unlabelled(exc: CivicError) -> str:
    """The refusal's reasons in one message, without the field codes ("请填写标题；日期无效")."""
    if isinstance(exc, ValidationError) and exc.errors:
        return "；".join(reason for reasons in exc.errors.values() for reason in reasons)
    return exc.message


def error_summary(form: forms.Form, labels: Mapping[str, StrOrPromise] | None = None) -> str:
    """Every error of a bound form in one line, each named by its field's label."""
    parts = []
    for name, reasons in form.errors.items():
        text = "，".join(str(r) for r in reasons)
        parts.append(text if name == NON_FIELD_ERRORS else f"{field_label(name, labels or {}, form)}：{text}")
    return _("请修改以下问题：{problems}").format(problems="；".join(parts)) if parts else ""


# --- running a service --------------------------------------------------------------------------


def act(
    request: HttpRequest,
    call: Callable[[], Any],
    done: str | Callable[[Any], str],
    back: str,
    *,
    labels: Mapping[str, StrOrPromise] | None = None,
    gone: Callable[[], str | None] | None = None,
) -> HttpResponse:
    """Run a service from a form: a message, then back to the page; nothing changed on error,
    and the page opens with the form filled as it was posted (``core.kept_form``).

    ``done`` is the message, or makes it from what the service returned (a sign-up that went
    onto the waiting list says so). A refusal is worded by ``labelled`` with ``labels`` (each
    field named by its Chinese label), else by ``unlabelled`` (its reasons alone). ``gone``,
    after a refusal, names another page when ``back`` can no longer be shown to this user
    (an order someone else took first)."""
    try:
        result = call()
    except CivicError as exc:
        kept_form.keep(request, exc)  # the page opens with the form as it was posted
        messages.error(request, labelled(exc, labels) if labels is not None else unlabelled(exc))
        elsewhere = gone() if gone is not None else None
        return HttpResponseRedirect(elsewhere or back)
    messages.success(request, done(result) if callable(done) else done)
    return HttpResponseRedirect(back)


# --- reading a posted form ------------------------------------------------------------------------


def value(request: HttpRequest, name: str) -> str:
    """A posted field as text, spaces around it dropped ("" when absent)."""
    return str(request.POST.get(name, "")).strip()


def _refuse_if(errors: Errors, field: str) -> None:
    if errors:
        raise ValidationError("，".join(errors[field]), field=field)


def date_or_none(raw: str, field: str, label: StrOrPromise) -> date | None:
    """A typed day (``YYYY-MM-DD``), None when blank, else a refusal naming ``label``."""
    return typed_day(raw, field=field, label=label) if raw.strip() else None


def int_or_none(
    raw: str,
    field: str,
    label: StrOrPromise,
    *,
    minimum: int = 0,
    maximum: int = INT_MAX,
    required: bool = False,
) -> int | None:
    """A whole number from ``minimum`` to ``maximum``, None when blank (refused as "请填写{label}"
    when ``required``), else ``whole_value``'s refusal ("{label}应为{minimum}到{maximum}之间的整数")."""
    errors: Errors = {}
    number = whole_value(
        raw, errors=errors, field=field, label=label, minimum=minimum, maximum=maximum, required=required
    )
    _refuse_if(errors, field)
    return number


def decimal_or_none(
    raw: str,
    field: str,
    label: StrOrPromise,
    *,
    column: DecimalField[Any, Any] | None = None,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
) -> Decimal | None:
    """A number its column (or ``max_digits`` and ``decimal_places``) holds, None when blank,
    else ``decimal_value``'s refusal ("{label}应为数字", "{label}最多10位整数、2位小数")."""
    errors: Errors = {}
    number = decimal_value(
        raw,
        errors=errors,
        field=field,
        label=label,
        column=column,
        max_digits=max_digits,
        decimal_places=decimal_places,
        minimum=minimum,
        maximum=maximum,
        required=False,
    )
    _refuse_if(errors, field)
    return number


def pk_or_none(raw: str) -> int | None:
    """The id a picker posted, or None when blank or no id at all ("abc", "²", "0", a number
    beyond any key): the caller says "请选择…" as for an id that names nothing."""
    errors: Errors = {}
    return whole_value(raw, errors=errors, field="id", label="id", minimum=1, maximum=INT_MAX, required=False)
