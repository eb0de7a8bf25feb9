"""Pages of joint committees: part-time members, meetings with attendance, decisions and tasks."""

import re
import unicodedata
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.views_forms import act, date_or_none, pk_or_none, unlabelled, value
from civicgrid.party import selectors, services
from civicgrid.party.constants import (
    COMMITTEE_MAX_MEMBERS,
    COMMITTEE_MIN_MEMBERS,
    CommitteeSource,
    MeetingKind,
    TaskStatus,
)
from civicgrid.party.services.committees import current_part_time_members, previous_quarter
from civicgrid.party.views.common import (
    can_edit,
    datetime_value,
    lines,
    require_filled,
    require_view,
    required_date,
    values,
)


@login_required
def committees(request: HttpRequest) -> HttpResponse:
    require_view(request)
    today = timezone.localdate()
    qs = (
        selectors.committees_visible(request.user)
        .filter(is_active=True)
        .select_related("node")
        .annotate(
            meetings_total=Count("meetings", distinct=True),
            last_meeting=Max("meetings__held_at"),
            seated=Count(
                "part_time_members",
                filter=Q(part_time_members__term_start__lte=today)
                & (Q(part_time_members__term_end__isnull=True) | Q(part_time_members__term_end__gte=today)),
                distinct=True,
            ),
        )
        .order_by("node_path")
    )
    year, quarter = previous_quarter(today)
    context = {
        "committees": qs,
        "warnings": selectors.warnings_visible(request.user)
        .select_related("committee")
        .order_by("-year", "-quarter")[:100],
        "open_tasks": selectors.tasks_visible(request.user)
        .filter(status=TaskStatus.OPEN)
        .select_related("meeting")[:100],
        "min": COMMITTEE_MIN_MEMBERS,
        "max": COMMITTEE_MAX_MEMBERS,
        "last_quarter": _("{year}年第{quarter}季度").format(year=year, quarter=quarter),
    }
    return render(request, "party/committees.html", context)


@login_required
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.committee_get(request.user, pk)
    today = timezone.localdate()
    seated = list(current_part_time_members(org, today).order_by("term_start", "id"))
    context = {
        "committee": org,
        "seated": seated,
        "former": org.part_time_members.filter(term_end__lt=today).order_by("-term_end"),
        "meetings": org.meetings.annotate(
            present=Count("attendance", filter=Q(attendance__present=True))
        ).order_by("-held_at")[:50],
        "warnings": org.warnings.all(),
        "can_edit": can_edit(request, org.node_path),
        "sources": CommitteeSource.choices,
        "size_note": _size_note(len(seated)),
        "today": today.isoformat(),
    }
    return render(request, "party/committee.html", context)


def _size_note(n: int) -> str:
    if n < COMMITTEE_MIN_MEMBERS:
        return _("现有兼职委员{n}人，少于一般配备的{committee_min_members}人").format(
            n=n, committee_min_members=COMMITTEE_MIN_MEMBERS
        )
    if n > COMMITTEE_MAX_MEMBERS:
        return _("现有兼职委员{n}人，多于一般配备的{committee_max_members}人").format(
            n=n, committee_max_members=COMMITTEE_MAX_MEMBERS
        )
    return ""


