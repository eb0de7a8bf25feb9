"""Django admin that writes the same audit rows as the services, and refuses stale edits.

The admin's change view runs in a transaction, so the audit row is written with the
change or not at all.

``StaleEditGuard``: Django's admin saves a change form over whatever changed since it was
opened, so of two administrators editing one record, the second silently puts back the
first one's fields (two tabs on one grid: the address typed in one was lost by saving the
other). The change form carries a fingerprint of the record as it was shown, with the rows
of its inlines (an account's role rows: two sessions adding roles were silently merged, and
a row edited after another session removed it failed with no visible error); saving
compares it with the record locked for update, and a difference is a form error at the top
of the form that changes nothing.
"""

import hashlib
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Model
from django.forms import ModelForm
from django.forms.models import _get_foreign_key
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write

FINGERPRINT = "edit_fingerprint"


# model → (inline model, its foreign key's name) of each inline of its guarded admin
_INLINE_ROWS: dict[type[Model], list[tuple[type[Model], str]]] = {}


def _row(obj: Model) -> list[tuple[str, Any]]:
    return [(f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields]


def record_fingerprint(obj: Model) -> str:
    """A digest of every stored field of ``obj`` and of the rows its admin's inlines show
    (as read from the database)."""
    values: list[Any] = _row(obj)
    for model, fk in _INLINE_ROWS.get(type(obj), []):
        rows = model._base_manager.filter(**{fk: obj.pk}).order_by("pk")
        values.append((model._meta.label, [_row(r) for r in rows]))
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


class FingerprintForm(forms.Form):
    edit_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields[FINGERPRINT].initial = record_fingerprint(instance)

    def clean(self) -> Any:
        data = super().clean()
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return data
        current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk).first()
        if current is None or self.data.get(self.add_prefix(FINGERPRINT)) != record_fingerprint(current):
            raise forms.ValidationError(
                _("该记录在您打开之后已被他人修改，本次修改未保存。请重新打开该页面，在最新内容上修改。"),
                code="stale",
            )
        return data


class RefusedFormStatus(admin.ModelAdmin):
    """An add or change form sent back with errors answers 422, as every other page of the
    product does (Django's admin answers 200): the browser shows the same page, a client or
    a test tells a refusal from a success without reading the page."""

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if request.method == "POST" and context.get("errors"):
            response.status_code = 422
        return response


class StaleEditGuard(RefusedFormStatus):
    """A change form saved over a change made since it was opened is refused (see above)."""

    def __init__(self, model: Any, admin_site: Any) -> None:
        super().__init__(model, admin_site)
        rows = []
        for inline in self.inlines:
            fk = _get_foreign_key(model, inline.model, fk_name=inline.fk_name)
            if fk is not None:
                rows.append((inline.model, fk.name))
        if rows:
            _INLINE_ROWS[model] = rows

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            base = kwargs.get("form") or self.form
            kwargs["form"] = type(f"Guarded{base.__name__}", (FingerprintForm, base), {})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or FINGERPRINT in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [FINGERPRINT]})]


def _fields(obj: Model) -> dict[str, Any]:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.name.endswith("_enc")}


class AuditedModelAdmin(StaleEditGuard):
    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = _fields(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "created"
        audit_write(
            actor=request.user,
            verb=f"admin.{obj._meta.model_name}_{verb}",
            target=obj,
            node=getattr(obj, "node", None) if obj._meta.model_name != "node" else obj,
            before=before,
            after=_fields(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_write(
            actor=request.user, verb=f"admin.{obj._meta.model_name}_deleted", target=obj, before=_fields(obj)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
