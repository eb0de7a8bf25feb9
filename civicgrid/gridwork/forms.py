"""Forms of the office pages (专项任务、关爱计划). They only parse what was typed; the services
validate and decide. On a refusal the page is shown again with the typed values, each reason
next to its field (``add_service_errors``), and a summary that names fields by their Chinese
label (``error_summary``), never by the code the service uses.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core import views_forms
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.views_forms import field_label
from civicgrid.requests.forms import add_service_errors

INTEGER = {"invalid": _("应为整数")}
DAY = {"invalid": _("应为日期（YYYY-MM-DD）")}

# Field codes of the services and look-ups (gridwork.lookups) in Chinese, for a reason that
# arrives without a form field to sit next to (a button that redirects, a summary).
FIELD_LABELS = {
    "answers": _("检查项"),
    "area": _("任务范围"),
    "area_id": _("区域"),
    "assignee": _("走访人"),
    "care_plan_id": _("关爱计划"),
    "checklist": _("检查清单"),
    "description": _("工作要求"),
    "ended_at": _("结束时间"),
    "ends_on": _("截止日期"),
    "grid": _("网格"),
    "grid_id": _("网格"),
    "interval_days": _("走访周期"),
    "kind": _("任务类型"),
    "name": _("任务名称"),
    "node": _("区域"),
    "note": _("备注"),
    "people_met": _("接触群众人次"),
    "places": _("途经地点"),
    "reason": _("原因"),
    "resident": _("居民"),
    "resident_id": _("居民"),
    "starts_on": _("开始日期"),
    "state": _("结果"),
    "target": _("任务对象"),
    "worker": _("网格员"),
    "worker_id": _("网格员"),
}


class CampaignLaunchForm(forms.Form):
    """发起专项任务. Name, kind, target, dates and checklist are checked by ``campaign_launch``."""

    name = forms.CharField(label=_("任务名称"), required=False)
    kind = forms.CharField(label=_("任务类型"), required=False)
    area = forms.IntegerField(label=_("任务范围"), required=False, error_messages=INTEGER)
    target = forms.CharField(label=_("任务对象"), required=False)
    starts_on = forms.DateField(label=_("开始日期"), error_messages={**DAY, "required": _("请填写开始日期")})
    ends_on = forms.DateField(label=_("截止日期"), error_messages={**DAY, "required": _("请填写截止日期")})
    checklist = forms.CharField(label=_("检查清单"), required=False, strip=False, widget=forms.Textarea)
    description = forms.CharField(label=_("工作要求"), required=False, widget=forms.Textarea)


class CarePlanCreateForm(forms.Form):
    resident = forms.IntegerField(label=_("居民"), error_messages={**INTEGER, "required": _("请选择居民")})
    interval_days = forms.IntegerField(label=_("走访周期"), required=False, error_messages=INTEGER)


class CarePlanUpdateForm(forms.Form):
    """调整关爱计划: an empty period or assignee leaves it as it is."""

    interval_days = forms.IntegerField(label=_("走访周期"), required=False, error_messages=INTEGER)
    assignee = forms.IntegerField(label=_("走访人"), required=False, error_messages=INTEGER)
    note = forms.CharField(label=_("备注"), required=False)


def attach_errors(form: forms.Form, exc: CivicError) -> None:
    """``add_service_errors``, with a reason about a field the form lacks named by its label."""
    errors = exc.errors if isinstance(exc, ValidationError) else {}
    shown = {name: reasons for name, reasons in errors.items() if name in form.fields}
    for name, reasons in errors.items():
        if name not in shown:
            for reason in reasons:
                form.add_error(None, f"{field_label(name, FIELD_LABELS, form)}：{reason}")
    if shown or not errors:
        add_service_errors(form, ValidationError(errors=shown) if shown else exc)


def error_summary(form: forms.Form) -> str:
    return views_forms.error_summary(form, FIELD_LABELS)


def labelled(exc: CivicError, form: forms.Form | None = None) -> str:
    """A service's refusal as one message for a page that has no form to show it on."""
    return views_forms.labelled(exc, FIELD_LABELS, form)
