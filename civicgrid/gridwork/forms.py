"""Forms of the office pages (专项任务、关爱计划). They only parse what was typed; the services
validate and decide. On a refusal the page is shown again with the typed values, each reason
next to its field (``add_service_errors``), and a summary that names fields by their Chinese
label (``error_summary``), never by the code the service uses.
"""

from django import forms

from civicgrid.core import views_forms
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.views_forms import field_label
from civicgrid.requests.forms import add_service_errors

INTEGER = {"invalid": "应为整数"}
DAY = {"invalid": "应为日期（YYYY-MM-DD）"}

# Field codes of the services and look-ups (gridwork.lookups) in Chinese, for a reason that
# arrives without a form field to sit next to (a button that redirects, a summary).
FIELD_LABELS = {
    "answers": "检查项",
    "area": "任务范围",
    "area_id": "区域",
    "assignee": "走访人",
    "care_plan_id": "关爱计划",
    "checklist": "检查清单",
    "description": "工作要求",
    "ended_at": "结束时间",
    "ends_on": "截止日期",
    "grid": "网格",
    "grid_id": "网格",
    "interval_days": "走访周期",
    "kind": "任务类型",
    "name": "任务名称",
    "node": "区域",
    "note": "备注",
    "people_met": "接触群众人次",
    "places": "途经地点",
    "reason": "原因",
    "resident": "居民",
    "resident_id": "居民",
    "starts_on": "开始日期",
    "state": "结果",
    "target": "任务对象",
    "worker": "网格员",
    "worker_id": "网格员",
}


class CampaignLaunchForm(forms.Form):
    """发起专项任务. Name, kind, target, dates and checklist are checked by ``campaign_launch``."""

    name = forms.CharField(label="任务名称", required=False)
    kind = forms.CharField(label="任务类型", required=False)
    area = forms.IntegerField(label="任务范围", required=False, error_messages=INTEGER)
    target = forms.CharField(label="任务对象", required=False)
    starts_on = forms.DateField(label="开始日期", error_messages={**DAY, "required": "请填写开始日期"})
    ends_on = forms.DateField(label="截止日期", error_messages={**DAY, "required": "请填写截止日期"})
    checklist = forms.CharField(label="检查清单", required=False, strip=False, widget=forms.Textarea)
    description = forms.CharField(label="工作要求", required=False, widget=forms.Textarea)


class CarePlanCreateForm(forms.Form):
    resident = forms.IntegerField(label="居民", error_messages={**INTEGER, "required": "请选择居民"})
    interval_days = forms.IntegerField(label="走访周期", required=False, error_messages=INTEGER)


class CarePlanUpdateForm(forms.Form):
    """调整关爱计划: an empty period or assignee leaves it as it is."""

    interval_days = forms.IntegerField(label="走访周期", required=False, error_messages=INTEGER)
    assignee = forms.IntegerField(label="走访人", required=False, error_messages=INTEGER)
    note = forms.CharField(label="备注", required=False)


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
