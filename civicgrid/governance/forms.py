"""Forms of the governance pages. They only parse what was typed; the services validate and
decide, and a refusal comes back on the form (``add_service_errors``) with the input kept."""

from django import forms

# Field codes of the governance services in Chinese, for reasons shown without their form.
FIELD_LABELS = {
    "assisting_units": "协办单位",
    "category_prefix": "分类编码前缀",
    "deadline": "完成时限",
    "description": "说明",
    "hot": "热点",
    "hot_issue": "来源热点",
    "lead_unit": "牵头单位",
    "leading_official": "牵头领导",
    "month": "所属月份",
    "node": "区域",
    "note": "进展说明",
    "plan": "工作方案",
    "progress": "进度",
    "status": "状态",
    "title": "任务内容",
    "unit": "责任单位",
    "version": "版本",
}


class TaskForm(forms.Form):
    """添加任务 to a topic. Title and deadline are checked by ``task_add``."""

    title = forms.CharField(label="任务内容", required=False)
    unit = forms.IntegerField(
        label="责任单位", required=False, error_messages={"invalid": "责任单位参数无效"}
    )
    deadline = forms.DateField(
        label="完成时限",
        required=False,
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD，例如 2026-10-08"},
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea)
