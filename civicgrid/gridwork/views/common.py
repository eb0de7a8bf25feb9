"""Small helpers shared by the pages: reading posted values, errors back onto the form."""

import math
import uuid
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.gridwork.forms import attach_errors, error_summary


def new_key() -> str:
    """An idempotency key for a form rendered by the server (used when the page has no JS)."""
    return uuid.uuid4().hex


class Posted:
    """Typed reads of a POST (or GET); every value that does not parse is one error on its field."""

    def __init__(self, data: QueryDict) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str, default: str = "") -> str:
        return str(self.data.get(name, default) or "").strip()

    def _bad(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def number(self, name: str, label: str = "") -> float | None:
        """A decimal number; ``label`` names the field in the error ("纬度应为数字"): the
        field may sit under a shared heading (地点) or be hidden (the phone's fix)."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value):
            self._bad(name, _("{label}应为数字").format(label=label) if label else _("应为数字"))
            return None
        return value

    def integer(self, name: str) -> int | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            self._bad(name, _("应为整数"))
            return None

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            found = parse_date(raw)
        except ValueError:
            found = None
        if found is None:
            self._bad(name, _("应为日期（YYYY-MM-DD）"))
        return found

    def moment(self, name: str) -> datetime | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            found = parse_datetime(raw)
        except ValueError:
            found = None
        if found is None:
            self._bad(name, _("时间格式无效"))
        return found

    def check(self) -> None:
        if self.errors:
            raise ValidationError(errors=self.errors)


def merged(*errors: ValidationError | dict[str, list[str]]) -> dict[str, list[str]]:
    """The reasons of several sources by field, each reason once: ``posted.check()`` and
    ``look.done()`` raise their own dict, which the caller passes again beside the error."""
    out: dict[str, list[str]] = {}
    for e in errors:
        items = e.errors if isinstance(e, ValidationError) else e
        for name, reasons in items.items():
            kept = out.setdefault(name, [])
            kept.extend(r for r in reasons if r not in kept)
    return out


def page_values(data: QueryDict) -> dict[str, Any]:
    """What the worker typed, to show again after an error."""
    return {k: data.get(k) for k in data if k != "csrfmiddlewaretoken"}


def refused(request: HttpRequest, form: forms.Form, exc: CivicError | None = None) -> None:
    """A form that will be shown again: the service's reasons onto its fields, and a summary."""
    if exc is not None:
        attach_errors(form, exc)
    messages.error(request, error_summary(form))
