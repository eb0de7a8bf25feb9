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
    "accuracy": _("定位精度"),
    "address": _("地点"),
    "answers": _("检查项"),
    "follow": _("跟进的诉求"),
    "area": _("任务范围"),
    "area_id": _("区域"),
    "assignee": _("走访人"),
    "at": _("定位时间"),
    "care_plan": _("关爱对象"),
    "care_plan_id": _("关爱计划"),
    "category": _("问题类别"),
    "checked_at": _("填报时间"),
    "checklist": _("检查清单"),
    "client_key": _("条目编号"),
    "description": _("工作要求"),
    "dwelling": _("房屋"),
    "dwelling_id": _("房屋"),
    "ended_at": _("结束时间"),
    "ends_on": _("截止日期"),
    "found": _("走访情况"),
    "gender": _("性别"),
    "grid": _("网格"),
    "grid_id": _("网格"),
    "handled_note": _("现场处理情况"),
    "household": _("户"),
    "household_id": _("户"),
    "id_number": _("身份证号"),
    "interval_days": _("走访周期"),
    "is_active": _("在册状态"),
    "kind": _("任务类型"),
    "lat": _("地点"),
    "lon": _("地点"),
    "name": _("任务名称"),
    "needs": _("困难与诉求"),
    "node": _("区域"),
    "note": _("备注"),
    "observed_at": _("发现时间"),
    "outcome": _("处理方式"),
    "patrol_key": _("巡查"),
    "people_met": _("接触群众人次"),
    "phone": _("联系电话"),
    "photos": _("照片"),
    "places": _("途经地点"),
    "points": _("轨迹点"),
    "reason": _("原因"),
    "relation_to_head": _("与户主关系"),
    "request_type": _("诉求类型"),
    "residence_type": _("人口类型"),
    "resident": _("居民"),
    "resident_id": _("居民"),
    "room": _("房号"),
    "started_at": _("开始时间"),
    "starts_on": _("开始日期"),
    "state": _("结果"),
    "tag": _("标签"),
    "tags": _("标签"),
    "target": _("任务对象"),
    "urgency": _("紧急程度"),
    "use": _("使用情况"),
    "visited_at": _("走访时间"),
    "wellbeing": _("情况"),
    "worker": _("网格员"),
    "worker_id": _("网格员"),
}

# A proposal's fields where the same code means something else than on a campaign.
PROPOSAL_LABELS = FIELD_LABELS | {
    "kind": _("变更类型"),
    "name": _("姓名"),
    "reason": _("情况说明"),
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
