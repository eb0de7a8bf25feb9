"""Account administration for the security administrator (三员分立: accounts and scopes
here; territory for the system administrator; the audit log for the auditor)."""

import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts import sessions
from civicgrid.accounts.constants import ADMIN_GROUPS, Verb
from civicgrid.accounts.models import ApiToken, RoleAssignment, User
from civicgrid.accounts.services import (
    ADMIN_ROLE_ONLY_ON_SERVER,
    TOKEN_DAYS,
    TOKEN_MAX_DAYS,
    admin_account_problem,
    admin_change_problem,
    api_token_create,
    role_node_problem,
)
from civicgrid.core.admin_audit import AuditedModelAdmin, StaleEditGuard
from civicgrid.core.admin_fields import area_code_field
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError as CivicValidationError


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check: Any) -> str:
        # Django's says "请修改role 和 node的重复数据": the field codes, not a reason.
        return _("同一账号不能重复授予同一区域的同一角色")

    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if kept and self.instance.admin_role:
            raise forms.ValidationError(_("管理员账号不能同时担任业务角色（三员分立）"))
        for form in kept:
            if not form.has_changed():  # a row bound before the rule stays until someone edits it
                continue
            role, node = form.cleaned_data.get("role"), form.cleaned_data.get("node")
            if role and node and (problem := role_node_problem(role, node)) is not None:
                form.add_error("node", problem)


def _own(request: HttpRequest, obj: Any) -> bool:
    return obj is not None and obj.pk == request.user.pk


def _locked(request: HttpRequest, obj: Any) -> bool:
    """Nobody changes their own account here, nor any administrator's (三员分立)."""
    return _own(request, obj) or (obj is not None and bool(obj.admin_role))


def _add_form(base: Any) -> Any:
    """The add form has no administrator role; one sent anyway is refused, not dropped."""

    class AddForm(base):
        def clean(self) -> Any:
            data = super().clean()
            if self.data.get("admin_role"):
                raise forms.ValidationError(str(ADMIN_ROLE_ONLY_ON_SERVER))
            return data

    return AddForm


