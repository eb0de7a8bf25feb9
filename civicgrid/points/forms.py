"""Forms of the community's points pages. They only parse what was typed; the services
validate and decide. A refusal is shown on the form again (``add_service_errors``): each
reason next to its field, with what was typed kept."""

from django import forms

from civicgrid.points.models import ActivityType

INTEGER = {"invalid": "请填写整数"}
NUMBER = {"invalid": "请填写数字"}

# Field codes of the points services in Chinese, for a reason shown without its form.
FIELD_LABELS = {
    "activity_type": "服务类型",
    "amount": "积分",
    "base_points": "基础积分",
    "code": "取货码",
    "community": "社区",
    "description": "说明",
    "difficulty": "难度",
    "difficulty_step": "难度系数步长",
    "donor": "捐赠单位",
    "expiry_days": "积分有效期",
    "fields": "字段",
    "goods": "商品",
    "holder": "兑换人",
    "hours": "服务时长",
    "max_points": "单次上限",
    "name": "名称",
    "node": "区域",
    "note": "说明",
    "per_person_limit": "每人限兑",
    "pickup_days": "取货码有效期",
    "points_per_hour": "每小时积分",
    "price": "所需积分",
    "quantity": "数量",
    "reason": "理由",
    "source": "来源",
    "source_ref": "来源编号",
    "stock": "库存",
    "unit_label": "单位",
}


class RuleForm(forms.Form):
    """设置规则. Ranges and the name's length are checked by ``rule_save``."""

    community = forms.IntegerField(label="社区", error_messages={"required": "请选择社区", **INTEGER})
    activity_type = forms.ChoiceField(
        label="服务类型",
        required=False,
        choices=[("", "默认规则（所有类型）"), *ActivityType.choices],
        error_messages={"invalid_choice": "未知的服务类型"},
    )
    name = forms.CharField(label="规则名称", required=False)
    base_points = forms.IntegerField(label="基础积分", required=False, error_messages=INTEGER)
    points_per_hour = forms.DecimalField(
        label="每小时积分", error_messages={"required": "请填写每小时积分", **NUMBER}
    )
    difficulty_step = forms.DecimalField(
        label="难度系数步长", error_messages={"required": "请填写难度系数步长", **NUMBER}
    )
    max_points = forms.IntegerField(label="单次上限", required=False, error_messages=INTEGER)


class PolicyForm(forms.Form):
    """积分有效期. The ranges are checked by ``policy_set``."""

    community = forms.IntegerField(label="社区", error_messages={"required": "请选择社区", **INTEGER})
    expiry_days = forms.IntegerField(
        label="积分有效期", error_messages={"required": "请填写积分有效期", **INTEGER}
    )
    pickup_days = forms.IntegerField(label="取货码有效期", required=False, error_messages=INTEGER)
