"""What the audit log page shows: each verb in Chinese, and the before/after snapshots as a
readable list instead of Python's ``repr`` of a dict.

``VERB_LABELS`` is the table of every verb the apps write (their ``Verb`` constants; a test
checks that none is missing). Two families are built from other tables: ``requests.<action>``
(the handling actions, ``requests.constants.Action``) and ``admin.<model>_<created|changed|
deleted>`` (changes made in the Django admin). The page keeps the code visible for auditors.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.i18n import StrOrPromise

VERB_LABELS: dict[str, StrOrPromise] = {
    # core
    "core.pii_rotated": gettext_lazy("更换个人信息密钥（重新加密）"),
    "core.audit_searched": gettext_lazy("检索审计日志"),
    # accounts
    "accounts.user_created": gettext_lazy("新建账号"),
    "accounts.user_changed": gettext_lazy("修改账号"),
    "accounts.user_deleted": gettext_lazy("删除账号"),
    "accounts.password_changed": gettext_lazy("本人修改密码"),
    "accounts.logged_in": gettext_lazy("登录"),
    "accounts.logged_out": gettext_lazy("退出登录"),
    "accounts.session_expired": gettext_lazy("闲置超时退出登录"),
    "accounts.login_failed": gettext_lazy("登录失败"),
    "accounts.login_unlocked": gettext_lazy("解除登录锁定"),
    "accounts.role_granted": gettext_lazy("授予角色"),
    "accounts.role_revoked": gettext_lazy("收回角色"),
    "accounts.admin_role_set": gettext_lazy("设置管理员角色"),
    "accounts.password_set": gettext_lazy("管理员重设密码"),
    "accounts.token_created": gettext_lazy("创建接口令牌"),
    "accounts.token_revoked": gettext_lazy("吊销接口令牌"),
    "accounts.signed_out": gettext_lazy("强制下线"),
    # admin (besides admin.<model>_<created|changed|deleted>)
    "admin.unit_members_changed": gettext_lazy("后台修改单位成员"),
    # classifier
    "classifier.trained": gettext_lazy("训练智能分类模型"),
    "classifier.activated": gettext_lazy("启用智能分类模型"),
    "classifier.rolled_back": gettext_lazy("回退智能分类模型"),
    # demo
    "demo.built": gettext_lazy("生成演示数据"),
    "demo.reset": gettext_lazy("重置演示数据"),
    # exchange
    "exchange.exported": gettext_lazy("导出数据"),
    "exchange.export_downloaded": gettext_lazy("下载后台导出的文件"),
    "exchange.export_cancelled": gettext_lazy("取消后台导出"),
    "exchange.import_completed": gettext_lazy("导入数据"),
    # governance
    "governance.hot_computed": gettext_lazy("计算热点问题"),
    "governance.topic_created": gettext_lazy("立项每月一题"),
    "governance.topic_updated": gettext_lazy("修改每月一题"),
    "governance.task_added": gettext_lazy("添加治理任务"),
    "governance.task_progress": gettext_lazy("更新任务进度"),
    "governance.proposal_created": gettext_lazy("生成未诉先办建议"),
    "governance.proposal_accepted": gettext_lazy("采纳未诉先办建议"),
    "governance.proposal_dismissed": gettext_lazy("不采纳未诉先办建议"),
    "governance.spike_raised": gettext_lazy("发出诉求突增预警"),
    "governance.alert_acknowledged": gettext_lazy("知悉诉求突增预警"),
    # gridwork
    "gridwork.patrol_started": gettext_lazy("开始巡查"),
    "gridwork.patrol_ended": gettext_lazy("结束巡查"),
    "gridwork.patrol_auto_ended": gettext_lazy("巡查自动结束"),
    "gridwork.patrol_points_added": gettext_lazy("记录巡查轨迹"),
    "gridwork.finding_recorded": gettext_lazy("记录民情"),
    "gridwork.visit_recorded": gettext_lazy("记录走访"),
    "gridwork.care_plan_created": gettext_lazy("建立关爱计划"),
    "gridwork.care_plan_updated": gettext_lazy("调整关爱计划"),
    "gridwork.care_plan_ended": gettext_lazy("结束关爱计划"),
    "gridwork.care_plans_generated": gettext_lazy("批量生成关爱计划"),
    "gridwork.care_warning_raised": gettext_lazy("发出走访预警"),
    "gridwork.campaign_launched": gettext_lazy("发起专项任务"),
    "gridwork.campaign_assigned": gettext_lazy("分配专项任务"),
    "gridwork.campaign_closed": gettext_lazy("结束专项任务"),
    "gridwork.campaign_checked": gettext_lazy("填报专项任务"),
    "gridwork.campaign_exported": gettext_lazy("导出专项任务"),
    "gridwork.proposal_submitted": gettext_lazy("提交信息变更"),
    "gridwork.proposal_approved": gettext_lazy("同意信息变更"),
    "gridwork.proposal_rejected": gettext_lazy("驳回信息变更"),
    # notify
    "notify.retried": gettext_lazy("重发通知"),
    # party
    "party.org_created": gettext_lazy("新建党组织"),
    "party.org_updated": gettext_lazy("修改党组织"),
    "party.member_created": gettext_lazy("登记党员"),
    "party.member_updated": gettext_lazy("修改党员信息"),
    "party.hub_linked": gettext_lazy("设置中心户联系党员"),
    "party.hub_unlinked": gettext_lazy("解除中心户联系党员"),
    "party.contact_linked": gettext_lazy("设置党员联系居民"),
    "party.contact_unlinked": gettext_lazy("解除党员联系居民"),
    "party.visit_recorded": gettext_lazy("记录困难党员走访"),
    "party.report_submitted": gettext_lazy("党员报到"),
    "party.report_confirmed": gettext_lazy("确认党员报到"),
    "party.report_rejected": gettext_lazy("退回党员报到"),
    "party.report_ended": gettext_lazy("结束党员报到"),
    "party.agreement_signed": gettext_lazy("签订共建协议"),
    "party.agreement_ended": gettext_lazy("终止共建协议"),
    "party.agreement_file_added": gettext_lazy("上传协议文件"),
    "party.agreement_phone_viewed": gettext_lazy("查看共建协议联系人电话"),
    "party.member_phone_viewed": gettext_lazy("查看党员电话"),
    "party.committee_member_added": gettext_lazy("增补兼职委员"),
    "party.committee_member_left": gettext_lazy("兼职委员离任"),
    "party.meeting_recorded": gettext_lazy("记录大党委会议"),
    "party.task_done": gettext_lazy("完成跟进任务"),
    "party.committee_warned": gettext_lazy("发出大党委活动预警"),
    "party.committee_warning_resolved": gettext_lazy("大党委活动预警已消除（补记会议）"),
    "party.alliance_created": gettext_lazy("成立党建联盟"),
    "party.alliance_unit_joined": gettext_lazy("单位加入党建联盟"),
    "party.alliance_unit_left": gettext_lazy("单位退出党建联盟"),
    "party.need_created": gettext_lazy("登记需求"),
    "party.need_closed": gettext_lazy("关闭需求"),
    "party.need_ordered": gettext_lazy("需求转点单"),
    "party.need_unordered": gettext_lazy("需求的服务单均已取消"),
    "party.need_done": gettext_lazy("需求已完成"),
    "party.resource_created": gettext_lazy("登记资源"),
    "party.resource_updated": gettext_lazy("修改资源"),
    "party.project_created": gettext_lazy("新建共建项目"),
    "party.project_status_changed": gettext_lazy("变更项目状态"),
    "party.project_contribution_added": gettext_lazy("记录项目投入"),
    "party.project_photo_added": gettext_lazy("上传成效照片"),
    "party.imported": gettext_lazy("导入党建数据"),
    "party.demo_seeded": gettext_lazy("生成党建演示数据"),
    # points
    "points.earned": gettext_lazy("发放积分"),
    "points.earned_batch": gettext_lazy("批量发放积分"),
    "points.hours_banked": gettext_lazy("记入时间银行"),
    "points.expired": gettext_lazy("积分到期"),
    "points.adjustment_requested": gettext_lazy("申请积分调整"),
    "points.adjustment_approved": gettext_lazy("批准积分调整"),
    "points.adjustment_rejected": gettext_lazy("驳回积分调整"),
    "points.rule_saved": gettext_lazy("保存积分规则"),
    "points.policy_set": gettext_lazy("设置积分有效期"),
    "points.goods_created": gettext_lazy("上架商品"),
    "points.goods_updated": gettext_lazy("修改商品"),
    "points.goods_restocked": gettext_lazy("调整商品库存"),
    "points.redeemed": gettext_lazy("兑换商品"),
    "points.handed_over": gettext_lazy("核销取货"),
    "points.redemption_cancelled": gettext_lazy("取消兑换"),
    "points.redemption_expired": gettext_lazy("兑换逾期未取"),
    # registry
    "registry.resident_created": gettext_lazy("登记居民"),
    "registry.resident_updated": gettext_lazy("修改居民信息"),
    "registry.resident_pii_viewed": gettext_lazy("查看居民敏感信息"),
    "registry.resident_pii_searched": gettext_lazy("按身份证号/手机号查询居民"),
    "registry.resident_pii_refused": gettext_lazy("查看居民敏感信息被拒绝"),
    "registry.resident_sensitive_listed": gettext_lazy("按敏感标签列出居民"),
    "registry.household_created": gettext_lazy("登记户"),
    "registry.dwelling_created": gettext_lazy("登记房屋"),
    "registry.dwelling_updated": gettext_lazy("修改房屋信息"),
    "registry.organisation_created": gettext_lazy("登记单位"),
    "registry.organisation_updated": gettext_lazy("修改单位信息"),
    "registry.organisation_pii_viewed": gettext_lazy("查看单位敏感信息"),
    "registry.resident_account_opened": gettext_lazy("为居民开通账号"),
    # requests (besides requests.<action>)
    "requests.received": gettext_lazy("受理诉求"),
    "requests.catalogue_published": gettext_lazy("发布派单目录"),
    "requests.demo_history_built": gettext_lazy("生成历史演示诉求"),
    "requests.history_imported": gettext_lazy("导入历史诉求"),
    "requests.merge_followed": gettext_lazy("重复件随主件改合并"),
    "requests.phone_searched": gettext_lazy("按手机号查询诉求"),
    "requests.caller_history_viewed": gettext_lazy("查询来电历史诉求"),
    "requests.knowledge_imported": gettext_lazy("导入知识库"),
    "requests.requester_pii_viewed": gettext_lazy("查看诉求人信息"),
    "requests.requester_pii_refused": gettext_lazy("查看诉求人信息被拒绝"),
    "requests.unit_created": gettext_lazy("新建承办单位"),
    "requests.unit_member_added": gettext_lazy("添加单位成员"),
    "requests.unit_member_updated": gettext_lazy("修改单位成员"),
    "requests.dispatch_rule_created": gettext_lazy("新建派单规则"),
    # territory
    "territory.node_created": gettext_lazy("新建区域网格"),
    "territory.node_updated": gettext_lazy("修改区域网格"),
    "territory.node_moved": gettext_lazy("调整区域归属"),
    "territory.node_deactivated": gettext_lazy("停用区域网格"),
    "territory.grid_matter_created": gettext_lazy("新增网格事项"),
    "territory.grid_matter_updated": gettext_lazy("修改网格事项"),
    "territory.position_created": gettext_lazy("设立网格岗位"),
    "territory.position_ended": gettext_lazy("结束网格岗位"),
    # volunteers
    "volunteers.registered": gettext_lazy("志愿者注册"),
    "volunteers.certificate_issued": gettext_lazy("出具志愿服务记录证明"),
    "volunteers.updated": gettext_lazy("修改志愿者信息"),
    "volunteers.approved": gettext_lazy("志愿者审核通过"),
    "volunteers.rejected": gettext_lazy("志愿者审核驳回"),
    "volunteers.suspended": gettext_lazy("暂停志愿者"),
    "volunteers.team_created": gettext_lazy("成立服务队"),
    "volunteers.team_member_added": gettext_lazy("加入服务队"),
    "volunteers.team_member_removed": gettext_lazy("移出服务队"),
    "volunteers.activity_published": gettext_lazy("发布志愿活动"),
    "volunteers.activity_updated": gettext_lazy("修改志愿活动"),
    "volunteers.activity_cancelled": gettext_lazy("取消志愿活动"),
    "volunteers.activity_closed": gettext_lazy("志愿活动结项"),
    "volunteers.signed_up": gettext_lazy("报名志愿活动"),
    "volunteers.signup_cancelled": gettext_lazy("取消报名"),
    "volunteers.signup_promoted": gettext_lazy("候补转为报名"),
    "volunteers.checked_in": gettext_lazy("活动签到"),
    "volunteers.checked_out": gettext_lazy("活动签退"),
    "volunteers.order_created": gettext_lazy("点单"),
    "volunteers.order_published": gettext_lazy("发布服务单"),
    "volunteers.order_dispatched": gettext_lazy("派单"),
    "volunteers.order_taken": gettext_lazy("接单"),
    "volunteers.order_released": gettext_lazy("退回服务单"),
    "volunteers.order_completed": gettext_lazy("完成服务"),
    "volunteers.order_confirmed": gettext_lazy("确认服务并评价"),
    "volunteers.order_reopened": gettext_lazy("服务重办"),
    "volunteers.order_cancelled": gettext_lazy("取消服务单"),
    "volunteers.order_board_set": gettext_lazy("设置晒单"),
    "volunteers.demo_built": gettext_lazy("生成志愿服务演示数据"),
    "property.contract_started": gettext_lazy("物业进驻小区"),
    "property.contract_ended": gettext_lazy("物业退出小区"),
    "property.profile_set": gettext_lazy("设置小区物业档案"),
    "property.inspection_recorded": gettext_lazy("记录物业检查"),
    "property.credit_awarded": gettext_lazy("物业信用加分"),
    "property.credit_deducted": gettext_lazy("物业信用扣分"),
    "property.committee_created": gettext_lazy("成立业主委员会"),
    "property.member_added": gettext_lazy("业委会成员任职"),
    "property.demo_built": gettext_lazy("生成红色物业演示数据"),
    "property.member_ended": gettext_lazy("业委会成员离任"),
    "property.credit_reversed": gettext_lazy("物业信用冲正"),
    "property.inspection_voided": gettext_lazy("作废物业检查记录"),
    "property.contract_voided": gettext_lazy("撤销物业进驻录入"),
    "property.member_linked": gettext_lazy("业委会成员关联居民档案"),
    "property.committee_term_corrected": gettext_lazy("更正业委会任期"),
    # workcal
    "workcal.day_set": gettext_lazy("设置工作日/节假日"),
    "workcal.day_cleared": gettext_lazy("恢复默认工作日"),
    "workcal.year_seeded": gettext_lazy("生成年度工作日历"),
    "workcal.year_confirmed": gettext_lazy("确认年度工作日历"),
}

ADMIN_ACTIONS = {
    "created": gettext_lazy("新增"),
    "changed": gettext_lazy("修改"),
    "deleted": gettext_lazy("删除"),
}
YES, NO, EMPTY = gettext_lazy("是"), gettext_lazy("否"), gettext_lazy("空")


# The cached tables keep lazy labels: each use renders them in the active language.
@cache
def _action_labels() -> dict[str, StrOrPromise]:
    from civicgrid.requests.constants import Action  # the page's own import: core needs no app

    return {str(value): label for value, label in Action.choices}


@cache
def _model_name(model_name: str) -> StrOrPromise:
    for model in apps.get_models():
        if model._meta.model_name == model_name:
            return model._meta.verbose_name or ""
    return ""


def verb_label(verb: str) -> str:
    """The verb in Chinese, "" when there is none (the page then shows the code alone)."""
    if verb in VERB_LABELS:
        return str(VERB_LABELS[verb])
    app, _, action = verb.partition(".")
    if app == "requests" and (label := _action_labels().get(action)):
        return gettext("诉求{action}").format(action=label)
    if app == "admin":
        model, _, what = action.rpartition("_")
        if what in ADMIN_ACTIONS and (name := _model_name(model)):
            return gettext("后台{action}{model}").format(action=ADMIN_ACTIONS[what], model=name)
    return ""


def verb_choices(verbs: list[str]) -> list[tuple[str, str]]:
    """(code, "label（code）") for the filter, in the order given."""
    return [(v, f"{label}（{v}）" if (label := verb_label(v)) else v) for v in verbs]


def known_verbs() -> list[str]:
    """Every verb the apps write that has a label (``VERB_LABELS``), for the 操作 filter, so
    a verb shows there before its first row is written."""
    return list(VERB_LABELS)


# The 操作 filter's group "全部个人信息查看": every read, reveal or search of personal
# information (and a refused one), by the verb's ending.
PII_GROUP = "@pii"
PII_VERB_ENDINGS = (
    "_pii_viewed",
    "_pii_searched",
    "_pii_refused",
    "_phone_viewed",
    ".phone_searched",
    ".caller_history_viewed",
    "_sensitive_listed",
)


def pii_verbs() -> list[str]:
    return [v for v in VERB_LABELS if v.endswith(PII_VERB_ENDINGS)]


# --- before / after --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str  # the field's Chinese name where the target's model has that field, else the key
    code: str  # the key as stored
    value: str


def value_text(value: Any) -> str:
    """JSON-ish, for people: 是/否 for true/false, 空 for null or "", lists joined with 、."""
    if value is None or value == "":
        return str(EMPTY)
    if value is True:
        return str(YES)
    if value is False:
        return str(NO)
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) if value else gettext("（无）")
    if isinstance(value, Mapping):
        if not value:
            return gettext("（无）")
        if set(value) == {"id", "label"}:  # a row named in the snapshot: 张三 110***1234（5）
            return f"{value_text(value['label'])}（{value_text(value['id'])}）"
        return (
            "{"
            + "，".join(f"{key_word(str(k))}{gettext('：')}{_coded(str(k), v, {})}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


Fields = dict[str, tuple[StrOrPromise, dict[str, StrOrPromise], Any]]


@cache
def _fields(target_type: str) -> Fields:
    """Key → (the field's Chinese name, its choices' labels, the model a key refers to) for
    the target's model."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    found: Fields = {}
    for field in model._meta.get_fields():
        label = getattr(field, "verbose_name", None)
        if label is None or _unnamed(field, label):
            continue
        choices = {str(v): lbl for v, lbl in getattr(field, "flatchoices", None) or []}
        related = field.related_model if getattr(field, "many_to_one", False) else None
        found[field.name] = (label, choices, related)
        attname = getattr(field, "attname", None)
        if attname and attname != field.name:
            found[attname] = (label, choices, related)
    return found


