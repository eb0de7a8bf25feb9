"""Forms of the staff pages: they only parse input; the services validate and decide.

A service's ``ValidationError`` names the fields it refuses; ``add_service_errors`` puts
each reason next to the field of the same name (or above the form, with the field's
Chinese label, when the form has no such field).
"""

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.requests import selectors
from civicgrid.requests.constants import (
    NOTE_MAX,
    RATING_COMMENT_MAX,
    Action,
    Channel,
    HandlingLevel,
    RequestType,
    Resolution,
    Satisfaction,
    Urgency,
)
from civicgrid.requests.models import Category, HandlingUnit, Request, WhistleSummons
from civicgrid.requests.services.handling import (
    EXTEND_MAX,
    EXTEND_MIN,
    escalation_target,
    extend_amount_error,
    supervisions,
)
from civicgrid.requests.services.intake import (
    ADDRESS_MAX,
    CONTENT_MAX,
    NAME_MAX,
    TITLE_MAX,
    staff_channels,
)
from civicgrid.requests.services.whistle import summonable_units
from civicgrid.requests.web_helpers import open_summonses
from civicgrid.territory.models import Node, NodeKind
from civicgrid.workcal import clock
from civicgrid.workcal.constants import LimitUnit

FIELD_LABELS = {
    "attachments": _("附件"),
    "channel": _("渠道"),
    "type": _("诉求类型"),
    "crs": _("坐标系"),
    "approval": _("审批"),
    "into": _("合并至"),
    "units": _("被召集部门"),
}

CONSOLE_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.HOTLINE, Channel.WALK_IN, Channel.MESSAGE_BOARD, Channel.ENTERPRISE_HOTLINE)
] + [(Channel.GRID_WORKER.value, Channel.GRID_WORKER.label)]


def console_channels(user: Any) -> list[tuple[str, Any]]:
    """The channels a person may record on the console: the console's channels that
    ``intake.staff_channels`` leaves them (the one rule, which intake and the API apply too)."""
    own = staff_channels(user)
    return [(value, label) for value, label in CONSOLE_CHANNELS if value in own]


# Alt+1 … Alt+6 choose the type on the console.
TYPE_KEYS = {t: str(i) for i, t in enumerate(RequestType.values, start=1)}


def add_service_errors(form: forms.Form, exc: CivicError) -> None:
    """Show a service's refusal on the form: per field when it names one, else above the form."""
    errors = exc.errors if isinstance(exc, ValidationError) else {}
    if not errors:
        form.add_error(None, exc.message)
        return
    for name, reasons in errors.items():
        for reason in reasons:
            if name in form.fields and not isinstance(form.fields[name].widget, forms.HiddenInput):
                form.add_error(name, reason)
            else:
                label = form.fields[name].label if name in form.fields else FIELD_LABELS.get(name, name)
                form.add_error(None, f"{label}：{reason}")


def _text(
    label: StrOrPromise,
    *,
    rows: int = 3,
    required: StrOrPromise = "",
    placeholder: StrOrPromise = "",
    max_length: int = NOTE_MAX,
) -> forms.CharField:
    attrs: dict[str, Any] = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=max_length,
        error_messages={"required": required} if required else {},
        widget=forms.Textarea(attrs=attrs),
    )


def _units(**filters: Any) -> Any:
    return HandlingUnit.objects.filter(is_active=True, **filters).order_by("kind", "code")


# --- the operator console ---------------------------------------------------------------


