from django.contrib import admin

from civicgrid.core.admin_audit import AuditedModelAdmin
from civicgrid.registry.models import ResidentTag


@admin.register(ResidentTag)
class ResidentTagAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "is_special_group"]
    search_fields = ["code", "name"]
