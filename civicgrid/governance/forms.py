"""Forms of the governance pages. They only parse what was typed; the services validate and
decide, and a refusal comes back on the form (``add_service_errors``) with the input kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Field codes of the governance services in Chinese, for reasons shown without their form.
FIELD_LABELS = {
    "assisting_units": _("协办单位"),
    "category_prefix": _("分类编码前缀"),
    "deadline": _("完成时限"),
    "description": _("说明"),
    "hot": _("热点"),
    "hot_issue": _("来源热点"),
    "lead_unit": _("牵头单位"),
    "leading_official": _("牵头领导"),
    "month": _("所属月份"),
    "node": _("区域"),
    "note": _("进展说明"),
    "plan": _("工作方案"),
    "progress": _("进度"),
    "status": _("状态"),
    "title": _("任务内容"),
    "unit": _("责任单位"),
    "version": _("版本"),
}


class TaskForm(forms.Form):
    """添加任务 to a topic. Title and deadline are checked by ``task_add``."""

    title = forms.CharField(label=_("任务内容"), required=False)
    unit = forms.IntegerField(
        label=_("责任单位"), required=False, error_messages={"invalid": _("责任单位参数无效")}
    )
    deadline = forms.DateField(
        label=_("完成时限"),
        required=False,
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2026-10-08")},
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