class ConsoleForm(forms.Form):
    """One call or visit. Title, content and phone are checked by ``request_create``."""

    requester_phone = forms.CharField(label=_("来电号码"), required=False, max_length=30)
    # No form-side max_length on the texts: intake's refusal (``intake.too_long``) is the one
    # wording of the console and the API; the browser's maxlength still stops typing.
    requester_name = forms.CharField(
        label=_("姓名"), required=False, widget=forms.TextInput(attrs={"maxlength": NAME_MAX})
    )
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    confidential = forms.BooleanField(label=_("要求保密"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=CONSOLE_CHANNELS, initial=Channel.HOTLINE)
    type = forms.ChoiceField(
        label=_("诉求类型"),
        choices=RequestType.choices,
        initial=RequestType.COMPLAINT,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择诉求类型"), "invalid_choice": _("诉求类型取值无效")},
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(
        label=_("标题"), required=False, widget=forms.TextInput(attrs={"maxlength": TITLE_MAX})
    )
    content = forms.CharField(
        label=_("诉求内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": CONTENT_MAX}),
    )
    category = forms.ModelChoiceField(
        label=_("诉求分类"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("请选择当前派单目录中的三级分类")},
    )
    address = forms.CharField(
        label=_("地址"), required=False, widget=forms.TextInput(attrs={"maxlength": ADDRESS_MAX})
    )
    # Full-width digits (１２０.３) are read as the API reads them (``api.schemas.Number``).
    lon = forms.FloatField(label=_("经度"), required=False, error_messages={"invalid": _("经度应为数字")})
    lat = forms.FloatField(label=_("纬度"), required=False, error_messages={"invalid": _("纬度应为数字")})
    building = forms.ModelChoiceField(
        label=_("楼栋"),
        queryset=Node.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("楼栋不存在或不在您的辖区")},
    )
    answer = _text(_("答复内容（直接办结）"), rows=4)
    # The picker's search box: its words reach the server when no category was picked from
    # the list (no JavaScript, or Enter pressed first); see ``clean``.
    category_q = forms.CharField(required=False)

    def __init__(self, *args: Any, buildings: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            channels = console_channels(user)
            channel = cast(forms.ChoiceField, self.fields["channel"])
            channel.choices = channels
            channel.initial = channels[0][0]
        self.fields["category"].queryset = selectors.leaf_categories()  # type: ignore[attr-defined]
        if buildings is None:
            buildings = Node.objects.filter(kind=NodeKind.BUILDING)
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        """Words typed in the category box without a pick are not dropped: one matching leaf is
        taken, none or several are an error on 分类 (the words kept in the box)."""
        data = super().clean() or {}
        typed = (data.get("category_q") or "").strip()[:50]
        if typed and data.get("category") is None and "category" not in self.errors:
            from civicgrid.requests.web_helpers import category_matches

            found = category_matches(typed, limit=2)
            if len(found) == 1:
                data["category"] = found[0]
            elif not found:
                self.add_error(
                    "category",
                    _("没有与“{words}”匹配的分类，请换个说法，或清空分类框不选分类").format(words=typed),
                )
            else:
                self.add_error(
                    "category",
                    _("“{words}”匹配多个分类，请从列表中选择一个，或输入更完整的名称").format(words=typed),
                )
        return data


# --- actions on one request ---------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the small forms behind the buttons of a request; carries the page's version."""

    # Required: without it two people acting on the same page at once could both succeed.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("页面缺少版本号，请刷新页面后重试"),
            "invalid": _("页面版本号无效，请刷新页面后重试"),
        },
    )
    attachments = False  # whether the template adds a file input

    def __init__(self, *args: Any, actor: Any, target: Request, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.target = actor, target
        self.fields["version"].initial = target.version
        self.setup()

    def setup(self) -> None:
        """Per-request choices (override)."""

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        stale = self.errors.pop("version", None)  # a hidden field: its error shows above the form
        if stale:
            self.add_error(None, stale)
        return data


def text_form(
    field: str, label: StrOrPromise, *, required: StrOrPromise = "", with_files: bool = False
) -> type[ActionForm]:
    """A form of one text box named like the service's argument (``reason``, ``note``…)."""
    attrs: dict[str, Any] = {field: _text(label, required=required), "attachments": with_files}
    return cast(type[ActionForm], type(f"{field.title()}ActionForm", (ActionForm,), attrs))


class DispatchForm(ActionForm):
    category = forms.ModelChoiceField(
        label=_("诉求分类"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("请选择当前派单目录中的三级分类")},
    )
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        empty_label=_("按派单规则确定"),
    )
    assisting = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    copy = forms.ModelMultipleChoiceField(
        label=_("抄送单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    note = _text(_("派单说明"), rows=2)

    def setup(self) -> None:
        self.fields["category"].queryset = selectors.leaf_categories()  # type: ignore[attr-defined]
        self.fields["category"].initial = self.target.category_id
        for name in ("lead_unit", "assisting", "copy"):
            self.fields[name].queryset = _units()  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["size"] = 1 if name == "lead_unit" else 4
        if claim := selectors.not_ours_return(self.target):
            # Sent back as not its business: say who and why before the operator dispatches
            # (by the rules, dispatch to that unit again is refused: ``request_dispatch``).
            self.notice = _(
                "该诉求由{unit}（{who}，{when}）申报非本单位职责退回：{reason}。"
                "如派单规则仍指向该单位，请另行指定主办单位。"
            ).format(
                unit=claim.unit.name,
                who=claim.requested_by.display_name if claim.requested_by else "—",
                when=date_format(timezone.localtime(claim.created_at), "m-d H:i"),
                reason=Truncator(claim.reason.strip()).chars(100).rstrip("。"),
            )


class ReassignForm(ActionForm):
    lead_unit = forms.ModelChoiceField(
        label=_("新的主办单位"),
        queryset=HandlingUnit.objects.none(),
        error_messages={"required": _("请选择新的主办单位")},
    )
    assisting = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    reason = _text(_("改派理由"))

    def setup(self) -> None:
        self.fields["lead_unit"].queryset = _units().exclude(pk=self.target.lead_unit_id)  # type: ignore[attr-defined]
        self.fields["assisting"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["assisting"].widget.attrs["size"] = 4


class CallbackForm(ActionForm):
    contacted = forms.ChoiceField(
        label=_("承办单位是否联系过诉求人"),
        choices=[("yes", _("已联系")), ("no", _("未联系"))],
        required=False,
        widget=forms.RadioSelect,
    )
    resolution = forms.ChoiceField(
        label=_("解决情况"), choices=Resolution.choices, required=False, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, required=False, widget=forms.RadioSelect
    )
    comment = _text(_("回访记录"), rows=2, max_length=RATING_COMMENT_MAX)
    reopen = forms.BooleanField(label=_("不满意，转重办"), required=False)


class VerifyForm(ActionForm):
    confirmed = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("yes", _("属实，办理到位")), ("no", _("不属实，退回重新办理"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核查结论")},
    )
    note = _text(_("核查情况"))
    attachments = True


class ExtendForm(ActionForm):
    amount = forms.FloatField(
        label=_("延长时长"),
        error_messages={"required": _("请填写延长时长"), "invalid": _("延长时长必须是数字")},
    )
    reason = _text(_("延期理由"))

    def setup(self) -> None:
        """The unit beside the amount: the request's clock unit, in which the service counts it."""
        unit = LimitUnit(self.target.extension_unit).label
        field = self.fields["amount"]
        field.label = format_lazy(_("延长时长（{unit}）"), unit=unit)
        field.widget.attrs.update({"min": EXTEND_MIN, "max": EXTEND_MAX, "step": 1})

    def clean_amount(self) -> float:
        """Whole units of the clock only, as the service counts them (``extend_amount_error``)."""
        amount = self.cleaned_data["amount"]
        wrong = extend_amount_error(amount, self.target.extension_unit)
        if wrong:
            raise forms.ValidationError(wrong)
        return float(amount)


class LongRunningForm(ActionForm):
    plan = _text(_("办理计划"))
    plan_until = forms.DateField(
        label=_("计划完成日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写计划完成日期"), "invalid": _("日期格式应为 年-月-日")},
    )


class WhistleForm(ActionForm):
    units = forms.ModelMultipleChoiceField(
        label=_("召集部门"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = _text(_("吹哨事由"))
    deadline = forms.DateTimeField(
        label=_("报到期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("请填写报到期限"), "invalid": _("报到期限格式不正确")},
    )

    def setup(self) -> None:
        units = summonable_units(self.target).order_by("kind", "code")
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["deadline"].initial = default_whistle_deadline(self.target)
        self.fields["deadline"].help_text = _(
            "默认一个工作日后；至少1小时之后，且不晚于诉求的办理期限。报到期限不随诉求挂起暂停"
        )


def default_whistle_deadline(request: Any, now: datetime | None = None) -> datetime:
    """One working day from now on the work calendar (Friday afternoon: Monday afternoon),
    rounded up to the minute, but not after the request's own resolution deadline while that
    is still at least an hour ahead (``request_whistle`` refuses a later one)."""
    now = now or timezone.now()
    due = clock.advance(clock.current_calendar(), now, 1, LimitUnit.WORKING_DAYS).due_at
    due = (timezone.localtime(due) + timedelta(seconds=59)).replace(second=0, microsecond=0)
    limit = getattr(request, "due_resolution_at", None)
    if limit is not None and now + timedelta(hours=1) <= limit < due:
        return timezone.localtime(limit).replace(second=0, microsecond=0)
    return due


class CouncilForm(ActionForm):
    held_on = forms.DateField(
        label=_("议事日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写议事日期"), "invalid": _("日期格式应为 年-月-日")},
    )
    party_branch = forms.CharField(label=_("党支部代表"), required=False, max_length=100)
    owners_committee = forms.CharField(label=_("业委会代表"), required=False, max_length=100)
    property_company = forms.CharField(label=_("物业公司代表"), required=False, max_length=100)
    others = forms.CharField(label=_("其他参加人"), required=False, max_length=255)
    outcome = _text(_("议定事项"))
    agreed = forms.BooleanField(label=_("达成一致"), required=False, initial=True)

    def setup(self) -> None:
        self.fields["held_on"].initial = timezone.localdate()


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("合并至诉求编号"),
        max_length=20,
        error_messages={"required": _("请填写要合并到的诉求编号")},
        widget=forms.TextInput(attrs={"placeholder": _("如 20261122-000123")}),
    )
    paused_ok = forms.BooleanField(label=_("目标已暂停仍合并"), required=False)


SENTENCE_ENDS = ("。", "！", "？", "…", "!", "?", ".")  # i18n: data (punctuation)


class SuperviseForm(ActionForm):
    """督办; the form says how often it has been done already (it may be repeated)."""

    note = _text(_("督办意见"))

    def setup(self) -> None:
        done = supervisions(self.target).select_related("actor")
        count = done.count()
        self.notice: StrOrPromise = ""
        if count:
            last = done[0]
            note = last.note[:100].rstrip()
            if note.endswith(SENTENCE_ENDS):  # its own full stop: not a second one
                text = _(
                    "该诉求已督办 {count} 次，最近一次 {time}（{actor}）：{note}本次为第 {next} 次督办。"
                )
            else:
                text = _(
                    "该诉求已督办 {count} 次，最近一次 {time}（{actor}）：{note}。本次为第 {next} 次督办。"
                )
            self.notice = format_lazy(
                text,
                count=count,
                time=f"{timezone.localtime(last.created_at):%Y-%m-%d %H:%M}",
                actor=last.actor_name or (last.actor.get_full_name() if last.actor else ""),
                note=note,
                next=count + 1,
            )


class EscalateForm(ActionForm):
    """上报; the form says which unit the request will go to (``handling.escalation_target``,
    as the service decides), or why it cannot go up."""

    reason = _text(_("上报理由"))

    def setup(self) -> None:
        self.notice: StrOrPromise = ""
        try:
            level, unit = escalation_target(self.target)
        except ValidationError as exc:
            self.notice = exc.message
        else:
            self.notice = format_lazy(
                _("将上报至{level}：{unit}，由其主办。"), level=HandlingLevel(level).label, unit=unit.name
            )


class ReportInForm(ActionForm):
    summons = forms.ModelChoiceField(
        label=_("报到单位"),
        queryset=WhistleSummons.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("请选择报到单位"),
            "invalid_choice": _("该召集不存在、已报到或吹哨已结束"),
        },
    )
    part = _text(_("承担的工作"))

    def setup(self) -> None:
        self.fields["summons"].queryset = open_summonses(self.actor, self.target)  # type: ignore[attr-defined]
        self.fields["summons"].label_from_instance = lambda s: s.unit.name  # type: ignore[attr-defined]


class ReportInPageForm(forms.Form):
    """The whistle page's report-in (one summons per row)."""

    part = _text(_("承担的工作"), rows=2)


class WhistleCloseForm(forms.Form):
    outcome = _text(_("处置结果"), rows=2)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.DIRECT_CLOSE: text_form("answer", _("答复内容"), required=_("请填写答复内容")),
    Action.DISPATCH: DispatchForm,
    Action.SIGN: ActionForm,
    Action.START: text_form("note", _("说明（可不填）")),
    Action.REPLY: text_form("reply", _("办理情况（答复内容）"), with_files=True),
    Action.VERIFY: VerifyForm,
    Action.CALLBACK: CallbackForm,
    Action.CLOSE: text_form("note", _("办结说明（未回访办结须说明原因）")),
    Action.RETURN_REQUEST: text_form("reason", _("退单理由")),
    Action.NOT_OURS: text_form("reason", _("不属于本单位职责的理由")),
    Action.RETURN_APPROVE: text_form("note", _("审批意见（可不填）")),
    Action.RETURN_REJECT: text_form("note", _("驳回理由")),
    Action.REASSIGN: ReassignForm,
    Action.EXTEND_REQUEST: ExtendForm,
    Action.EXTEND_APPROVE: text_form("note", _("审批意见（可不填）")),
    Action.EXTEND_REJECT: text_form("note", _("驳回理由"), required=_("驳回延期须说明理由")),
    Action.SUSPEND: text_form("reason", _("挂起理由")),
    Action.RESUME: text_form("note", _("说明（可不填）")),
    Action.LONG_RUNNING: LongRunningForm,
    Action.SUPERVISE: SuperviseForm,
    Action.MERGE: MergeForm,
    Action.REOPEN: text_form("reason", _("重办理由")),
    Action.WHISTLE: WhistleForm,
    Action.REPORT_IN: ReportInForm,
    Action.ESCALATE: EscalateForm,
    Action.COUNCIL: CouncilForm,
    Action.NOTE: text_form("note", _("备注内容"), with_files=True),
}