def _unnamed(field: Any, label: Any) -> bool:
    """Whether ``label`` is only Django's default from the field's name ("members" for
    ``members``): nothing a person reads, so another key or the raw one is shown instead."""
    return not isinstance(label, Promise) and str(label) == field.name.replace("_", " ")


# Names services list in ``{"fields": [...]}`` (a phone or ID number revealed, a requester's
# contact changed) that are no field of the target's model: the model keeps them encrypted
# (``*_enc``), shown under these words.
FIELD_WORDS: dict[str, StrOrPromise] = {
    "requester_name": gettext_lazy("诉求人姓名"),
    "requester_phone": gettext_lazy("诉求人电话"),
    "id_number": gettext_lazy("身份证号"),
    "phone": gettext_lazy("联系电话"),
    "contact_phone": gettext_lazy("联系电话"),
}


def field_word(name: str, target_type: str = "") -> str:
    """A field name of ``target_type`` as a person reads it, or the name when none is known."""
    entry = _fields(target_type).get(name) if target_type else None
    return str(entry[0] if entry else FIELD_WORDS.get(name, name))


# Every key the apps write into a before/after snapshot beside their target's own fields (a
# test collects them from the ``audit_write`` calls), and the keys nested in one (a search's
# filters, a demo's counts): read as words, not codes (a tester saw ``role：grid_worker``,
# ``kind：id_number``, ``filters：{verb：pii}``).
KEY_WORDS: dict[str, StrOrPromise] = {
    "account": gettext_lazy("积分账户"),
    "active": gettext_lazy("启用"),
    "active_tokens": gettext_lazy("有效令牌数"),
    "activity_type": gettext_lazy("活动类型"),
    "actor": gettext_lazy("操作人"),
    "added": gettext_lazy("新增数"),
    "added_leaves": gettext_lazy("新增三级分类数"),
    "admin_role": gettext_lazy("管理员角色"),
    "agreements": gettext_lazy("共建协议数"),
    "alliance": gettext_lazy("党建联盟"),
    "alliances": gettext_lazy("党建联盟数"),
    "amount": gettext_lazy("数量"),
    "answers": gettext_lazy("填报内容"),
    "attempts": gettext_lazy("尝试次数"),
    "at": gettext_lazy("时间"),
    "awards": gettext_lazy("加分数"),
    "base_points": gettext_lazy("基础积分"),
    "campaign": gettext_lazy("专项任务"),
    "caption": gettext_lazy("说明"),
    "care_plan": gettext_lazy("关爱计划"),
    "category": gettext_lazy("分类"),
    "channel": gettext_lazy("渠道"),
    "check_ins_voided": gettext_lazy("作废签到数"),
    "colour": gettext_lazy("颜色"),
    "columns": gettext_lazy("列"),
    "committee": gettext_lazy("委员会"),
    "committees": gettext_lazy("业委会数"),
    "contact": gettext_lazy("联系人"),
    "contacts": gettext_lazy("联系居民数"),
    "contracts": gettext_lazy("物业进驻数"),
    "contribution": gettext_lazy("投入"),
    "count": gettext_lazy("数量"),
    "counts": gettext_lazy("各类数量"),
    "created": gettext_lazy("新建数"),
    "current": gettext_lazy("原版本"),
    "date_from": gettext_lazy("开始日期"),
    "date_to": gettext_lazy("结束日期"),
    "days": gettext_lazy("天数"),
    "deadline": gettext_lazy("期限"),
    "deducted": gettext_lazy("扣分数"),
    "delta": gettext_lazy("变化量"),
    "difficulty_step": gettext_lazy("难度加分"),
    "distance_m": gettext_lazy("距离（米）"),
    "donor": gettext_lazy("捐赠方"),
    "due_on": gettext_lazy("应走访日期"),
    "duties": gettext_lazy("职责"),
    "dwellings": gettext_lazy("房屋数"),
    "email": gettext_lazy("电子邮箱"),
    "end_date": gettext_lazy("结束日期"),
    "ended_at": gettext_lazy("结束时间"),
    "ended_on": gettext_lazy("结束日期"),
    "ends_at": gettext_lazy("结束时间"),
    "events": gettext_lazy("办理记录数"),
    "evidence": gettext_lazy("依据"),
    "exits": gettext_lazy("物业退出数"),
    "expected": gettext_lazy("预期数"),
    "expires_at": gettext_lazy("到期时间"),
    "expiry_days": gettext_lazy("有效天数"),
    "field": gettext_lazy("字段"),
    "fields": gettext_lazy("涉及字段"),
    "file": gettext_lazy("文件"),
    "file_name": gettext_lazy("文件名"),
    "filters": gettext_lazy("筛选条件"),
    "followed": gettext_lazy("跟进"),
    "form": gettext_lazy("格式"),
    "full_name": gettext_lazy("姓名"),
    "goods": gettext_lazy("商品"),
    "grid": gettext_lazy("网格"),
    "grid_matters": gettext_lazy("网格事项数"),
    "held_at": gettext_lazy("会议时间"),
    "help_given": gettext_lazy("帮扶情况"),
    "hits": gettext_lazy("命中数"),
    "hours": gettext_lazy("时长（小时）"),
    "household": gettext_lazy("户"),
    "households": gettext_lazy("户数"),
    "hub": gettext_lazy("中心户"),
    "hub_links": gettext_lazy("中心户联系数"),
    "id": gettext_lazy("编号"),
    "idle_minutes": gettext_lazy("闲置分钟数"),
    "inspections": gettext_lazy("检查数"),
    "is_active": gettext_lazy("启用"),
    "is_approver": gettext_lazy("审核人"),
    "is_integration": gettext_lazy("系统对接账号"),
    "is_leader": gettext_lazy("队长"),
    "issues": gettext_lazy("问题数"),
    "items": gettext_lazy("事项"),
    "job": gettext_lazy("后台任务"),
    "joined_on": gettext_lazy("加入日期"),
    "changed_leaves": gettext_lazy("修改三级分类数"),
    "kept_codes": gettext_lazy("沿用编码数"),
    "kind": gettext_lazy("类型"),
    "label": gettext_lazy("名称"),
    "last_error": gettext_lazy("最近错误"),
    "leaves": gettext_lazy("三级分类数"),
    "left_on": gettext_lazy("退出日期"),
    "light": gettext_lazy("亮灯"),
    "lines": gettext_lazy("明细行数"),
    "list": gettext_lazy("列表"),
    "logins": gettext_lazy("账号数"),
    "lots": gettext_lazy("批次数"),
    "macro_f1": gettext_lazy("宏平均F1"),
    "masked": gettext_lazy("号码（部分隐藏）"),
    "max_points": gettext_lazy("积分上限"),
    "meeting": gettext_lazy("会议"),
    "meetings": gettext_lazy("会议数"),
    "member": gettext_lazy("党员"),
    "merged_into": gettext_lazy("合并至"),
    "members": gettext_lazy("成员"),
    "minutes": gettext_lazy("分钟数"),
    "months": gettext_lazy("月数"),
    "movement": gettext_lazy("积分流水"),
    "must_change_password": gettext_lazy("须修改密码"),
    "name": gettext_lazy("名称"),
    "needs": gettext_lazy("需求数"),
    "node": gettext_lazy("区域"),
    "node_name": gettext_lazy("区域名称"),
    "note": gettext_lazy("说明"),
    "notified": gettext_lazy("已通知"),
    "number": gettext_lazy("编号"),
    "numbers": gettext_lazy("编号"),
    "observed": gettext_lazy("实际数"),
    "order": gettext_lazy("服务单"),
    "orders": gettext_lazy("服务单数"),
    "orders_cancelled": gettext_lazy("取消服务单数"),
    "orders_released": gettext_lazy("退回服务单数"),
    "organisations": gettext_lazy("单位数"),
    "orgs": gettext_lazy("党组织数"),
    "outcome": gettext_lazy("处理结果"),
    "p": gettext_lazy("显著性"),
    "parent": gettext_lazy("上级"),
    "path": gettext_lazy("路径"),
    "people_met": gettext_lazy("走访人数"),
    "per_month": gettext_lazy("每月数量"),
    "period": gettext_lazy("期间"),
    "phone": gettext_lazy("电话号码"),
    "phone_key": gettext_lazy("号码指纹"),
    "photo": gettext_lazy("照片"),
    "photos": gettext_lazy("照片"),
    "pickup_days": gettext_lazy("取货期限（天）"),
    "points": gettext_lazy("积分"),
    "points_per_hour": gettext_lazy("每小时积分"),
    "positions": gettext_lazy("岗位数"),
    "price": gettext_lazy("价格"),
    "projects": gettext_lazy("项目数"),
    "q": gettext_lazy("关键词"),
    "quantity": gettext_lazy("数量"),
    "quarter": gettext_lazy("季度"),
    "quota": gettext_lazy("名额"),
    "ratings": gettext_lazy("评价数"),
    "reason": gettext_lazy("原因"),
    "replaced": gettext_lazy("替换的规则"),
    "reports": gettext_lazy("报到数"),
    "request": gettext_lazy("诉求"),
    "request_id": gettext_lazy("请求编号"),
    "requests": gettext_lazy("诉求数"),
    "required": gettext_lazy("必须"),
    "resident": gettext_lazy("居民"),
    "resident_tags": gettext_lazy("人员标签数"),
    "residents": gettext_lazy("居民数"),
    "resources": gettext_lazy("资源数"),
    "result": gettext_lazy("结果"),
    "role": gettext_lazy("角色"),
    "roles": gettext_lazy("角色"),
    "rollups_dropped": gettext_lazy("清除的汇总数"),
    "rows": gettext_lazy("行数"),
    "season": gettext_lazy("季节"),
    "seed": gettext_lazy("随机种子"),
    "sessions": gettext_lazy("结束的会话数"),
    "signups_cancelled": gettext_lazy("取消报名数"),
    "signups_withdrawn": gettext_lazy("撤回报名数"),
    "since": gettext_lazy("起始日期"),
    "size": gettext_lazy("规模"),
    "skills": gettext_lazy("技能"),
    "skipped": gettext_lazy("跳过数"),
    "skipped_example_rows": gettext_lazy("跳过的示例行数"),
    "source": gettext_lazy("来源"),
    "source_ref": gettext_lazy("来源编号"),
    "start": gettext_lazy("开始"),
    "started_at": gettext_lazy("开始时间"),
    "starts_at": gettext_lazy("开始时间"),
    "state": gettext_lazy("状态"),
    "status": gettext_lazy("状态"),
    "stock": gettext_lazy("库存"),
    "summary": gettext_lazy("摘要"),
    "tag": gettext_lazy("人员标签"),
    "taker": gettext_lazy("接单方"),
    "target": gettext_lazy("对象"),
    "targets": gettext_lazy("命中对象"),
    "task": gettext_lazy("任务"),
    "team": gettext_lazy("服务队"),
    "term_end": gettext_lazy("任期届满"),
    "title": gettext_lazy("标题"),
    "total": gettext_lazy("合计"),
    "type": gettext_lazy("类型"),
    "unit": gettext_lazy("单位"),
    "removed_leaves": gettext_lazy("删除三级分类数"),
    "unmatched_rules": gettext_lazy("未匹配规则数"),
    "until": gettext_lazy("截止日期"),
    "up_to_id": gettext_lazy("处理至编号"),
    "usable_password": gettext_lazy("密码可用"),
    "user": gettext_lazy("账号"),
    "username": gettext_lazy("用户名"),
    "verb": gettext_lazy("操作"),
    "version": gettext_lazy("版本号"),
    "via": gettext_lazy("途径"),
    "visited_on": gettext_lazy("走访日期"),
    "visits": gettext_lazy("走访数"),
    "volunteer": gettext_lazy("志愿者"),
    "warnings": gettext_lazy("预警数"),
    "wellbeing": gettext_lazy("状况"),
    "work_orders": gettext_lazy("工单数"),
    "worker": gettext_lazy("网格员"),
    "year": gettext_lazy("年度"),
}


