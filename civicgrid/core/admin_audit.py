"""Django admin that writes the same audit rows as the services.

The admin's change view runs in a transaction, so the audit row is written with the
change or not at all.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from civicgrid.core.audit import audit_write


def _fields(obj: Model) -> dict[str, Any]:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.name.endswith("_enc")}


class AuditedModelAdmin(admin.ModelAdmin):
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
