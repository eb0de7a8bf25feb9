"""The working-calendar pages of the system administrator (节假日与调休).

Every staff account may read them (the calendar sets everyone's deadlines); only the system
administrator (``Capability.CALENDAR_EDIT``) sees the forms and may write.

``/workcal/``: the years entered, each with its holidays and make-up days and whether it is
confirmed, and a warning for this year and (from October) next year when not entered.
``/workcal/<year>/``: the year month by month, a form to set or clear one day, the line
format to enter many at once, confirming the year, loading it from chinese-calendar.
Every write goes through ``services`` with the year's version the page showed; a refusal
shows the page again with what was typed and the reason at its field (422, 409 on a
concurrent change).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any
from civicgrid.core.errors import CivicError, Conflict, NotFound, ValidationError
from civicgrid.exchange.exports import attachment
from civicgrid.workcal import exports, rules, selectors, services
from civicgrid.workcal.forms import (
    FIELD_LABELS,
    KIND_REST,
    KIND_WORK,
    ClearForm,
    ConfirmForm,
    DayForm,
    ImportForm,
    SeedForm,
)

# i18n: data (the example shown in the bulk entry box: the format's own words)
IMPORT_EXAMPLE = (
    "2027-01-01 休 元旦\n2027-02-11 至 2027-02-17 休 春节\n2027-02-07 班 春节调休\n2027-02-20 班 春节调休"
)


def _can_edit(request: HttpRequest) -> bool:
    return has_capability(request.user, Capability.CALENDAR_EDIT)


def _editor(request: HttpRequest) -> Any:
    require_any(request.user, Capability.CALENDAR_EDIT)
    return request.user


def _year(year: int) -> int:
    if rules.year_errors(year):
        raise NotFound(
            _("年份应在 {first} 至 {last} 之间").format(first=rules.FIRST_YEAR, last=rules.LAST_YEAR)
        )
    return year


def _version(form: forms.Form) -> str | None:
    return form.cleaned_data.get("version") or None


def _refuse(form: forms.Form, exc: CivicError) -> int:
    """Put a service's refusal on the form; the status the page is shown with."""
    errors = exc.errors if isinstance(exc, ValidationError) else {}
    if not errors:
        form.add_error(None, exc.message)
    for name, reasons in errors.items():
        for reason in reasons:
            if name in form.fields and not isinstance(form.fields[name].widget, forms.HiddenInput):
                form.add_error(name, reason)
            else:
                form.add_error(None, f"{FIELD_LABELS.get(name, _('输入'))}：{reason}")
    return exc.http_status


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("year", "").strip()
    if wanted:
        if wanted.isdecimal() and not rules.year_errors(int(wanted)):
            return redirect("workcal:year", year=int(wanted))
        messages.error(
            request, _("年份应在 {first} 至 {last} 之间").format(first=rules.FIRST_YEAR, last=rules.LAST_YEAR)
        )
    on = selectors.today()
    warnings = selectors.pending_warnings(on)
    context = {
        "years": selectors.years_overview(on, warnings),
        "warnings": warnings,
        "today": on,
        "threshold": selectors.threshold(),
        "can_edit": _can_edit(request),
    }
    return render(request, "workcal/index.html", context)


# The task ``services`` enqueues after a change (``requests.tasks.recompute_deadlines``), as
# the database queue stores its path.
RECOMPUTE_TASK = "civicgrid.requests.tasks.recompute_deadlines"
RECOMPUTE_RECENT = 50  # the newest runs looked at for one year
RECOMPUTE_STALLED = timedelta(minutes=2)  # queued this long and not started: no worker runs


@dataclass
class Recompute:
    """The deadline recomputes of one year, as the database queue holds them: the one queued
    or running (``pending``) and the newest finished one (``last``, with its counts)."""

    pending: Any = None  # django_tasks_db DBTaskResult, READY or RUNNING
    stalled: bool = False  # pending, queued for long and not started
    last: Any = None  # the newest SUCCESSFUL or FAILED run
    counts: dict[str, int] | None = None  # the last successful run's changed/unchanged/skipped


