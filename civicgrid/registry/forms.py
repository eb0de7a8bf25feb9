"""The resident form (新增居民 / 编辑居民). It only parses what was typed; ``services``
validate and decide. On a refusal the page is shown again with what was typed and each reason
next to its field.

An ID number or phone is never put back into the form from the registry: the fields start
empty, show the masked value as a hint, and a typed value replaces the stored one; a 清除
box takes the stored one off.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.registry.models import DwellingUse, Gender, ResidenceType, ResidentTag

DAY = {"invalid": _("出生日期应为有效日期，格式 YYYY-MM-DD")}

# A service's field code -> the form field its reason sits next to.
SERVICE_FIELDS = {"household": "household_code", "node_id": "node", "household_id": "household_code"}


class ResidentForm(forms.Form):
    node = forms.IntegerField(
        label=_("所属区域"),
        error_messages={"required": _("请选择所属区域"), "invalid": _("请选择所属区域")},
    )
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("姓名不能为空")})
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=40)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=40)
    # On the edit form: take a stored number off (the empty field means "keep it").
    clear_id_number = forms.BooleanField(label=_("清除身份证号"), required=False)
    clear_phone = forms.BooleanField(label=_("清除联系电话"), required=False)
    clear_birth_date = forms.BooleanField(label=_("清除出生日期"), required=False)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", ""), *Gender.choices])
    birth_date = forms.DateField(label=_("出生日期"), required=False, error_messages=DAY)
    residence_type = forms.ChoiceField(label=_("人口类型"), choices=ResidenceType.choices)
    household_code = forms.CharField(label=_("户编码"), required=False, max_length=40)
    relation_to_head = forms.CharField(label=_("与户主关系"), required=False, max_length=20)
    tags = forms.MultipleChoiceField(label=_("标签"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=255)
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = self.fields["tags"]
        assert isinstance(tags, forms.MultipleChoiceField)
        tags.choices = [(t.code, t.name) for t in ResidentTag.objects.all()]
        for name, field in self.fields.items():
            field.error_messages.setdefault("max_length", _("最多 %(limit_value)d 个字"))
            if name != "node":
                field.error_messages["invalid_choice"] = _("取值无效")


CLEARING = (("id_number", "clear_id_number"), ("phone", "clear_phone"))


def clear_conflicts(form: forms.Form) -> None:
    """A number typed while its 清除 box is ticked: which of the two was meant is unclear."""
    for field, box in CLEARING:
        if form.cleaned_data.get(box) and form.cleaned_data.get(field):
            form.add_error(field, _("已勾选“清除”，请不要同时填写新号码"))
    if form.cleaned_data.get("clear_birth_date") and form.cleaned_data.get("birth_date"):
        form.add_error("birth_date", _("已勾选“清除出生日期”，请不要同时填写出生日期"))


def attach_errors(form: forms.Form, exc: CivicError) -> None:
    """A service's refusal onto the form: each reason next to its field, else above the form."""
    errors = exc.errors if isinstance(exc, ValidationError) else {}
    if not errors:
        form.add_error(None, exc.message)
        return
    for name, reasons in errors.items():
        target = SERVICE_FIELDS.get(name, name)
        for reason in reasons:
            form.add_error(target if target in form.fields and target != "updated_at" else None, reason)


class DwellingForm(forms.Form):
    """编辑房屋: what a dwelling page changes; the area is parsed by the service."""

    node = forms.IntegerField(
        label=_("楼栋/单元"),
        error_messages={"required": _("请选择楼栋/单元"), "invalid": _("请选择楼栋/单元")},
    )
    room = forms.CharField(label=_("房号"), required=False, max_length=50)  # checked by the service
    use = forms.ChoiceField(label=_("使用情况"), choices=DwellingUse.choices)
    area = forms.CharField(label=_("面积（㎡）"), required=False, max_length=20)
    owner_name = forms.CharField(label=_("产权人"), required=False, max_length=50)
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def values_of(dwelling: Any) -> dict[str, Any]:
        """The form's values for ``dwelling`` as stored (its version in ``updated_at``)."""
        return {
            "node": dwelling.node_id,
            "room": dwelling.room,
            "use": dwelling.use,
            "area": "" if dwelling.area is None else str(dwelling.area),
            "owner_name": dwelling.owner_name,
            "updated_at": dwelling.updated_at.isoformat(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages.setdefault("max_length", _("最多 %(limit_value)d 个字"))
            if name != "node":
                field.error_messages["invalid_choice"] = _("取值无效")
