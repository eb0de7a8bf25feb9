"""Forms of the working-calendar pages. They only parse what was typed; the services check
the values (``rules``) and decide, and their refusals come back next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.workcal import rules

DAY = {"invalid": _("应为有效日期，格式 YYYY-MM-DD"), "required": _("请填写日期")}

KIND_REST = "rest"
KIND_WORK = "work"
KINDS = [(KIND_REST, _("休（放假）")), (KIND_WORK, _("班（调休上班）"))]

# Field codes of the services in Chinese, for a reason without a field of the form.
FIELD_LABELS = {
    "date": _("日期"),
    "name": _("名称"),
    "lines": _("批量录入"),
    "note": _("备注"),
    "year": _("年份"),
}


class VersionedForm(forms.Form):
    """Carries the year's version the page showed (``selectors.year_version``)."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)


class DayForm(VersionedForm):
    date = forms.DateField(label=_("日期"), error_messages=DAY)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=KINDS,
        error_messages={"required": _("请选择 休 或 班"), "invalid_choice": _("请选择 休 或 班")},
    )
    name = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=rules.NAME_MAX,
        error_messages={"max_length": _("名称最多 50 个字")},
    )


class ClearForm(VersionedForm):
    date = forms.DateField(label=_("日期"), error_messages=DAY)


class ConfirmForm(VersionedForm):
    note = forms.CharField(
        label=_("备注"),
        required=False,
        max_length=rules.NOTE_MAX,
        error_messages={"max_length": _("备注最多 255 个字")},
    )
    few_ok = forms.BooleanField(label=_("录入不全仍确认"), required=False)


class SeedForm(VersionedForm):
    agree = forms.BooleanField(
        label=_("我知道载入会替换本年已录入的全部安排"),
        error_messages={"required": _("请先勾选确认：载入会替换本年已录入的全部安排")},
    )


class ImportForm(VersionedForm):
    lines = forms.CharField(
        label=_("批量录入"),
        strip=False,
        widget=forms.Textarea,
        error_messages={"required": _("请填写要录入的安排，每行一条")},
    )
    confirm = forms.BooleanField(label=_("录入后确认全年安排已录入"), required=False)
    few_ok = forms.BooleanField(label=_("录入不全仍确认"), required=False)
