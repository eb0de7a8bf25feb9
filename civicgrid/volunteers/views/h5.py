"""Mobile pages (H5) for residents and volunteers, signed in with their resident account.

My card, activities (sign up, scan the venue's code to check in and out), the order hall
(take, complete with photos), my orders (order a service, confirm and rate), my points.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import once
from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import act, unlabelled
from civicgrid.registry.models import Resident
from civicgrid.territory.models import NodeKind
from civicgrid.volunteers import points_link, selectors, services
from civicgrid.volunteers.access import activity_for, led_teams, order_for
from civicgrid.volunteers.constants import ActivityStatus, OrderAction, SignupStatus, VolunteerStatus
from civicgrid.volunteers.forms import CompleteForm, ConfirmForm, ReasonForm, RegisterForm, ResidentOrderForm
from civicgrid.volunteers.models import Activity, Signup, Team, Volunteer
from civicgrid.volunteers.permissions import acting_resident, acting_volunteer
from civicgrid.volunteers.services.common import community_of
from civicgrid.volunteers.services.orders import may
from civicgrid.volunteers.services.volunteers import is_minor
from civicgrid.volunteers.views.common import form_errors, form_status, posted_rating
from civicgrid.volunteers.views.staff import card_context

View = Callable[..., HttpResponse]


def resident_only(view: View) -> View:
    """Signed in with a resident account; staff accounts get a plain explanation."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        resident = acting_resident(request.user)
        if resident is None:
            return render(request, "volunteers/h5/not_resident.html", status=403)
        return view(request, resident, *args, **kwargs)

    return wrapped


def _volunteer_or_register(resident: Resident) -> Volunteer | None:
    return Volunteer.objects.select_related("community", "node").filter(resident=resident).first()


# --- home, card, registration -------------------------------------------------------------------


@resident_only
def home(request: HttpRequest, resident: Resident) -> HttpResponse:
    volunteer = _volunteer_or_register(resident)
    community = volunteer.community if volunteer is not None else community_of(resident.node, "resident")
    context: dict[str, Any] = {"resident": resident, "volunteer": volunteer, "community": community}
    if volunteer is not None and volunteer.status == VolunteerStatus.APPROVED:
        now = timezone.now()
        context.update(
            upcoming=selectors.my_signups(volunteer).filter(
                activity__ends_at__gt=now,
                status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.CHECKED_IN],
            )[:5],
            open_activities=selectors.activities_open_to(volunteer)[:3],
            hall=selectors.orders_open_to(volunteer)[:3],
            points=points_link.balance(resident),
            led_teams=list(led_teams(request.user)),
            led_activities=selectors.activities_led(request.user)
            .filter(status=ActivityStatus.PUBLISHED)
            .distinct()
            .order_by("starts_at", "id")[:5],
        )
    context["my_orders"] = selectors.orders_of_resident(resident)[:3]
    return render(request, "volunteers/h5/home.html", context)


@resident_only
def card(request: HttpRequest, resident: Resident) -> HttpResponse:
    volunteer = _volunteer_or_register(resident)
    if volunteer is None:
        return redirect("volunteers:h5_register")
    context = card_context(volunteer) | {"movements_url": reverse("volunteers:h5_points")}
    return render(request, "volunteers/h5/card.html", context)


