"""Forms of the pages. They only parse what people typed; the services validate and decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.i18n import StrOrPromise
from civicgrid.registry.models import Organisation
from civicgrid.territory.models import Node
from civicgrid.volunteers.constants import (
    Availability,
    Difficulty,
    OrdererKind,
    ServiceType,
    TakerKind,
    TeamColour,
    VolunteerKind,
)
from civicgrid.volunteers.models import Skill, Team, Volunteer

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


SKILLS = gettext_lazy("技能")


def skill_field(required: bool = False, label: StrOrPromise = SKILLS) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        Skill.objects.all(),
        to_field_name="code",
        required=required,
        label=label,
        widget=forms.CheckboxSelectMultiple,
    )


class NamedForm(forms.Form):
    """A form whose every field error names its field ("服务内容：此项必填。"), as the reasons
    of a refused form are read above it and by a screen reader away from the field, and whose
    labels carry no ASCII colon (Django's ``label_suffix``), as on the other apps' forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_error(self, field: str | None, error: Any) -> None:
        if field is not None and field in self.fields and not isinstance(error, dict):
            if not isinstance(error, forms.ValidationError):
                error = forms.ValidationError(error)
            if not hasattr(error, "error_dict"):
                label = str(self.fields[field].label or field)
                # i18n: data (a reason that begins with the field's name names it)
                stem = label.split("（")[0]
                error = forms.ValidationError(
                    [
                        m if m.startswith(stem) else _("{label}：{reason}").format(label=label, reason=m)
                        for m in error.messages
                    ]
                )
        super().add_error(field, error)


class NodeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class RegisterForm(NamedForm):
    """Registration: by the community worker (for a resident found in the registry) or by the
    resident (H5)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("志愿者类别"), choices=VolunteerKind.choices, initial=VolunteerKind.RESIDENT
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        required=False,
        label=gettext_lazy("工作单位（共建单位职工必填）"),
        empty_label=gettext_lazy("请选择"),
    )
    service_area = NodeChoice(
        Node.objects.none(),
        required=False,
        label=gettext_lazy("服务区域"),
        empty_label=gettext_lazy("整个社区"),
    )
    skills = skill_field()
    availability = forms.MultipleChoiceField(
        choices=Availability.choices,
        required=False,
        label=gettext_lazy("可服务时间"),
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        Team.objects.none(),
        required=False,
        label=gettext_lazy("加入服务队"),
        widget=forms.CheckboxSelectMultiple,
    )
    intro = forms.CharField(
        label=gettext_lazy("个人简介"), required=False, max_length=200, widget=forms.Textarea({"rows": 2})
    )
    guardian_consent = forms.CharField(
        label=gettext_lazy("监护人同意情况（未满18周岁必填）"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("监护人姓名、关系、联系方式，以及同意的方式"),
    )

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Node],
        teams: QuerySet[Team],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ActivityFields(NamedForm):
    """What an organiser says of an activity, at publishing and when correcting it."""

    title = forms.CharField(label=gettext_lazy("活动名称"), max_length=100)
    place = forms.CharField(label=gettext_lazy("活动地点"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("结束时间"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    quota = forms.IntegerField(label=gettext_lazy("招募人数"), min_value=1, max_value=1000, initial=10)
    service_type = forms.ChoiceField(label=gettext_lazy("服务类别"), choices=ServiceType.choices)
    difficulty = forms.TypedChoiceField(
        label=gettext_lazy("难度"), choices=Difficulty.choices, coerce=int, initial=Difficulty.NORMAL
    )
    skills = skill_field(label=gettext_lazy("所需技能"))
    description = forms.CharField(
        label=gettext_lazy("活动内容"), required=False, widget=forms.Textarea({"rows": 4})
    )


class ActivityForm(ActivityFields):
    node = NodeChoice(Node.objects.none(), label=gettext_lazy("活动区域"))
    team = forms.ModelChoiceField(
        Team.objects.none(),
        required=False,
        label=gettext_lazy("服务队"),
        empty_label=gettext_lazy("社区组织"),
    )
    field_order = ["node", "team"]  # then the activity's own fields, as declared

    def __init__(self, *args: Any, nodes: QuerySet[Node], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class ActivityEditForm(ActivityFields):
    """Correcting a published activity (its area and team stay); the version it was read at
    travels in a hidden input of the template, not in this form."""

    @classmethod
    def initial_of(cls, activity: Any) -> dict[str, Any]:
        """The form's values for an activity as it is now."""
        return {
            "title": activity.title,
            "place": activity.place,
            "starts_at": timezone.localtime(activity.starts_at),
            "ends_at": timezone.localtime(activity.ends_at),
            "quota": activity.quota,
            "service_type": activity.service_type,
            "difficulty": activity.difficulty,
            "skills": list(activity.skills.values_list("code", flat=True)),
            "description": activity.description,
        }


class TeamForm(NamedForm):
    community = NodeChoice(Node.objects.none(), label=gettext_lazy("社区"))
    name = forms.CharField(label=gettext_lazy("队伍名称"), max_length=60)
    colour = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=TeamColour.choices, initial=TeamColour.OTHER
    )
    duties = forms.CharField(label=gettext_lazy("服务内容"), max_length=200, required=False)

    def __init__(self, *args: Any, communities: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class OrderForm(NamedForm):
    """Staff ordering for a resident who phoned, a council, a unit or a need they found."""

    node = NodeChoice(
        Node.objects.none(), label=gettext_lazy("服务地点区域"), empty_label=gettext_lazy("请选择")
    )
    orderer_kind = forms.ChoiceField(
        label=gettext_lazy("点单方"), choices=OrdererKind.choices, initial=OrdererKind.STAFF
    )
    orderer_label = forms.CharField(label=gettext_lazy("点单方名称"), max_length=100, required=False)
    beneficiary = forms.CharField(
        label=gettext_lazy("服务对象（居民）"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("姓名、完整手机号或身份证号"),
    )
    orderer_organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        required=False,
        label=gettext_lazy("点单单位"),
        empty_label=gettext_lazy("请选择"),
    )
    title = forms.CharField(label=gettext_lazy("服务内容"), max_length=100)
    content = forms.CharField(label=gettext_lazy("需求描述"), widget=forms.Textarea({"rows": 3}))
    service_type = forms.ChoiceField(label=gettext_lazy("服务类别"), choices=ServiceType.choices)
    difficulty = forms.TypedChoiceField(
        label=gettext_lazy("难度"), choices=Difficulty.choices, coerce=int, initial=Difficulty.NORMAL
    )
    address = forms.CharField(label=gettext_lazy("服务地点"), max_length=200, required=False)
    wanted_from = forms.DateTimeField(
        label=gettext_lazy("期望开始"), required=False, widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    wanted_until = forms.DateTimeField(
        label=gettext_lazy("期望完成"), required=False, widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    skills = skill_field(label=gettext_lazy("所需技能"))
    origin = forms.CharField(
        label=gettext_lazy("关联诉求编号"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("由诉求转来的需求填写诉求编号，如 20240408-000001；可不填"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如 20240408-000001")}),
    )
    publish = forms.BooleanField(label=gettext_lazy("直接发布，等待志愿者接单"), required=False)

    def __init__(
        self, *args: Any, nodes: QuerySet[Node], organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes  # type: ignore[attr-defined]
        self.fields["orderer_organisation"].queryset = organisations  # type: ignore[attr-defined]


class VolunteerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        skills = "、".join(s.name for s in obj.skills.all())
        return _("{name}（{skills}，服务{hours_total}小时）").format(
            name=obj.resident.name, skills=skills or _("无特长"), hours_total=obj.hours_total
        )


class DispatchForm(NamedForm):
    taker_kind = forms.ChoiceField(
        label=gettext_lazy("派给"),
        choices=TakerKind.choices,
        initial=TakerKind.VOLUNTEER,
        widget=forms.RadioSelect,
    )
    volunteer = VolunteerChoice(
        Volunteer.objects.none(),
        required=False,
        label=gettext_lazy("志愿者"),
        empty_label=gettext_lazy("请选择"),
    )
    party_member = forms.CharField(
        label=gettext_lazy("党员"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("姓名、完整手机号或身份证号（本辖区在册）"),
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        required=False,
        label=gettext_lazy("共建单位"),
        empty_label=gettext_lazy("请选择"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        volunteers: QuerySet[Volunteer],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class CompleteForm(NamedForm):
    note = forms.CharField(
        label=gettext_lazy("服务情况"), max_length=1000, widget=forms.Textarea({"rows": 3})
    )
    hours = forms.DecimalField(
        label=gettext_lazy("服务时长（小时）"),
        min_value=Decimal("0.5"),  # the service's minimum (service_order_complete: 0.5 to 24)
        max_value=24,
        decimal_places=1,
        initial=1,
    )


class ConfirmForm(NamedForm):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("评价"),
        coerce=int,
        choices=[
            (5, gettext_lazy("★★★★★ 非常满意")),
            (4, gettext_lazy("★★★★ 满意")),
            (3, gettext_lazy("★★★ 一般")),
            (2, gettext_lazy("★★ 不满意")),
            (1, gettext_lazy("★ 很不满意")),
        ],
        initial=5,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("评价内容"), max_length=300, required=False, widget=forms.Textarea({"rows": 2})
    )


class ReasonForm(NamedForm):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200)


class ResidentOrderForm(NamedForm):
    """A resident ordering for themself (H5)."""

    title = forms.CharField(label=gettext_lazy("需要什么服务"), max_length=100)
    content = forms.CharField(label=gettext_lazy("具体说明"), widget=forms.Textarea({"rows": 4}))
    service_type = forms.ChoiceField(
        label=gettext_lazy("服务类别"), choices=ServiceType.choices, initial=ServiceType.MUTUAL_AID
    )
    address = forms.CharField(label=gettext_lazy("服务地点"), max_length=200, required=False)
    wanted_from = forms.DateTimeField(
        label=gettext_lazy("希望何时"), required=False, widget=DATETIME, input_formats=DATETIME_FORMATS
    )
