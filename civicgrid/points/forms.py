"""Forms of the community's points pages. They only parse what was typed; the services
validate and decide. A refusal is shown on the form again (``add_service_errors``): each
reason next to its field, with what was typed kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise
from civicgrid.points.models import ActivityType

INTEGER = {"invalid": _("请填写整数")}
NUMBER = {"invalid": _("请填写数字")}

# Field codes of the points services in Chinese, for a reason shown without its form.
FIELD_LABELS = {
    "activity_type": _("服务类型"),
    "amount": _("积分"),
    "base_points": _("基础积分"),
    "code": _("取货码"),
    "community": _("社区"),
    "description": _("说明"),
    "difficulty": _("难度"),
    "difficulty_step": _("难度系数步长"),
    "donor": _("捐赠单位"),
    "expiry_days": _("积分有效期"),
    "fields": _("字段"),
    "goods": _("商品"),
    "holder": _("兑换人"),
    "hours": _("服务时长"),
    "max_points": _("单次上限"),
    "name": _("名称"),
    "node": _("区域"),
    "note": _("说明"),
    "per_person_limit": _("每人限兑"),
    "pickup_days": _("取货码有效期"),
    "points_per_hour": _("每小时积分"),
    "price": _("所需积分"),
    "quantity": _("数量"),
    "reason": _("理由"),
    "source": _("来源"),
    "source_ref": _("来源编号"),
    "stock": _("库存"),
    "unit_label": _("单位"),
}


class RuleForm(forms.Form):
    """设置规则. Ranges and the name's length are checked by ``rule_save``."""

    community = forms.IntegerField(label=_("社区"), error_messages={"required": _("请选择社区"), **INTEGER})
    activity_type = forms.ChoiceField(
        label=_("服务类型"),
        required=False,
        choices=[("", _("默认规则（所有类型）")), *ActivityType.choices],
        error_messages={"invalid_choice": _("未知的服务类型")},
    )
    name = forms.CharField(label=_("规则名称"), required=False)
    base_points = forms.IntegerField(label=_("基础积分"), required=False, error_messages=INTEGER)
    points_per_hour = forms.DecimalField(
        label=_("每小时积分"), error_messages={"required": _("请填写每小时积分"), **NUMBER}
    )
    difficulty_step = forms.DecimalField(
        label=_("难度系数步长"), error_messages={"required": _("请填写难度系数步长"), **NUMBER}
    )
    max_points = forms.IntegerField(label=_("单次上限"), required=False, error_messages=INTEGER)


class PolicyForm(forms.Form):
    """积分有效期. The ranges are checked by ``policy_set``."""

    community = forms.IntegerField(label=_("社区"), error_messages={"required": _("请选择社区"), **INTEGER})
    expiry_days = forms.IntegerField(
        label=_("积分有效期"), error_messages={"required": _("请填写积分有效期"), **INTEGER}
    )
    pickup_days = forms.IntegerField(label=_("取货码有效期"), required=False, error_messages=INTEGER)


def _text(label: StrOrPromise, *, hidden: bool = False) -> forms.CharField:
    """Typed text kept as typed: ``goods_create`` / ``goods_update`` read and check it (numbers
    too), so a refusal is worded as the API words it and shown beside its field."""
    return forms.CharField(label=label, required=False, widget=forms.HiddenInput if hidden else None)


class GoodsForm(forms.Form):
    """上架新商品. Every field is checked by ``goods_create``; a refused form comes back with
    what was typed and each reason beside its field."""

    community = _text(_("社区"))
    name = _text(_("商品名称"))
    price = _text(_("所需积分"))
    stock = _text(_("初始库存"))
    unit_label = _text(_("单位"))
    per_person_limit = _text(_("每人限兑"))
    donor = _text(_("捐赠单位"))
    description = _text(_("说明"))


class GoodsEditForm(forms.Form):
    """商品信息 of one item. ``version`` is the one read (409 when someone saved since)."""

    version = _text(_("版本"), hidden=True)
    name = _text(_("商品名称"))
    description = _text(_("说明"))
    price = _text(_("所需积分"))
    unit_label = _text(_("单位"))
    per_person_limit = _text(_("每人限兑"))
    donor = _text(_("捐赠单位"))
    is_active = forms.BooleanField(label=_("上架"), required=False)


class RestockForm(forms.Form):
    """入库 / 盘点: a quantity (negative for a write-off) and a note, checked by ``goods_restock``."""

    quantity = _text(_("数量"))
    note = _text(_("备注"))