def key_word(key: str) -> str:
    """A snapshot's key as a person reads it, or the key when none is known."""
    return str(KEY_WORDS.get(key, key))


# Codes stored as values, read as words: which identifier a search was by (``PiiKind``), how
# something came about (``via``: a check-in, the registration's duplicate check, an import).
KIND_WORDS: dict[str, StrOrPromise] = {
    "id_number": gettext_lazy("身份证号"),
    "phone": gettext_lazy("手机号"),
}
VIA_WORDS: dict[str, StrOrPromise] = {
    "registration": gettext_lazy("登记居民时查重"),
    "import": gettext_lazy("数据导入"),
    "orders_confirmed": gettext_lazy("服务单均已确认"),
    "staff": gettext_lazy("工作人员确认"),
    "self": gettext_lazy("居民确认"),
    "qr": gettext_lazy("扫码"),
    "organiser": gettext_lazy("组织者登记"),
    "auto": gettext_lazy("活动结束自动签退"),
    "h5": gettext_lazy("网页"),
    "link": gettext_lazy("短信链接"),
}
TAG_MODEL = "registry.residenttag"  # a tag's code (``tag``) reads as its name


def _coded(key: str, value: Any, names: "Names") -> str:
    """A value under ``key`` nested in a snapshot (or a common key's): a known code as its
    word, else ``value_text``."""
    if isinstance(value, str):
        if key == "kind" and value in KIND_WORDS:
            return str(KIND_WORDS[value])
        if key == "via" and value in VIA_WORDS:
            return str(VIA_WORDS[value])
        if key == "verb" and value in (PII_GROUP, PII_GROUP.lstrip("@")):
            return gettext("全部个人信息查看")
        if key == "verb" and (label := verb_label(value)):
            return f"{label}（{value}）"
        if key == "tag" and (name := names.get((TAG_MODEL, value))):
            return name
    return value_text(value)