@login_required
@require_POST
def committee_act(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.committee_get(request.user, pk)
    back = reverse("party:committee", args=[pk])
    action = value(request, "action")
    if action == "seat":

        def seat() -> object:
            require_filled(request, {"name": _("姓名"), "term_start": _("任期开始")})
            return services.committee_member_add(
                actor=request.user,
                committee=org,
                name=value(request, "name"),
                source=value(request, "source"),
                title=value(request, "title") or _("兼职委员"),
                unit_name=value(request, "unit_name"),
                term_start=required_date(value(request, "term_start"), "term_start", _("任期开始")),
                term_end=date_or_none(value(request, "term_end"), "term_end", _("任期结束")),
            )

        return act(
            request,
            seat,
            _("兼职委员已增补"),
            back,
        )
    if action == "leave":
        row = org.part_time_members.filter(pk=pk_or_none(value(request, "row")) or 0).first()
        if row is None:
            raise NotFound(_("委员不存在"))
        return act(
            request,
            lambda: services.committee_member_leave(
                actor=request.user, committee_member=row, on=date.today()
            ),
            _("任期已结束"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.committee_get(request.user, pk)
    seated = list(current_part_time_members(org, timezone.localdate()).order_by("term_start", "id"))
    context = {"committee": org, "seated": seated, "kinds": MeetingKind.choices, "form": request.POST}
    if request.method != "POST":
        return render(request, "party/meeting_new.html", context)
    present = {seat for v in values(request, "present") if (seat := pk_or_none(v)) is not None}
    context["present"] = present  # the ticks as sent, kept when the form is refused
    try:
        decisions = lines(request, "decisions")
        typed = lines(request, "tasks")
        tasks = [
            services.TaskIn(
                title=parts[0],
                owner_name=parts[1] if len(parts) > 1 else "",
                due_on=_due(parts, number),
                decision=_decision(parts, number, typed[number - 1], len(decisions)),
            )
            for number, parts in enumerate(_task_lines(typed), start=1)
        ]
        data = services.MeetingIn(
            kind=value(request, "kind"),
            title=value(request, "title"),
            # left empty, the service names it with every other missing field
            held_at=datetime_value(raw, "held_at", _("时间")) if (raw := value(request, "held_at")) else None,
            agenda=value(request, "agenda"),
            place=value(request, "place"),
            minutes=value(request, "minutes"),
            attendance=[
                services.AttendanceIn(
                    m.pk, m.pk in present, "" if m.pk in present else value(request, f"note_{m.pk}")
                )
                for m in seated
            ],
            decisions=decisions,
            tasks=tasks,
        )
        meeting = services.meeting_record(actor=request.user, committee=org, data=data)
    except CivicError as exc:
        return render(
            request, "party/meeting_new.html", context | {"error": unlabelled(exc)}, status=exc.http_status
        )
    messages.success(request, _("会议活动已记录"))
    return redirect("party:meeting", meeting.pk)


def _task_parts(line: str) -> list[str]:
    """A task line as typed: 任务|责任人|期限, with the full-width ｜ of a Chinese keyboard
    (and full-width digits) read as the half-width ones (NFKC)."""
    return [part.strip() for part in unicodedata.normalize("NFKC", line).split("|")]


def _task_lines(typed: list[str]) -> list[list[str]]:
    """Each task line split in at most four parts (任务|责任人|完成期限|对应决定); a line with
    more is refused, named (a part silently dropped would be lost)."""
    rows = [_task_parts(line) for line in typed]
    for number, (line, parts) in enumerate(zip(typed, rows, strict=True), start=1):
        if len(parts) > 4:
            raise ValidationError(
                _(
                    "跟进任务第{number}行「{line}」多了「|」分隔的内容，格式为：任务|责任人|完成期限|对应决定序号"
                ).format(number=number, line=line),
                field="tasks",
            )
    return rows


DECISION_TYPED = re.compile(r"^(?:决定)?(?:第)?(\d+)(?:条|项)?$")


def _decision(parts: list[str], number: int, line: str, decisions: int) -> int | None:
    """The decision a task follows from: the 4th part, the decision's number in the list
    (1, 第1条 or 决定1), as an index; None when left out."""
    raw = parts[3].replace(" ", "") if len(parts) > 3 else ""
    if not raw:
        return None
    found = DECISION_TYPED.match(raw)
    if found is None or not 1 <= int(found.group(1)) <= decisions:
        raise ValidationError(
            _("跟进任务第{number}行「{line}」：对应决定「{raw}」应为决定事项的序号（{choices}）").format(
                number=number,
                line=line,
                raw=raw,
                choices=_("1至{n}").format(n=decisions) if decisions else _("尚未填写决定事项"),
            ),
            field="tasks",
        )
    return int(found.group(1)) - 1


DAY_TYPED = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _due(parts: list[str], number: int) -> date | None:
    """The due day: 2026-12-30, also 2026/12/30, 2026.12.30 or 2026年12月30日; a refusal
    names the task (第N项任务)."""
    raw = parts[2] if len(parts) > 2 else ""
    found = DAY_TYPED.match(raw)
    if found:
        year, month, day = (int(group) for group in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    return date_or_none(
        raw, "tasks", _("第{number}项任务「{title}」的完成期限").format(number=number, title=parts[0])
    )


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get(request.user, pk)
    context = {
        "meeting": found,
        "attendance": found.attendance.select_related("committee_member"),
        "decisions": found.decisions.all(),
        "tasks": found.tasks.select_related("decision"),
        "can_edit": can_edit(request, found.node_path),
    }
    return render(request, "party/meeting.html", context)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.tasks_visible(request.user).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("任务不存在或您无权查看"))
    back = reverse("party:meeting", args=[task.meeting_id])
    return act(
        request,
        lambda: services.task_complete(actor=request.user, task=task, result=value(request, "result")),
        _("任务已办结"),
        back,
    )