class RoleAssignmentForm(forms.ModelForm):
    node = area_code_field(
        gettext_lazy("管辖范围（区域编码）"),
        help_text=gettext_lazy("区域编码见各区域页面，如街道、社区、网格的编码"),
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "node"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    formset = RoleAssignmentFormSet
    extra = 0

    # Nobody grants or revokes their own roles, nor an administrator's: a security
    # administrator could otherwise make their own account a business user with one save
    # (三员分立).
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(request, obj) and super().has_delete_permission(request, obj)


def locked_names() -> set[str]:
    """The user names now locked by failed sign-ins (``web.login``): everywhere, or from at
    least one address. Only names that failed within the window are looked at."""
    from django.conf import settings

    from civicgrid.core.models import AuditLog
    from civicgrid.web import login

    failed = AuditLog.objects.filter(
        verb=login.LOGIN_FAILED, target_type=login.LOGIN_TARGET, created_at__gte=login._window_start()
    )
    found = set()
    for name in set(failed.values_list("target_id", flat=True)):
        if login.name_failures(name) >= settings.LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS:
            found.add(name)
            continue
        addresses = set(failed.filter(target_id=name).values_list("ip", flat=True))
        if any(login.pair_failures(name, ip) >= settings.LOGIN_MAX_FAILURES for ip in addresses):
            found.add(name)
    return found


class LockedFilter(admin.SimpleListFilter):
    title = gettext_lazy("登录锁定")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("yes", _("已锁定")), ("no", _("未锁定"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(username__in=locked_names())
        if self.value() == "no":
            return queryset.exclude(username__in=locked_names())
        return queryset


def _account_state(user: User) -> dict[str, Any]:
    """What an account holds, for the audit row of its change or deletion."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "email": user.email,
        "admin_role": user.admin_role,
        "is_active": user.is_active,
        "is_integration": user.is_integration,
        "must_change_password": user.must_change_password,
    }


class PasswordSetForm(AdminPasswordChangeForm):
    """Django's password-setting form with its help text in civicgrid's words: Django's own
    ends with an English sentence it never translates (a plain literal), and speaks of
    single sign-on, which civicgrid does not have."""

    usable_password_help_text = format_lazy(  # type: ignore[assignment]  # a lazy text, as Django's own
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        gettext_lazy("是否允许该账号用密码登录。本系统没有其他登录方式，停用后该账号无法登录。"),
        gettext_lazy("停用后，该账号当前的密码将被清除。"),
    )


@admin.register(User)
class UserAdmin(StaleEditGuard, BaseUserAdmin):
    change_password_form = PasswordSetForm
    inlines = [RoleAssignmentInline]
    list_display = [
        "username",
        "full_name",
        "title",
        "admin_role",
        "is_active",
        "is_integration",
        "sign_in_locked",
        "signed_in",
        "last_login",
    ]
    list_filter = ["admin_role", "is_active", "is_integration", LockedFilter, "role_assignments__role"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("基本信息"), {"fields": ("full_name", "title", "email")}),
        (
            gettext_lazy("管理员角色（三员分立，每个账号最多一个）"),
            {
                "fields": ("admin_role", "is_active", "is_integration", "must_change_password"),
                "description": gettext_lazy(
                    "管理员角色只能在服务器上用 civicgrid admins 设置；管理员账号（含本人账号）在此只能查看"
                ),
            },
        ),
        (gettext_lazy("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "is_integration", "password1", "password2"),
            },
        ),
    )
    # Set by an administrator's password, cleared only by the user's own change: a security
    # administrator who could clear it could sign in with the password they chose.
    readonly_fields = ["last_login", "date_joined", "must_change_password", "admin_role"]
    actions = ["unlock_sign_in", "sign_out_selected"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        self._locked_names = locked_names()  # once per list page, for the columns
        self._signed_in = sessions.signed_in_counts()
        return super().get_changelist(request, **kwargs)

    @admin.display(description=gettext_lazy("在线会话"))
    def signed_in(self, obj: User) -> int:
        counts = getattr(self, "_signed_in", None)
        return (counts if counts is not None else sessions.signed_in_counts()).get(obj.pk, 0)

    @admin.display(description=gettext_lazy("已锁定"), boolean=True)
    def sign_in_locked(self, obj: User) -> bool:
        names = getattr(self, "_locked_names", None)
        return obj.username in (names if names is not None else locked_names())

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "email" and field is not None:
            # Where deadline warnings and unit notices go by mail (CIVICGRID_NOTIFY_EMAIL);
            # optional, and checked as an address when given (Django's EmailField).
            field.label = _("电子邮箱")
            field.help_text = _(
                "选填；用于接收办理期限提醒等邮件通知（须在服务器上配置 CIVICGRID_NOTIFY_EMAIL）"
            )
        return field

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The change form refuses what would break the three administrators (三员分立): any
        change to an administrator's account, or an administrator role given here (the page
        shows both read-only; a form sent anyway is refused, and ``save_model`` checks again)."""
        base = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return _add_form(base)
        actor = request.user

        class GuardedForm(base):  # type: ignore[misc, valid-type]
            def clean(self) -> Any:
                data = super().clean()
                role = (
                    data.get("admin_role", obj.admin_role) if "admin_role" in self.fields else obj.admin_role
                )
                active = data.get("is_active", obj.is_active) if "is_active" in self.fields else obj.is_active
                problem = admin_change_problem(actor=actor, user=obj, admin_role=role, is_active=active)
                if problem:
                    raise forms.ValidationError(problem)
                if data.get("is_integration") and not obj.is_integration and obj.last_login is not None:
                    self.add_error("is_integration", str(INTEGRATION_USED))
                return data

        return GuardedForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """An administrator's account, and one's own, is shown read-only (三员分立):
        ``civicgrid admins`` on the server manages the administrators; one's own password
        is changed at ``/account/password/``."""
        return not _locked(request, obj) and super().has_change_permission(request, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        if request.method == "POST" and object_id is not None:
            user = User.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
            problem = admin_account_problem(actor=request.user, user=user) if user is not None else None
            if problem is None and user is not None and _own(request, user):
                problem = _("不能在此修改自己的账号；修改密码请到“修改密码”页面")
            if problem is not None:  # the read-only page again, with why (nothing saved)
                messages.error(request, problem)
                request = copy.copy(request)
                request.method, request.POST = "GET", QueryDict()
        return super().changeform_view(request, object_id, form_url, extra_context)

    @transaction.atomic
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Setting (or disabling) another account's password is audited with the change: whoever
        sets it could sign in as that account, so the account must change it at its next
        sign-in before anything else (``web.account.password_change_required``). One's own
        password is changed on the own-password page, with the old one (locked and audited
        like a sign-in), never set here."""
        if str(id) == str(request.user.pk):
            messages.error(request, _("不能在此设置自己的密码，请在“修改密码”页面输入原密码后修改"))
            return redirect("web:password_change")
        target = User.objects.filter(pk=id).first() if str(id).isdigit() else None
        if target is not None and (problem := admin_account_problem(actor=request.user, user=target)):
            messages.error(request, problem)
            return redirect("admin:accounts_user_change", target.pk)
        if target is not None and target.is_integration:
            messages.error(request, _("系统对接账号不能登录网页，不能为其设置密码；对接系统使用接口令牌"))
            return redirect("admin:accounts_user_change", target.pk)
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 200:
            response.status_code = 422  # the form again, with its errors (RefusedFormStatus)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.select_for_update().get(pk=id)
            if user.pk != request.user.pk and user.has_usable_password():
                user.must_change_password = True
                user.save(update_fields=["must_change_password"])
            audit_write(
                actor=request.user,
                verb=Verb.PASSWORD_SET,
                target=user,
                after={
                    "usable_password": user.has_usable_password(),
                    "must_change_password": user.must_change_password,
                },
            )
        return response

    @admin.action(description=gettext_lazy("解除所选账号的登录锁定"))
    def unlock_sign_in(self, request: HttpRequest, queryset: Any) -> None:
        """After repeated failed sign-ins a name is locked for a while (``web.login``); the
        security administrator can lift it at once (audited)."""
        from civicgrid.web.login import unlock

        users = list(queryset)
        for user in users:
            unlock(actor=request.user, username=user.get_username())
        self.message_user(request, _("已解除 {count} 个账号的登录锁定").format(count=len(users)))

    @admin.action(description=gettext_lazy("强制下线所选账号"))
    def sign_out_selected(self, request: HttpRequest, queryset: Any) -> None:
        """End the selected accounts' sessions at once (a lost phone, a colleague who left):
        their next request goes to the sign-in page. Not one's own, nor an administrator's
        (三员分立: those are managed on the server); each account ended is audited."""
        ended = skipped = 0
        for user in queryset.order_by("pk"):
            if user.admin_role or user.pk == request.user.pk:
                skipped += 1
                continue
            ended += 1 if sessions.sign_out(actor=request.user, user=user) else 0
        message = _("已强制下线 {count} 个账号").format(count=ended)
        if skipped:
            message += _("；管理员账号和本人账号不在此下线，已跳过 {count} 个").format(count=skipped)
        self.message_user(request, message)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """An administrator's account is never deleted here (it could remove the only audit
        administrator); it is changed with ``civicgrid admins`` on the server."""
        if obj is not None and obj.admin_role:
            return False
        return super().has_delete_permission(request, obj)

    def _audit_deletion(self, request: HttpRequest, user: User) -> None:
        """What the deleted account held: its details, roles with their areas, and how many
        tokens were still active (deleted with it)."""
        roles = [
            {"role": a.role, "node": a.node_id, "node_name": a.node.name}
            for a in user.role_assignments.select_related("node").order_by("id")
        ]
        tokens = user.api_tokens.filter(revoked_at__isnull=True).count()
        audit_write(
            actor=request.user,
            verb=Verb.USER_DELETED,
            target=user,
            before={**_account_state(user), "roles": roles, "active_tokens": tokens},
        )

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: User) -> None:
        if obj.admin_role:
            raise PermissionDenied(_("不能删除管理员账号"))
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        if queryset.exclude(admin_role="").exists():
            raise PermissionDenied(_("不能删除管理员账号"))
        for user in queryset:
            self._audit_deletion(request, user)
        super().delete_queryset(request, queryset)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        if change and _own(request, obj):
            raise PermissionDenied(_("不能在此修改自己的账号；修改密码请到“修改密码”页面"))
        before = None
        old = User.objects.select_for_update().get(pk=obj.pk) if change else None
        if old is not None:
            before = _account_state(old)
            if obj.is_integration and not old.is_integration and old.last_login is not None:
                raise PermissionDenied(str(INTEGRATION_USED))
        # Checked again under the lock and whatever the form had: no administrator role is
        # given here, and no administrator's account is changed (三员分立).
        problem = admin_change_problem(
            actor=request.user, user=old, admin_role=obj.admin_role, is_active=obj.is_active
        )
        if problem:
            raise PermissionDenied(problem)
        obj.is_staff = obj.admin_role in ADMIN_GROUPS
        obj.is_superuser = False
        if obj.is_integration:
            # No person signs in with it: its password (the creator's choice) is cleared, and
            # nothing waits for a change that nobody can sign in to make.
            obj.set_unusable_password()
            obj.must_change_password = False
        elif not change and obj.has_usable_password():
            obj.must_change_password = True  # the creator knows it: the user sets their own first
        super().save_model(request, obj, form, change)
        obj.groups.set(Group.objects.filter(name=ADMIN_GROUPS.get(obj.admin_role, "")))
        if old is not None and old.is_integration and not obj.is_integration:
            self._revoke_tokens(request, obj)
        after = _account_state(obj)
        if before == after:
            return  # saved without a change: nothing to record
        audit_write(
            actor=request.user,
            verb=Verb.USER_CHANGED if change else Verb.USER_CREATED,
            target=obj,
            before=before,
            after=after,
        )

    def _revoke_tokens(self, request: HttpRequest, user: User) -> None:
        """An account no longer an integration account keeps no token made for it: a person
        given the account later must not be reachable through one."""
        for token in user.api_tokens.filter(revoked_at__isnull=True).select_for_update():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_write(actor=request.user, verb=Verb.TOKEN_REVOKED, target=token)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if _own(request, form.instance) and formset.has_changed():
            raise PermissionDenied(_("不能给自己授予或撤销角色"))
        if form.instance.admin_role and formset.has_changed():
            raise PermissionDenied(_("管理员账号不能同时担任业务角色（三员分立）"))
        # The rows as stored before this save (the forms' instances already hold the edit).
        edited = [f.instance.pk for f in formset.initial_forms if f.instance.pk and f.has_changed()]
        originals = {a.pk: a for a in RoleAssignment.objects.filter(pk__in=edited).select_related("node")}
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            audit_write(
                actor=request.user,
                verb="accounts.role_revoked",
                target=deleted.user,
                node=deleted.node,
                before={"role": deleted.role, "node": deleted.node_id},
            )
            deleted.delete()
        for item in instances:
            old = originals.get(item.pk)
            if old is not None and (old.role, old.node_id) == (item.role, item.node_id):
                continue
            item.save()
            if old is not None:  # a role's area (or the role) changed: the old one is revoked
                audit_write(
                    actor=request.user,
                    verb=Verb.ROLE_REVOKED,
                    target=item.user,
                    node=old.node,
                    before={"role": old.role, "node": old.node_id},
                )
            audit_write(
                actor=request.user,
                verb="accounts.role_granted",
                target=item.user,
                node=item.node,
                after={"role": item.role, "node": item.node_id},
            )
        formset.save_m2m()


INTEGRATION_USED = gettext_lazy(
    "系统对接账号：该账号已有人登录使用过，不能改为系统对接账号；请为对接的系统新建账号"
)


class ApiTokenCreateForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("账号用户名"),
        max_length=150,
        help_text=gettext_lazy("须为勾选了“系统对接账号”的账号；令牌的权限和管辖范围与该账号相同"),
    )
    name = forms.CharField(
        label=gettext_lazy("用途"), max_length=100, help_text=gettext_lazy("如：12345热线对接、小程序")
    )
    days = forms.IntegerField(
        label=gettext_lazy("有效天数"),
        initial=TOKEN_DAYS,
        required=False,
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        help_text=format_lazy(
            gettext_lazy("令牌自创建起有效的天数，到期后须重新创建；不填为 {days} 天"), days=TOKEN_DAYS
        ),
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("账号不存在：{username}").format(username=username))
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        """Create a token through ``api_token_create`` (checked and audited there) and show
        the clear token once, on a page no cache keeps; only its hash is stored."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenCreateForm(request.POST or None, initial={"username": request.GET.get("user", "")})
        token = raw = None
        if request.method == "POST" and form.is_valid():
            try:
                token, raw = api_token_create(
                    actor=request.user,
                    user=form.cleaned_data["username"],
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"] or TOKEN_DAYS,
                )
            except CivicValidationError as exc:
                for field, reasons in (exc.errors or {"": [str(exc.message)]}).items():
                    name = "username" if field == "user" else field
                    for reason in reasons:
                        form.add_error(name if name in form.fields else None, reason)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("新增接口令牌"),
            "form": form,
            "token": token,
            "raw": raw,
            **(extra_context or {}),
        }
        refused = request.method == "POST" and token is None
        response = TemplateResponse(
            request, "admin/accounts/apitoken/create.html", context, status=422 if refused else 200
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description=gettext_lazy("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        # Admin actions run outside any transaction: the revocations and their audit rows
        # are written together or not at all (before, each save committed on its own and
        # the audit row then failed: a 500 for a revocation that had happened, unaudited).
        count = 0
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True).select_for_update(of=("self",)):
                token.revoked_at = timezone.now()
                token.save(update_fields=["revoked_at"])
                audit_write(actor=request.user, verb="accounts.token_revoked", target=token)
                count += 1
        self.message_user(request, _("已吊销 {count} 个令牌").format(count=count))


admin.site.unregister(Group)
