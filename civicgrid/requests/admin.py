"""Admin for the system administrator: handling units and their staff, dispatch rules and
the knowledge base. Forms check with the same rules as the services (``units.unit_errors``,
``units.rule_errors``); every save writes an audit row in the same transaction."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.admin_audit import AuditedModelAdmin
from civicgrid.core.admin_fields import login_name_field
from civicgrid.core.audit import audit_write
from civicgrid.core.validators import is_masked, normalise_phone
from civicgrid.notify.backends import mobile_problem
from civicgrid.requests import units
from civicgrid.requests.models import DispatchRule, HandlingUnit, SavedAnswer, UnitMembership


class HandlingUnitForm(forms.ModelForm):
    class Meta:
        model = HandlingUnit
        fields = ["code", "name", "kind", "node", "parent", "phone", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = units.unit_errors(
            (data.get("code") or "").strip(),
            (data.get("name") or "").strip(),
            data.get("kind") or "",
            data.get("node"),
            data.get("parent"),
        )
        if self.instance.pk and data.get("code") == self.instance.code:
            errors.pop("code", None)  # its own code
        if self.instance.pk and data.get("parent") and data["parent"].pk == self.instance.pk:
            errors["parent"] = [_("上级单位不能是自身")]
        for field, reasons in errors.items():
            self.add_error(field if field in self.fields else None, reasons)
        return data


class MembershipFormSet(forms.BaseInlineFormSet):
    """Unit staff are business users: membership opens the ledger, complaint texts and the
    handling actions (``requests.permissions.unit_ids``). An administrator holds no business
    role (三员分立), so nobody adds themself, nor any account with an administrator role."""

    request_user: Any = None

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            user = data.get("user")
            if user is None or data.get("DELETE") or not form.has_changed():
                continue
            if self.request_user is not None and user.pk == self.request_user.pk:
                form.add_error("user", _("不能把自己加为承办单位人员"))
            elif user.admin_role:
                form.add_error("user", _("管理员账号不能担任承办单位人员（三员分立）"))


class MembershipForm(forms.ModelForm):
    user = login_name_field(
        gettext_lazy("账号用户名"), help_text=gettext_lazy("承办人的登录账号，由安全管理员开设")
    )
    work_phone = forms.CharField(
        label=gettext_lazy("工作手机"),
        required=False,
        max_length=32,
        help_text=gettext_lazy(
            "接收新工单、临期超期、督办、吹哨等短信提醒；加密保存，只显示掩码。不改请保留掩码，清空即删除"
        ),
    )

    class Meta:
        model = UnitMembership
        fields = ["user", "is_approver"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_phone"].initial = self.instance.phone_masked

    def clean_work_phone(self) -> str | None:
        """The new mobile in canonical form, "" to clear it, None to keep the stored one."""
        raw = (self.cleaned_data.get("work_phone") or "").strip()
        if raw and raw == self.instance.phone_masked:
            return None
        if not raw:
            return ""
        if is_masked(raw):
            raise forms.ValidationError(_("请填写完整的手机号（掩码不能保存）"))
        if (problem := mobile_problem(raw)) is not None:
            raise forms.ValidationError(problem)
        return normalise_phone(raw) or raw

    def save(self, commit: bool = True) -> UnitMembership:
        membership: UnitMembership = super().save(commit=False)
        phone = self.cleaned_data.get("work_phone")
        if phone is not None:
            units.membership_phone_set(membership, phone)
        if commit:
            membership.save()
        return membership


class MembershipInline(admin.TabularInline):
    model = UnitMembership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 1
    verbose_name = gettext_lazy("单位人员")
    verbose_name_plural = gettext_lazy("单位人员（承办人）")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user  # type: ignore[attr-defined]
        return formset


@admin.register(HandlingUnit)
class HandlingUnitAdmin(AuditedModelAdmin):
    form = HandlingUnitForm
    list_display = ["name", "code", "kind", "node", "parent", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["node", "parent"]
    list_select_related = ["node", "parent"]
    inlines = [MembershipInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stopped, never deleted: see DispatchRuleAdmin

    def save_model(
        self, request: HttpRequest, obj: HandlingUnit, form: forms.ModelForm, change: bool
    ) -> None:
        obj.node_path = obj.node.path
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = self._members(form.instance)
        super().save_related(request, form, formsets, change)
        after = self._members(form.instance)
        if before != after:
            audit_write(
                actor=request.user,
                verb="admin.unit_members_changed",
                target=form.instance,
                node=form.instance.node,
                before={"members": before},
                after={"members": after},
            )

    @staticmethod
    def _members(unit: HandlingUnit) -> list[str]:
        rows = UnitMembership.objects.filter(unit=unit).select_related("user").order_by("user__username")
        return [
            f"{m.user.username}{_('（审批）') if m.is_approver else ''}"
            f"{_('（手机 {phone}）').format(phone=m.phone_masked) if m.phone_masked else ''}"
            for m in rows
        ]


class DispatchRuleForm(forms.ModelForm):
    class Meta:
        model = DispatchRule
        fields = [
            "name",
            "priority",
            "category_prefix",
            "area",
            "target",
            "unit",
            "assisting",
            "copy_to",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = units.rule_errors(
            (data.get("name") or "").strip(),
            data.get("target") or "",
            data.get("unit"),
            (data.get("category_prefix") or "").strip(),
            data.get("area"),
            data.get("copy_to"),
            rule_id=self.instance.pk,
        )
        for field, reasons in errors.items():
            if field in self.errors:
                continue  # the field's own check said it already ("此项必填。"): one message
            self.add_error(field if field in self.fields else None, reasons)
        return data


class DispatchRuleListForm(forms.ModelForm):
    """A row of the rules list (优先级, 启用 edited in place): turning a rule on there is checked
    as the rule's own page checks it, so a stopped rule cannot come back pointing at a unit or
    area stopped since; its name is checked by the formset, against the rows beside it."""

    class Meta:
        model = DispatchRule
        fields = ["priority", "is_active"]

    def turned_on(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return bool(data.get("is_active")) and not self.initial.get("is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule = self.instance
        if not self.turned_on() or rule.pk is None:
            return data
        errors = units.rule_errors(
            rule.name, rule.target, rule.unit, rule.category_prefix, rule.area, rule.copy_to, rule_id=rule.pk
        )
        errors.pop("name", None)  # the formset's: another row may stop the twin in this submit
        for reasons in errors.values():
            for reason in reasons:
                self.add_error(
                    "is_active", _("不能启用规则“{name}”：{reason}").format(name=rule.name, reason=reason)
                )
        return data


class DispatchRuleListFormSet(forms.BaseModelFormSet):
    """A rule turned on in the list may not share its name with a rule active after this
    submit: one active elsewhere, one left on in another row, or another turned on with it."""

    def clean(self) -> None:
        super().clean()
        rows = [f for f in self.forms if f.instance.pk is not None and getattr(f, "cleaned_data", None)]
        on_here = {f.instance.pk for f in rows if f.cleaned_data.get("is_active")}
        listed = {f.instance.pk for f in rows}
        active = set(
            DispatchRule.objects.filter(is_active=True).exclude(pk__in=listed).values_list("name", flat=True)
        )
        active |= {f.instance.name for f in rows if f.instance.pk in on_here and not f.turned_on()}
        for form in rows:
            if not form.turned_on():
                continue
            name = form.instance.name
            if name in active:
                form.add_error(
                    "is_active",
                    _("不能启用规则“{name}”：另一条启用中的规则同名，派单记录中将无法区分，请先改名").format(
                        name=name
                    ),
                )
            active.add(name)


class SavedAnswerForm(forms.ModelForm):
    class Meta:
        model = SavedAnswer
        fields = ["title", "content", "keywords", "category_prefix", "office", "issued_on", "is_active"]

    def clean_category_prefix(self) -> str:
        """Checked as a dispatch rule's prefix: an answer under a prefix no category has is
        never offered first for any request."""
        prefix = (self.cleaned_data.get("category_prefix") or "").strip()
        if problems := units.prefix_errors(prefix):
            raise forms.ValidationError(problems)
        return prefix


@admin.register(DispatchRule)
class DispatchRuleAdmin(AuditedModelAdmin):
    form = DispatchRuleForm
    list_display = ["name", "priority", "category_prefix", "area", "target", "unit", "copy_to", "is_active"]
    list_editable = ["priority", "is_active"]
    list_filter = ["target", "is_active"]
    search_fields = ["name", "category_prefix"]
    raw_id_fields = ["area", "unit", "copy_to"]
    filter_horizontal = ["assisting"]
    ordering = ["priority", "id"]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        return DispatchRuleListForm

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = DispatchRuleListFormSet
        return super().get_changelist_formset(request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Rules and units are stopped, never deleted: work orders name the rule that chose
        them, and every process keeps the rules and units it dispatches by for a few seconds
        (``services.rulebook``), so one deleted elsewhere could still be named meanwhile."""
        return False


@admin.register(SavedAnswer)
class SavedAnswerAdmin(AuditedModelAdmin):
    form = SavedAnswerForm
    list_display = ["title", "office", "issued_on", "category_prefix", "use_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "keywords", "content", "office"]
    readonly_fields = ["use_count", "last_used_at", "source_ref"]
    fields = [
        "title",
        "content",
        "keywords",
        "category_prefix",
        "office",
        "issued_on",
        "is_active",
        "use_count",
        "last_used_at",
        "source_ref",
    ]