@cache
def _common_keys() -> Fields:
    """Keys several services store beside their target's own fields: their words
    (``KEY_WORDS``), a role's label, a node's name."""
    from civicgrid.accounts.models import Role
    from civicgrid.territory.models import Node

    roles: dict[str, StrOrPromise] = {str(v): lbl for v, lbl in Role.choices}
    found: Fields = {key: (word, {}, None) for key, word in KEY_WORDS.items()}
    found["role"] = (KEY_WORDS["role"], roles, None)
    found["node"] = (KEY_WORDS["node"], {}, Node)
    return found


# The rows whose names an id is read as: places and units, never people (a resident's
# name in the log would be personal data unmasked).
NAMED_MODELS = frozenset({"territory.node", "requests.handlingunit", "requests.category"})


Names = dict[tuple[str, Any], str]


def _related(snapshot: Any, target_type: str) -> Iterator[tuple[str, Any, Any, Any]]:
    """(key, value, the key's field entry, the named model an id value refers to or None)."""
    fields = _fields(target_type) if target_type else {}
    common = _common_keys()
    for key, value in snapshot.items():
        entry = fields.get(str(key)) or common.get(str(key)) or (str(key), {}, None)
        related = entry[2]
        is_id = isinstance(value, int) and not isinstance(value, bool)
        is_named = related is not None and related._meta.label_lower in NAMED_MODELS
        named = related if is_id and is_named else None
        yield str(key), value, entry, named