@resident_only
def register(request: HttpRequest, resident: Resident) -> HttpResponse:
    existing = _volunteer_or_register(resident)
    if existing is not None and existing.status != VolunteerStatus.REJECTED:
        return redirect("volunteers:h5_card")
    home_community = community_of(resident.node, "resident")
    from civicgrid.registry.models import Organisation
    from civicgrid.territory.models import Node

    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        # The community itself is the empty choice 整个社区: listed once, not again by name.
        areas=Node.objects.filter(path__startswith=home_community.path, kind=NodeKind.GRID, is_active=True)
        .exclude(pk=home_community.pk)
        .order_by("path"),
        teams=Team.objects.filter(node=home_community, is_active=True),
        organisations=Organisation.objects.filter(node_path__startswith=home_community.path).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.volunteer_register(
                actor=request.user,
                resident=resident,
                kind=data["kind"],
                service_area=data["service_area"],
                organisation=data["organisation"],
                skills=[s.code for s in data["skills"]],
                availability=data["availability"],
                intro=data["intro"],
                teams=list(data["teams"]),
                guardian_consent=data["guardian_consent"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已提交注册申请，请等待社区审核"))
            return redirect("volunteers:h5_home")
    return render(
        request,
        "volunteers/h5/register.html",
        {
            "form": form,
            "resident": resident,
            "community": home_community,
            "rejected": existing,
            "minor": is_minor(resident),
        },
        status=form_status(form),
    )


# --- activities ----------------------------------------------------------------------------------


def _approved(request: HttpRequest) -> Volunteer:
    volunteer = acting_volunteer(request.user)
    if volunteer is None or volunteer.status != VolunteerStatus.APPROVED:
        raise NotFound(_("您还不是已审核的志愿者"))
    return volunteer


@resident_only
def activities(request: HttpRequest, resident: Resident) -> HttpResponse:
    volunteer = _volunteer_or_register(resident)
    if volunteer is None:
        return redirect("volunteers:h5_register")
    return render(
        request,
        "volunteers/h5/activities.html",
        {
            "volunteer": volunteer,
            "open": selectors.activities_open_to(volunteer)[:30],
            "mine": selectors.my_signups(volunteer)[:30],
        },
    )


@resident_only
def activity(request: HttpRequest, resident: Resident, pk: int) -> HttpResponse:
    found = activity_for(request.user, pk)
    volunteer = _volunteer_or_register(resident)
    back = reverse("volunteers:h5_activity", args=[pk])
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return act(
                request,
                lambda: services.activity_signup_cancel(actor=request.user, activity=found),
                _("已取消报名"),
                back,
            )
        return act(
            request,
            lambda: services.activity_signup(actor=request.user, activity=found),
            signup_message,
            back,
        )
    signup = found.signups.filter(volunteer=volunteer).first() if volunteer else None
    counted = selectors.with_counts(Activity.objects.filter(pk=found.pk)).get()
    return render(
        request,
        "volunteers/h5/activity.html",
        {"activity": counted, "signup": signup, "skills": found.skills.all(), "volunteer": volunteer},
    )


def signup_message(signup: Signup) -> str:
    """One message for a sign-up: a place, or a place in the waiting line (not both)."""
    if signup.status == SignupStatus.WAITLISTED:
        return _("名额已满，您已进入候补，有人取消时自动递补")
    return _("报名成功")


@resident_only
def scan(request: HttpRequest, resident: Resident, pk: int, code: str) -> HttpResponse:
    """The page the venue's QR code opens: check in, or check out when already in."""
    found = services.activities.activity_by_code(pk, code)
    volunteer = _volunteer_or_register(resident)
    if volunteer is None:
        return redirect("volunteers:h5_register")
    back = reverse("volunteers:h5_scan", args=[pk, code])
    if request.method == "POST":
        if request.POST.get("action") == "out":
            return act(
                request,
                lambda: services.activity_check_out(actor=request.user, activity=found, code=code),
                _("签退成功，服务时长和积分已记录"),
                back,
            )
        return act(
            request,
            lambda: services.activity_check_in(actor=request.user, activity=found, code=code),
            _("签到成功"),
            back,
        )
    signup = found.signups.filter(volunteer=volunteer).first()
    return render(request, "volunteers/h5/scan.html", {"activity": found, "signup": signup, "code": code})


# --- orders --------------------------------------------------------------------------------------


@resident_only
def orders(request: HttpRequest, resident: Resident) -> HttpResponse:
    """The hall of published orders of my community, and the orders I hold."""
    volunteer = _volunteer_or_register(resident)
    hall = (
        selectors.orders_open_to(volunteer)[:30]
        if volunteer is not None and volunteer.status == VolunteerStatus.APPROVED
        else []
    )
    return render(
        request,
        "volunteers/h5/orders.html",
        {"volunteer": volunteer, "hall": hall, "taken": selectors.orders_taken_by(resident)[:30]},
    )


@resident_only
def my_orders(request: HttpRequest, resident: Resident) -> HttpResponse:
    return render(
        request, "volunteers/h5/my_orders.html", {"orders": selectors.orders_of_resident(resident)[:50]}
    )


@resident_only
def order_new(request: HttpRequest, resident: Resident) -> HttpResponse:
    form = ResidentOrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request):
                created = services.service_order_create(
                    actor=request.user,
                    data=services.NewOrder(
                        title=data["title"],
                        content=data["content"],
                        service_type=data["service_type"],
                        orderer_resident=resident,
                        address=data["address"],
                        wanted_from=data["wanted_from"],
                    ),
                )
        except once.Repeated:
            return once.repeated(request, "volunteers:h5_my_orders")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("已提交服务需求 {number}，社区会尽快安排").format(number=created.number)
            )
            return redirect("volunteers:h5_order", created.pk)
    return render(request, "volunteers/h5/order_new.html", {"form": form}, status=form_status(form))


@resident_only
def order(request: HttpRequest, resident: Resident, pk: int) -> HttpResponse:
    actor = request.user
    try:
        found = order_for(actor, pk)
    except NotFound:
        if request.method == "POST" and request.POST.get("action") == OrderAction.TAKE:
            # Taken by someone else since the hall was shown: say so, back to the hall.
            messages.error(request, _("该服务单已被他人接单或已不再开放"))
            return redirect("volunteers:h5_orders")
        raise
    if request.method == "POST":
        return _order_act(request, resident, found)
    return _order_page(request, resident, found)


