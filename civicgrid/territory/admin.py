"""Admin for the system administrator. Node writes go through the territory services, so
paths, codes, the locator and the audit log stay right."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.admin_audit import AuditedModelAdmin, StaleEditGuard
from civicgrid.core.admin_fields import login_name_field
from civicgrid.core.errors import ValidationError
from civicgrid.territory import services
from civicgrid.territory.geometry import check_lon_lat
from civicgrid.territory.models import GridMatter, Node, Position


class GeometryJSONField(forms.JSONField):
    """The 范围 field: text that is not JSON (or nested beyond reason) is a field error.

    Django's field lets a RecursionError ('[' * 5000) or a ValueError other than a
    JSONDecodeError escape as a 500.
    """

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except (RecursionError, ValueError) as exc:
            raise DjangoValidationError(
                _("范围不是有效的 GeoJSON（应为 Polygon 或 MultiPolygon 的 JSON 文本）"), code="invalid"
            ) from exc

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except (RecursionError, ValueError):
            return forms.fields.InvalidJSONInput(data)


class NodeForm(forms.ModelForm):
    clear_geometry = forms.BooleanField(
        label=gettext_lazy("清除范围"),
        required=False,
        help_text=gettext_lazy("勾选并将范围留空，才会删除该节点原有的范围"),
    )
    code = forms.CharField(
        label=gettext_lazy("编码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("街道及以上填12位统计用区划代码；网格及以下留空自动生成"),
    )

    class Meta:
        model = Node
        field_classes = {"geometry": GeometryJSONField}
        fields = [
            "kind",
            "code",
            "name",
            "parent",
            "grid_type",
            "geometry",
            "lon",
            "lat",
            "address",
            "responsible_unit",
            "sort_order",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lon, lat = data.get("lon"), data.get("lat")
        try:  # here, so that only 经度 (or only 纬度) is an error on the field, not the error page
            check_lon_lat(lon, lat)
        except ValidationError as exc:
            for field, reasons in exc.errors.items():
                self.add_error(field, reasons)
            lon = lat = None
        had_polygon = bool(self.instance.pk) and self.instance.geometry is not None
        clear = bool(data.get("clear_geometry"))
        if had_polygon and not clear and "geometry" in data and services.geometry_is_empty(data["geometry"]):
            self.add_error(
                "geometry",
                _("范围为空：留空会删除该节点原有的范围。如确要清除，请同时勾选“清除范围”；否则请填回范围"),
            )
            return data
        try:
            kind = data.get("kind") or (self.instance.kind if self.instance.pk else "")
            if kind:
                services.node_parent_check(kind, data.get("parent"))
                if data.get("code"):
                    services.node_code_check(kind, data["code"].strip().upper())
            parent = data.get("parent")
            if "geometry" in data or clear:
                clean = services.node_geometry_clean(
                    kind, data.get("geometry"), had_polygon=had_polygon, clear=clear
                )
                if kind and clean is not None:  # where it will stand: under the parent chosen here
                    services.node_placement_check(
                        node_id=self.instance.pk,
                        kind=kind,
                        grid_type=data.get("grid_type") or "",
                        parent_id=parent.pk if parent else None,
                        code=(data.get("code") or "").strip().upper(),
                        name=data.get("name") or "",
                        clean=clean,
                    )
            if parent is not None and lon is not None and lat is not None:
                services.node_point_check([*parent.path_ids], lon, lat)
        except ValidationError as exc:
            raise DjangoValidationError(
                {k: v for k, v in exc.errors.items() if k in self.fields} or exc.message
            ) from exc
        if self.instance.pk and data.get("parent") and data["parent"].path.startswith(self.instance.path):
            self.add_error("parent", _("不能移动到自身或其下级之下"))
        return data


@admin.register(Node)
class NodeAdmin(StaleEditGuard):
    form = NodeForm
    list_display = ["name", "kind", "code", "parent", "grid_type", "is_active"]
    list_filter = ["kind", "grid_type", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "responsible_unit"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Node | None = None) -> list[str]:
        return ["kind"] if obj else []

    def save_model(self, request: HttpRequest, obj: Node, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.node_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                parent=data.get("parent"),
                code=data.get("code") or "",
                grid_type=data.get("grid_type") or "",
                geometry=data.get("geometry"),
                lon=data.get("lon"),
                lat=data.get("lat"),
                address=data.get("address") or "",
                responsible_unit=data.get("responsible_unit"),
                sort_order=data.get("sort_order") or 0,
            )
            obj.pk = created.pk
            return
        original = Node.objects.get(pk=obj.pk)
        changes = {
            f: data.get(f)
            for f in ("name", "code", "geometry", "lon", "lat", "address", "sort_order", "responsible_unit")
            if f in form.changed_data
        }
        if "grid_type" in form.changed_data:
            changes["grid_type"] = data.get("grid_type")
        clear = bool(data.get("clear_geometry"))
        if clear:
            changes["geometry"] = None
        if changes:
            services.node_update(actor=request.user, node=original, clear_geometry=clear, **changes)
        if "parent" in form.changed_data and data.get("parent"):
            services.node_move(actor=request.user, node=original, new_parent=data["parent"])

    def has_delete_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        return False  # nodes are deactivated, never deleted (history points at them)


@admin.register(GridMatter)
class GridMatterAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "domain", "department", "frequency", "is_active"]
    list_filter = ["domain", "is_active"]
    search_fields = ["code", "name", "department"]
    filter_horizontal = ["applies_to"]


class PositionForm(forms.ModelForm):
    # The system administrator has no account list (三员分立): the account is typed by its
    # login name, not picked by id from a lookup they cannot open.
    user = login_name_field(gettext_lazy("系统账号（用户名）"), required=False)

    class Meta:
        model = Position
        fields = [
            "node", "post", "holder_name", "user", "resident", "organisation_name", "start_date", "end_date",
            "note",
        ]  # fmt: skip


@admin.register(Position)
class PositionAdmin(AuditedModelAdmin):
    form = PositionForm
    list_display = ["holder_name", "post", "node", "start_date", "end_date"]
    list_filter = ["post"]
    search_fields = ["holder_name", "node__name"]
    raw_id_fields = ["node", "resident"]
    exclude = ["phone_enc", "phone_hash"]

    def save_model(self, request: HttpRequest, obj: Position, form: forms.ModelForm, change: bool) -> None:
        obj.node_path = obj.node.path
        super().save_model(request, obj, form, change)