def _task_years(row: Any) -> list[int]:
    args = (row.args_kwargs or {}).get("args") or [[]]
    return [y for y in args[0] if isinstance(y, int)] if isinstance(args[0], list) else []


def recompute_state(year: int) -> Recompute:
    """Whether the deadlines crossing ``year`` are being recomputed after a change to it, and
    how the last recompute ended, read from the task queue (django-tasks' database backend:
    with another backend, or none queued yet, nothing is said)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = [
        row
        for row in DBTaskResult.objects.filter(task_path=RECOMPUTE_TASK)
        .order_by("-enqueued_at")
        .only("status", "enqueued_at", "started_at", "finished_at", "args_kwargs", "return_value")[
            :RECOMPUTE_RECENT
        ]
        if year in _task_years(row)
    ]
    found = Recompute()
    running = [r for r in rows if r.status == TaskResultStatus.RUNNING]
    queued = [r for r in rows if r.status == TaskResultStatus.READY]
    found.pending = running[0] if running else (queued[0] if queued else None)
    if found.pending is not None and found.pending.status == TaskResultStatus.READY:
        found.stalled = timezone.now() - queued[-1].enqueued_at > RECOMPUTE_STALLED
    done = [
        r
        for r in rows
        if r.finished_at and r.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    ]
    if done:
        found.last = max(done, key=lambda r: r.finished_at)
        value = found.last.return_value
        if found.last.status == TaskResultStatus.SUCCESSFUL and isinstance(value, dict):
            found.counts = {k: int(value.get(k) or 0) for k in ("changed", "unchanged", "skipped")}
    return found


def _day_form_for(day: date | None, version: str) -> tuple[DayForm, bool]:
    """The day form filled for ``day`` (its entry, or what it would likely become)."""
    if day is None:
        return DayForm(initial={"version": version, "kind": KIND_REST}), False
    entry = selectors.day_entry(day)
    kind = (
        (KIND_WORK if entry.is_workday else KIND_REST)
        if entry
        else (KIND_WORK if day.weekday() >= 5 else KIND_REST)
    )
    initial = {"date": day, "kind": kind, "name": entry.name if entry else "", "version": version}
    return DayForm(initial=initial), entry is not None


def _asked_day(request: HttpRequest, year: int) -> date | None:
    try:
        day = date.fromisoformat(request.GET.get("date", "").strip())
    except ValueError:
        return None
    return day if day.year == year else None


def _page(request: HttpRequest, year: int, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    on = selectors.today()
    version = selectors.year_version(year)
    days = selectors.year_days(year)
    confirmation = selectors.year_confirmation(year)
    day = _asked_day(request, year)
    day_form, has_entry = _day_form_for(day, version)
    context = {
        "year": year,
        "version": version,
        "days": days,
        "months": selectors.year_months(year, days, on),
        "holidays": sum(1 for d in days if not d.is_workday),
        "makeups": sum(1 for d in days if d.is_workday),
        "confirmation": confirmation,
        "missing": "" if confirmation else selectors.missing_warning(year),
        "warnings": [w for w in selectors.pending_warnings(on) if w[0] != year],  # this one: above
        "library_knows": selectors.library_knows(year),
        "day_form": forms_.get("day_form") or day_form,
        "day_has_entry": has_entry,
        "import_form": forms_.get("import_form") or ImportForm(initial={"version": version}),
        # A refused 批量录入 says so at the top too: its reasons are below the twelve months.
        "import_error_count": sum(len(e) for e in forms_["import_form"].errors.values())
        if "import_form" in forms_
        else 0,
        "confirm_form": forms_.get("confirm_form") or ConfirmForm(initial={"version": version}),
        "seed_form": forms_.get("seed_form") or SeedForm(initial={"version": version}),
        "clear_error": forms_.get("clear_form"),
        "example": IMPORT_EXAMPLE.replace("2027", str(year)),
        "today": on,
        "can_edit": _can_edit(request),
        "recompute": recompute_state(year),
    }
    return render(request, "workcal/year.html", context, status=status)


@login_required
@require_GET
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    return _page(request, _year(year))


@login_required
@require_GET
def days_export(request: HttpRequest, year: int) -> HttpResponse:
    """The year's days as a text file in the line format of 批量录入 (round-trips)."""
    year = _year(year)
    body = exports.year_text(year).encode()
    return attachment(body, content_type="text/plain; charset=utf-8", filename=exports.file_name(year))


