"""Saying a service's refusal on a server-rendered page, fields named in Chinese.

A ``ValidationError`` maps field codes (``ends_on``, ``interval_days``) to reasons. A page
that shows its form again puts each reason next to its field (``add_service_errors`` in
``civicgrid.requests.forms``); these helpers word what is left over in one line — the
summary above a form, or the message after a button that redirects — naming each field by
its form label or the app's table of labels, never by its code.
"""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.i18n import StrOrPromise

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


def error_summary(form: forms.Form, labels: Mapping[str, StrOrPromise] | None = None) -> str:
    """Every error of a bound form in one line, each named by its field's label."""
    parts = []
    for name, reasons in form.errors.items():
        text = "，".join(str(r) for r in reasons)
        parts.append(text if name == NON_FIELD_ERRORS else f"{field_label(name, labels or {}, form)}：{text}")
    return _("请修改以下问题：{problems}").format(problems="；".join(parts)) if parts else ""