# The form of each step that takes typed input, shown again with it when the step is refused.
_STEP_FORMS: dict[str, tuple[str, type[CompleteForm | ConfirmForm | ReasonForm]]] = {
    OrderAction.COMPLETE: ("complete_form", CompleteForm),
    OrderAction.CONFIRM: ("confirm_form", ConfirmForm),
    OrderAction.REOPEN: ("reason_form", ReasonForm),
    OrderAction.RELEASE: ("reason_form", ReasonForm),
    OrderAction.CANCEL: ("reason_form", ReasonForm),
}


def _order_page(
    request: HttpRequest, resident: Resident, found: Any, refused: dict[str, Any] | None = None
) -> HttpResponse:
    """The order's page; ``refused`` holds a refused step's form, bound to what was typed and
    carrying each reason beside its field (answered 422)."""
    actor = request.user
    forms: dict[str, Any] = {
        "complete_form": CompleteForm(),
        "confirm_form": ConfirmForm(),
        "reason_form": ReasonForm(),
        **(refused or {}),
    }
    return render(
        request,
        "volunteers/h5/order.html",
        {
            "order": found,
            "photos": found.photos.all(),
            "events": selectors.order_events(found),
            "can": {a: may(actor, found, a) for a in OrderAction.values if a != OrderAction.CREATE},
            **forms,
            "mine": found.taker_resident_id == resident.pk,
            "ordered_by_me": found.orderer_resident_id == resident.pk,
        },
        status=422 if refused else 200,
    )


def _order_act(request: HttpRequest, resident: Resident, found: Any) -> HttpResponse:
    actor, post = request.user, request.POST
    back = reverse("volunteers:h5_order", args=[found.pk])
    reason = post.get("reason", "")
    what = post.get("action", "")
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        OrderAction.TAKE: (lambda: services.service_order_take(actor=actor, order=found), _("接单成功")),
        OrderAction.RELEASE: (
            lambda: services.service_order_release(actor=actor, order=found, reason=reason),
            _("已退回服务单"),
        ),
        OrderAction.COMPLETE: (
            lambda: services.service_order_complete(
                actor=actor,
                order=found,
                note=post.get("note", ""),
                hours=post.get("hours", "") or "0",
                photos=request.FILES.getlist("photos"),
            ),
            _("已提交完成情况，等待居民确认"),
        ),
        OrderAction.CONFIRM: (
            lambda: services.service_order_confirm(
                actor=actor,
                order=found,
                rating=posted_rating(post),
                comment=post.get("comment", ""),
            ),
            _("感谢您的评价"),
        ),
        OrderAction.REOPEN: (
            lambda: services.service_order_reopen(actor=actor, order=found, reason=reason),
            _("已退回，请志愿者继续服务"),
        ),
        OrderAction.CANCEL: (
            lambda: services.service_order_cancel(actor=actor, order=found, reason=reason),
            _("已取消"),
        ),
    }
    if what not in calls:
        messages.error(request, _("未知的操作"))
        return HttpResponseRedirect(back)
    call, done = calls[what]
    if what in _STEP_FORMS:
        name, form_class = _STEP_FORMS[what]
        try:
            call()
        except ValidationError as exc:
            # Bad input: the page again with what was typed and each reason beside its field.
            form = form_class(post)
            form.is_valid()
            form.errors.clear()
            # The photos are no field of the form: their reasons go beside the file input.
            photos = exc.errors.get("photos", []) if what == OrderAction.COMPLETE else []
            rest = _without(exc.errors, "photos") if photos else exc.errors
            if rest or not exc.errors:
                form_errors(form, ValidationError(errors=rest) if rest else exc)
            return _order_page(request, resident, found, {name: form, "photo_errors": photos})
        except CivicError as exc:
            # Another kind of refusal (changed meanwhile, not allowed): worded as ``act`` does.
            messages.error(request, unlabelled(exc))
            return HttpResponseRedirect(_order_gone(actor, found.pk)() or back)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(back)
    return act(request, call, done, back, gone=_order_gone(actor, found.pk))


def _without(errors: dict[str, list[str]], field: str) -> dict[str, list[str]]:
    return {name: reasons for name, reasons in errors.items() if name != field}


def _order_gone(actor: Any, pk: int) -> Callable[[], str | None]:
    """Where to go when the order is no longer ours to see (another volunteer took it first):
    the order hall, not a 404."""

    def where() -> str | None:
        try:
            order_for(actor, pk)
        except NotFound:
            return reverse("volunteers:h5_orders")
        return None

    return where


# --- points --------------------------------------------------------------------------------------


@resident_only
def points(request: HttpRequest, resident: Resident) -> HttpResponse:
    """The balance and every movement, 30 a page (the card shows the latest and links here)."""
    page = paginate(request, points_link.movements_all(resident), per_page=30)
    return render(
        request,
        "volunteers/h5/points.html",
        {
            "points": points_link.balance(resident),
            "time_bank": points_link.time_bank_hours(resident),
            "movements": points_link.signed(resident, page),
            "page": page,
            "query": query_without_page(request),
            "volunteer": _volunteer_or_register(resident),
        },
    )