@login_required
@require_GET
def day_form(request: HttpRequest, year: int) -> HttpResponse:
    """The form for one day (htmx: a click on the calendar fills it)."""
    _editor(request)  # a reader's calendar cells are not links
    year = _year(year)
    version = selectors.year_version(year)
    form, has_entry = _day_form_for(_asked_day(request, year), version)
    context = {"year": year, "day_form": form, "day_has_entry": has_entry, "version": version}
    return render(request, "workcal/_day_form.html", context)


def _back(year: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("workcal:year", args=[year]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def day_set(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    year = _year(year)
    form = DayForm(request.POST)
    status = 422
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            if day.year != year:
                raise ValidationError(_("日期不在 {year} 年").format(year=year), field="date")
            services.calendar_day_set(
                actor=actor,
                day=day,
                is_workday=form.cleaned_data["kind"] == KIND_WORK,
                name=form.cleaned_data["name"],
                expected_version=_version(form),
            )
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(request, _("已保存 {date}").format(date=day.isoformat()))
            return _back(year, "calendar")
    return _page(request, year, status=status, day_form=form)


@login_required
@require_POST
def day_clear(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    year = _year(year)
    form = ClearForm(request.POST)
    status = 422
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            if day.year != year:
                raise ValidationError(_("日期不在 {year} 年").format(year=year), field="date")
            cleared = services.calendar_day_clear(actor=actor, day=day, expected_version=_version(form))
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            text = _("已清除 {date}，按周一至周五计算") if cleared else _("{date} 本来就没有录入")
            messages.success(request, text.format(date=day.isoformat()))
            return _back(year, "days")
    return _page(request, year, status=status, clear_form=form)


@login_required
@require_POST
def year_confirm(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    year = _year(year)
    form = ConfirmForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.calendar_year_confirm(
                actor=actor,
                year=year,
                note=form.cleaned_data["note"],
                expected_version=_version(form),
                few_ok=form.cleaned_data["few_ok"],
            )
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(
                request, _("已确认 {year} 年节假日安排，期限将按录入的安排计算").format(year=year)
            )
            return _back(year)
    return _page(request, year, status=status, confirm_form=form)


@login_required
@require_POST
def year_seed(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    year = _year(year)
    form = SeedForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            written = services.calendar_seed_year(actor=actor, year=year, expected_version=_version(form))
            if not written:
                raise ValidationError(
                    _("已安装的 chinese-calendar 不包含 {year} 年的安排，请手工录入或升级该库后再试").format(
                        year=year
                    ),
                    field="year",
                )
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            messages.success(
                request, _("已从 chinese-calendar 载入 {year} 年安排（{n} 天）").format(year=year, n=written)
            )
            return _back(year)
    return _page(request, year, status=status, seed_form=form)


@login_required
@require_POST
def days_import(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    year = _year(year)
    form = ImportForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            result = services.calendar_days_import(
                actor=actor,
                text=form.cleaned_data["lines"],
                year=year,
                confirm=form.cleaned_data["confirm"],
                expected_version=_version(form),
                few_ok=form.cleaned_data["few_ok"],
            )
        except (ValidationError, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            text = _("已录入：设置 {set} 天，清除 {cleared} 天，{unchanged} 天原已如此").format(
                set=result.set, cleared=result.cleared, unchanged=result.unchanged
            )
            if result.confirmed:
                text += _("；已确认 {year} 年安排").format(year=year)
            messages.success(request, text)
            return _back(year, "calendar")
    return _page(request, year, status=status, import_form=form)
