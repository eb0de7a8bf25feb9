"""Django admin for the system administrator (节假日与调休, 已录入节假日安排的年份). Every save
goes through ``services`` (the same checks, the same audit rows); the page ``/workcal/`` is
the main tool (the year's months, entering many days at once)."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.core.admin_audit import RefusedFormStatus
from civicgrid.workcal import rules, services
from civicgrid.workcal.models import CalendarDay, CalendarYear


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]

    def clean_date(self) -> date:
        """A day already entered is changed on its own row (another date is another row): say
        so, with what it holds, instead of the stock uniqueness message."""
        day: date = self.cleaned_data["date"]
        existing = CalendarDay.objects.filter(date=day).exclude(pk=self.instance.pk).first()
        if existing is not None:
            kind = _("调休上班") if existing.is_workday else _("放假")
            named = f"{kind}·{existing.name}" if existing.name else kind
            raise forms.ValidationError(
                _("日期 {date} 已录入（类型：{kind}），请在列表中打开该日期直接修改").format(
                    date=day.isoformat(), kind=named
                ),
                code="unique",
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date") or getattr(self.instance, "date", None)
        if day is not None:
            errors = rules.day_errors(day, bool(data.get("is_workday")), data.get("name") or "")
            for field, reasons in errors.items():
                self.add_error(field if field in self.fields else None, reasons)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(RefusedFormStatus):
    form = CalendarDayForm
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj is not None else []  # another date is another row

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: forms.ModelForm, change: bool) -> None:
        row = services.calendar_day_set(
            actor=request.user, day=obj.date, is_workday=obj.is_workday, name=obj.name
        )
        obj.pk = row.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_clear(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        reasons = rules.year_errors(year)
        if reasons:
            raise forms.ValidationError(reasons)
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(RefusedFormStatus):
    form = CalendarYearForm
    list_display = ["year", "source", "note", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year", "source"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a year once confirmed stays; correct its days instead

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: forms.ModelForm, change: bool
    ) -> None:
        # The admin is the expert's way in: it confirms as asked, without the year page's question
        # about a year entered only in part (``few_ok``).
        row = services.calendar_year_confirm(actor=request.user, year=obj.year, note=obj.note, few_ok=True)
        obj.pk = row.pk