def names_of(snapshots: Iterable[tuple[Any, str]]) -> Names:
    """The names of the places, units and categories the (snapshot, target type) pairs
    refer to by id, and of the resident tags by code: one query per model for a whole page
    of audit rows."""
    wanted: dict[Any, set[int]] = {}
    tags: set[str] = set()
    for snapshot, target_type in snapshots:
        if isinstance(snapshot, Mapping):
            for key, value, _entry, named in _related(snapshot, target_type):
                if named is not None:
                    wanted.setdefault(named, set()).add(value)
                elif key == "tag" and isinstance(value, str):
                    tags.add(value)
    names: Names = {}
    for model, ids in wanted.items():
        label = model._meta.label_lower
        for row in model._base_manager.filter(pk__in=sorted(ids)):
            names[(label, row.pk)] = str(row)
    if tags:
        try:
            tag_model = apps.get_model(TAG_MODEL)
        except LookupError:
            return names
        for code, name in tag_model._base_manager.filter(code__in=sorted(tags)).values_list("code", "name"):
            names[(TAG_MODEL, code)] = name
    return names


def change_items(snapshot: Any, target_type: str = "", names: Names | None = None) -> list[Item]:
    """A before/after snapshot as rows of key: value (empty when there is none). Keys of the
    target's model read as its fields' names, a choice as its label (状态：进行中), and the id
    of a place, unit or category as ``name（id）`` (``names`` from ``names_of``; without it
    they are looked up here)."""
    if snapshot is None:
        return []
    if not isinstance(snapshot, Mapping):
        return [Item("", "", value_text(snapshot))]
    if names is None:
        names = names_of([(snapshot, target_type)])
    items = []
    for key, value, (label, choices, _related_model), named in _related(snapshot, target_type):
        shown = choices.get(str(value)) if isinstance(value, str) else None
        found = names.get((named._meta.label_lower, value)) if named is not None else None
        if key == "fields" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = value_text([field_word(v, target_type) for v in value])
        elif shown:
            text = str(shown)
        elif found is not None:
            text = f"{found}（{value}）"
        else:
            text = _coded(key, value, names)
        items.append(Item(str(label), key, text))
    return items


