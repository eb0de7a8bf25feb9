"""What the audit log page shows: each verb in Chinese, and the before/after snapshots as a
readable list instead of Python's ``repr`` of a dict.

``VERB_LABELS`` is the table of every verb the apps write (their ``Verb`` constants; a test
checks that none is missing). Two families are built from other tables: ``requests.<action>``
(the handling actions, ``requests.constants.Action``) and ``admin.<model>_<created|changed|
deleted>`` (changes made in the Django admin). The page keeps the code visible for auditors.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps

VERB_LABELS: dict[str, str] = {
    # accounts
    "accounts.user_created": "新建账号",
    "accounts.user_changed": "修改账号",
    "accounts.role_granted": "授予角色",
    "accounts.role_revoked": "收回角色",
    "accounts.admin_role_set": "设置管理员角色",
    "accounts.token_created": "创建接口令牌",
    "accounts.token_revoked": "吊销接口令牌",
    # admin (besides admin.<model>_<created|changed|deleted>)
    "admin.unit_members_changed": "后台修改单位成员",
    # classifier
    "classifier.trained": "训练智能分类模型",
    "classifier.activated": "启用智能分类模型",
    "classifier.rolled_back": "回退智能分类模型",
    # demo
    "demo.built": "生成演示数据",
    "demo.reset": "重置演示数据",
    # exchange
    "exchange.exported": "导出数据",
    "exchange.import_completed": "导入数据",
    # governance
    "governance.hot_computed": "计算热点问题",
    "governance.topic_created": "立项每月一题",
    "governance.topic_updated": "修改每月一题",
    "governance.task_added": "添加治理任务",
    "governance.task_progress": "更新任务进度",
    "governance.proposal_created": "生成未诉先办建议",
    "governance.proposal_accepted": "采纳未诉先办建议",
    "governance.proposal_dismissed": "不采纳未诉先办建议",
    "governance.spike_raised": "发出诉求突增预警",
    "governance.alert_acknowledged": "知悉诉求突增预警",
    # gridwork
    "gridwork.patrol_started": "开始巡查",
    "gridwork.patrol_ended": "结束巡查",
    "gridwork.patrol_auto_ended": "巡查自动结束",
    "gridwork.patrol_points_added": "记录巡查轨迹",
    "gridwork.finding_recorded": "记录民情",
    "gridwork.visit_recorded": "记录走访",
    "gridwork.care_plan_created": "建立关爱计划",
    "gridwork.care_plan_updated": "调整关爱计划",
    "gridwork.care_plan_ended": "结束关爱计划",
    "gridwork.care_plans_generated": "批量生成关爱计划",
    "gridwork.care_warning_raised": "发出走访预警",
    "gridwork.campaign_launched": "发起专项任务",
    "gridwork.campaign_assigned": "分配专项任务",
    "gridwork.campaign_closed": "结束专项任务",
    "gridwork.campaign_checked": "填报专项任务",
    "gridwork.campaign_exported": "导出专项任务",
    "gridwork.proposal_submitted": "提交信息变更",
    "gridwork.proposal_approved": "同意信息变更",
    "gridwork.proposal_rejected": "驳回信息变更",
    # party
    "party.org_created": "新建党组织",
    "party.org_updated": "修改党组织",
    "party.member_created": "登记党员",
    "party.member_updated": "修改党员信息",
    "party.hub_linked": "设置中心户联系党员",
    "party.hub_unlinked": "解除中心户联系党员",
    "party.contact_linked": "设置党员联系居民",
    "party.contact_unlinked": "解除党员联系居民",
    "party.visit_recorded": "记录困难党员走访",
    "party.report_submitted": "党员报到",
    "party.report_confirmed": "确认党员报到",
    "party.report_rejected": "退回党员报到",
    "party.report_ended": "结束党员报到",
    "party.agreement_signed": "签订共建协议",
    "party.agreement_ended": "终止共建协议",
    "party.agreement_file_added": "上传协议文件",
    "party.committee_member_added": "增补兼职委员",
    "party.committee_member_left": "兼职委员离任",
    "party.meeting_recorded": "记录大党委会议",
    "party.task_done": "完成跟进任务",
    "party.committee_warned": "发出大党委活动预警",
    "party.alliance_created": "成立党建联盟",
    "party.alliance_unit_joined": "单位加入党建联盟",
    "party.alliance_unit_left": "单位退出党建联盟",
    "party.need_created": "登记需求",
    "party.need_closed": "关闭需求",
    "party.need_ordered": "需求转点单",
    "party.resource_created": "登记资源",
    "party.resource_updated": "修改资源",
    "party.project_created": "新建共建项目",
    "party.project_status_changed": "变更项目状态",
    "party.project_contribution_added": "记录项目投入",
    "party.project_photo_added": "上传成效照片",
    "party.imported": "导入党建数据",
    "party.demo_seeded": "生成党建演示数据",
    # points
    "points.earned": "发放积分",
    "points.earned_batch": "批量发放积分",
    "points.hours_banked": "记入时间银行",
    "points.expired": "积分到期",
    "points.adjustment_requested": "申请积分调整",
    "points.adjustment_approved": "批准积分调整",
    "points.adjustment_rejected": "驳回积分调整",
    "points.rule_saved": "保存积分规则",
    "points.policy_set": "设置积分有效期",
    "points.goods_created": "上架商品",
    "points.goods_updated": "修改商品",
    "points.goods_restocked": "调整商品库存",
    "points.redeemed": "兑换商品",
    "points.handed_over": "核销取货",
    "points.redemption_cancelled": "取消兑换",
    "points.redemption_expired": "兑换逾期未取",
    # registry
    "registry.resident_created": "登记居民",
    "registry.resident_updated": "修改居民信息",
    "registry.resident_pii_viewed": "查看居民敏感信息",
    "registry.household_created": "登记户",
    "registry.dwelling_created": "登记房屋",
    "registry.dwelling_updated": "修改房屋信息",
    "registry.organisation_created": "登记单位",
    "registry.organisation_updated": "修改单位信息",
    "registry.organisation_pii_viewed": "查看单位敏感信息",
    "registry.resident_account_opened": "为居民开通账号",
    # requests (besides requests.<action>)
    "requests.received": "受理诉求",
    "requests.catalogue_published": "发布派单目录",
    "requests.demo_history_built": "生成历史演示诉求",
    "requests.history_imported": "导入历史诉求",
    "requests.knowledge_imported": "导入知识库",
    "requests.requester_pii_viewed": "查看诉求人信息",
    "requests.unit_created": "新建承办单位",
    "requests.unit_member_added": "添加单位成员",
    "requests.unit_member_updated": "修改单位成员",
    "requests.dispatch_rule_created": "新建派单规则",
    # territory
    "territory.node_created": "新建区域网格",
    "territory.node_updated": "修改区域网格",
    "territory.node_moved": "调整区域归属",
    "territory.node_deactivated": "停用区域网格",
    "territory.grid_matter_created": "新增网格事项",
    "territory.grid_matter_updated": "修改网格事项",
    "territory.position_created": "设立网格岗位",
    "territory.position_ended": "结束网格岗位",
    # volunteers
    "volunteers.registered": "志愿者注册",
    "volunteers.updated": "修改志愿者信息",
    "volunteers.approved": "志愿者审核通过",
    "volunteers.rejected": "志愿者审核驳回",
    "volunteers.suspended": "暂停志愿者",
    "volunteers.team_created": "成立服务队",
    "volunteers.team_member_added": "加入服务队",
    "volunteers.team_member_removed": "移出服务队",
    "volunteers.activity_published": "发布志愿活动",
    "volunteers.activity_cancelled": "取消志愿活动",
    "volunteers.activity_closed": "志愿活动结项",
    "volunteers.signed_up": "报名志愿活动",
    "volunteers.signup_cancelled": "取消报名",
    "volunteers.signup_promoted": "候补转为报名",
    "volunteers.checked_in": "活动签到",
    "volunteers.checked_out": "活动签退",
    "volunteers.order_created": "点单",
    "volunteers.order_published": "发布服务单",
    "volunteers.order_dispatched": "派单",
    "volunteers.order_taken": "接单",
    "volunteers.order_released": "退回服务单",
    "volunteers.order_completed": "完成服务",
    "volunteers.order_confirmed": "确认服务并评价",
    "volunteers.order_reopened": "服务重办",
    "volunteers.order_cancelled": "取消服务单",
    "volunteers.order_board_set": "设置晒单",
    "volunteers.demo_built": "生成志愿服务演示数据",
    # workcal
    "workcal.day_set": "设置工作日/节假日",
    "workcal.day_cleared": "恢复默认工作日",
    "workcal.year_seeded": "生成年度工作日历",
    "workcal.year_confirmed": "确认年度工作日历",
}

ADMIN_ACTIONS = {"created": "新增", "changed": "修改", "deleted": "删除"}
YES, NO, EMPTY = "是", "否", "空"


@cache
def _action_labels() -> dict[str, str]:
    from civicgrid.requests.constants import Action  # the page's own import: core needs no app

    return {str(value): str(label) for value, label in Action.choices}


@cache
def _model_name(model_name: str) -> str:
    for model in apps.get_models():
        if model._meta.model_name == model_name:
            return str(model._meta.verbose_name)
    return ""


def verb_label(verb: str) -> str:
    """The verb in Chinese, "" when there is none (the page then shows the code alone)."""
    if verb in VERB_LABELS:
        return VERB_LABELS[verb]
    app, _, action = verb.partition(".")
    if app == "requests" and (label := _action_labels().get(action)):
        return f"诉求{label}"
    if app == "admin":
        model, _, what = action.rpartition("_")
        if what in ADMIN_ACTIONS and (name := _model_name(model)):
            return f"后台{ADMIN_ACTIONS[what]}{name}"
    return ""


def verb_choices(verbs: list[str]) -> list[tuple[str, str]]:
    """(code, "label（code）") for the filter, in the order given."""
    return [(v, f"{label}（{v}）" if (label := verb_label(v)) else v) for v in verbs]


# --- before / after --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str  # the field's Chinese name where the target's model has that field, else the key
    code: str  # the key as stored
    value: str


def value_text(value: Any) -> str:
    """JSON-ish, for people: 是/否 for true/false, 空 for null or "", lists joined with 、."""
    if value is None or value == "":
        return EMPTY
    if value is True:
        return YES
    if value is False:
        return NO
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) if value else "（无）"
    if isinstance(value, Mapping):
        return "{" + "，".join(f"{k}：{value_text(v)}" for k, v in value.items()) + "}" if value else "（无）"
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


@cache
def _fields(target_type: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Key → (the field's Chinese name, its choices' labels) for the target's model."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for field in model._meta.get_fields():
        label = getattr(field, "verbose_name", None)
        if label is None:
            continue
        choices = {str(v): str(lbl) for v, lbl in getattr(field, "flatchoices", None) or []}
        found[field.name] = (str(label), choices)
        attname = getattr(field, "attname", None)
        if attname and attname != field.name:
            found[attname] = (str(label), choices)
    return found


def change_items(snapshot: Any, target_type: str = "") -> list[Item]:
    """A before/after snapshot as rows of key: value (empty when there is none). Keys of the
    target's model read as its fields' names, and a choice as its label (状态：进行中)."""
    if snapshot is None:
        return []
    if not isinstance(snapshot, Mapping):
        return [Item("", "", value_text(snapshot))]
    fields = _fields(target_type) if target_type else {}
    items = []
    for key, value in snapshot.items():
        label, choices = fields.get(str(key), (str(key), {}))
        shown = choices.get(str(value)) if isinstance(value, str) else None
        items.append(Item(label, str(key), shown or value_text(value)))
    return items