def change_text(snapshot: Any, target_type: str = "", names: Names | None = None) -> str:
    """``change_items`` as one text, in the page's words (状态：进行中；诉求人电话：…), for the
    Excel export."""
    return gettext("；").join(
        f"{i.label}{gettext('：')}{i.value}" if i.label else i.value
        for i in change_items(snapshot, target_type, names)
    )


# --- the object column -----------------------------------------------------------------------

# Rows about no one row (a lookup by phone: ``requests.request`` with no id) read as what was
# done instead of a bare ``requests.request#``.
TARGET_WORDS: dict[str, StrOrPromise] = {
    "requests.caller_history_viewed": gettext_lazy("来电号码查询"),
    "requests.phone_searched": gettext_lazy("按手机号查询诉求"),
}


def target_pairs(target_type: str, target_id: str) -> list[tuple[Any, str]]:
    """What ``names_of`` should look up for a row's object: a resident tag's code."""
    return [({"tag": target_id}, "")] if target_type == TAG_MODEL and target_id else []


def target_text(
    *, verb: str, target_type: str, target_id: str, target_label: str, names: Names
) -> tuple[str, str]:
    """The object column: (its name, its reference ``type#id``, or the type alone when the row
    names no one row). A tag listed by code reads as the tag's name (严重精神障碍患者)."""
    label = target_label
    if target_type == TAG_MODEL and (name := names.get((TAG_MODEL, target_id))):
        label = name if not label or label == target_id else label
    if not label and not target_id and verb in TARGET_WORDS:
        label = str(TARGET_WORDS[verb])
    return label, f"{target_type}#{target_id}" if target_id else target_type
