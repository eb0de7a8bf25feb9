"""Resident pages (居民端 H5, no login) and the digital doorplate (数字门牌).

Residents submit, track (number + phone) and rate; a doorplate scanned on a building
reports with the place filled in or raises a one-click alarm. Every write goes through
``civicgrid.requests.services`` as the ``SYSTEM`` actor (intake) or through the rating
link (the requester). Abuse guards: CSRF, a honeypot field, and per-IP limits kept in the
default cache (``REQUESTS_H5_SUBMIT_LIMIT`` per ``REQUESTS_H5_WINDOW_SECONDS``; alarms their
own ``REQUESTS_H5_ALARM_LIMIT``; failed lookups ``limits.track_blocked``). The report and
alarm forms carry a one-time token (``core.once``): a resent form shows the first request's
done page instead of filing again. The track and rate pages are sent ``Cache-Control:
no-store`` (``never_cache``): they hold personal data; a rating redirects to its thank-you
page (Post/Redirect/Get). Staff print plates (login, territory scope).
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core import crypto, once
from civicgrid.core.errors import CivicError, Conflict, NotFound, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.uploads import IMAGE_TYPES, MAX_PIXELS, starts_as, too_many_pixels, upload_is_whole
from civicgrid.core.validators import normalise_phone, phone_input_problem
from civicgrid.requests import services
from civicgrid.requests import web_helpers as web
from civicgrid.requests.constants import (
    RATING_COMMENT_MAX,
    Action,
    Channel,
    RequestType,
    Status,
    UnitKind,
    Urgency,
)
from civicgrid.requests.doorplate import (
    building_address,
    building_for_token,
    doorplate_url,
    places_for,
    qr_svg,
)
from civicgrid.requests.limits import (
    limit,
    limit_count,
    limit_reached,
    track_blocked,
    track_missed,
    window_words,
)
from civicgrid.requests.models import Attachment, Category, Rating, Request, RequestEvent
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.public import about_a_place_q
from civicgrid.requests.selectors import (
    awaiting_verification,
    current_catalogue,
    leaf_categories,
    normalise_number,
)
from civicgrid.requests.services.dispatch import unit_for_place
from civicgrid.requests.services.intake import follow_up_note, retyped
from civicgrid.requests.transitions import OPEN
from civicgrid.territory import selectors as territory
from civicgrid.territory.models import Node, NodeKind

T = "requests/resident/"
MAX_PHOTOS = 3
DONE_SALT = "civicgrid.requests.h5.done"
HONEYPOT = "website"
RATABLE = (Status.REPLIED, Status.VERIFIED)
RATED = (Status.CALLED_BACK, Status.CLOSED)
PLATES_PER_PAGE = 120
PLATES_PER_SHEET = 6  # one A4 page: 2 columns × 3 rows
NOT_FOUND = gettext_lazy("未找到该诉求，请核对诉求编号和手机号")


# ---------------------------------------------------------------- per-IP limits


# Alarms have a budget of their own: residents behind one address (a building's shared Wi-Fi,
# a carrier's NAT) who used up the submissions can still raise an alarm, a bounded number.
BUDGETS = {"submit": ("REQUESTS_H5_SUBMIT_LIMIT", 10), "alarm": ("REQUESTS_H5_ALARM_LIMIT", 30)}


def _blocked(request: HttpRequest, kind: str) -> bool:
    name, default = BUDGETS[kind]
    return limit_reached(kind, request, limit(name, default))


# ---------------------------------------------------------------- forms

PUBLIC_TYPES = [(v, label) for v, label in RequestType.choices if v != RequestType.EMERGENCY]


def common_categories(limit: int = 12) -> list[Category]:
    """Leaves residents pick from: the most used of the last 180 days, else the first ones."""
    version = current_catalogue()
    if version is None:
        return []
    key = f"civicgrid:h5:categories:{version.pk}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        since = timezone.now() - timedelta(days=180)
        used = (
            Request.objects.filter(received_at__gte=since, category__version=version, category__level=3)
            .values("category")
            .annotate(n=Count("id"))
            .order_by("-n")[:limit]
        )
        ids = [row["category"] for row in used]
        if len(ids) < limit:
            more = leaf_categories(version).exclude(pk__in=ids).values_list("pk", flat=True)
            ids += list(more[: limit - len(ids)])
        cache.set(key, ids, 3600)
    return list(leaf_categories(version).filter(pk__in=ids))


def category_choices(leaves: list[Category]) -> list[Any]:
    """Grouped by level 1 · level 2, the way residents think of them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for leaf in leaves:
        head = " · ".join(leaf.full_name.split("/")[:2])
        groups.setdefault(head, []).append((str(leaf.pk), leaf.name))
    return [("", _("不确定（由工作人员分类）")), *groups.items()]


class ReportForm(forms.Form):
    """What a resident tells us; ``located`` adds the browser's point (H5, not the doorplate)."""

    type = forms.ChoiceField(
        label=gettext_lazy("诉求类型"),
        choices=PUBLIC_TYPES,
        initial=RequestType.COMPLAINT,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=gettext_lazy("问题分类（选填）"), required=False)
    title = forms.CharField(
        label=gettext_lazy("标题"), max_length=200, error_messages={"required": gettext_lazy("请填写标题")}
    )
    content = forms.CharField(
        label=gettext_lazy("具体内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("请填写具体内容")},
    )
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    phone = forms.CharField(label=gettext_lazy("联系电话（匿名可不填）"), max_length=20, required=False)
    name = forms.CharField(label=gettext_lazy("姓名（选填）"), max_length=50, required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("匿名反映（不留姓名）"), required=False)
    confidential = forms.BooleanField(label=gettext_lazy("要求为我保密"), required=False)

    def __init__(self, *args: Any, located: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.located = located
        self.leaves = {str(c.pk): c for c in common_categories()}
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = category_choices(list(self.leaves.values()))
        if not located:
            del self.fields["lon"], self.fields["lat"]
            self.fields["address"].label = _("具体位置（选填，如3单元2楼楼道）")
        self.fields["title"].widget.attrs["placeholder"] = _("一句话说明问题，如：小区路灯不亮")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category") or ""
        if value and value not in self.leaves:
            raise forms.ValidationError(_("请从列表中选择分类"))
        return self.leaves.get(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone = (data.get("phone") or "").strip()
        if phone and (problem := phone_input_problem(phone)):  # +86, dashes: intake normalises them
            self.add_error("phone", problem)
        elif not phone and not data.get("anonymous"):
            self.add_error("phone", _("请填写联系电话，以便告知办理结果（不愿留名请勾选匿名）"))
        bad = [name for name in ("lon", "lat") if name in self.errors]
        if bad:  # nan, inf, not a number: hidden fields the phone filled, as out of range
            self._clear_point(_("经度应为有限的数字") if bad[0] == "lon" else _("纬度应为有限的数字"))
            return data
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error(None, _("定位不完整，请重新获取位置或不使用定位"))
        return data

    def _clear_point(self, problem: str) -> None:
        """The hidden point cannot be kept: drop it (errors on hidden fields mark nothing the
        resident sees), say why at the top, and send the form back without it, as
        ``_apply_errors`` does when the service finds it out of range."""
        for name in ("lon", "lat"):
            self.errors.pop(name, None)
            self.cleaned_data[name] = None
        self.add_error(None, _("{problem}。已清除定位，请填写地址后再提交").format(problem=problem))
        self.data = {**dict(self.data.items()), "lon": "", "lat": ""}


class TrackForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("诉求编号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写诉求编号")},
    )
    phone = forms.CharField(
        label=gettext_lazy("提交时填写的手机号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写手机号")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_number(self) -> str:
        return normalise_number(self.cleaned_data["number"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if problem := phone_input_problem(phone):
            raise forms.ValidationError(problem)
        return phone


YES_NO = [("yes", gettext_lazy("联系过")), ("no", gettext_lazy("没有联系"))]


class RateForm(forms.Form):
    contacted = forms.ChoiceField(
        error_messages={"required": gettext_lazy("请选择是否联系过您")},
        label=gettext_lazy("承办单位是否联系过您？"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    resolution = forms.ChoiceField(
        error_messages={"required": gettext_lazy("请选择解决情况")},
        label=gettext_lazy("问题解决了吗？"),
        choices=[
            ("solved", gettext_lazy("已解决")),
            ("partly", gettext_lazy("部分解决")),
            ("unsolved", gettext_lazy("未解决")),
        ],
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        error_messages={"required": gettext_lazy("请选择满意度")},
        label=gettext_lazy("您对办理结果满意吗？"),
        choices=[
            ("satisfied", gettext_lazy("满意")),
            ("basic", gettext_lazy("基本满意")),
            ("unsatisfied", gettext_lazy("不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("意见建议（选填）"),
        max_length=RATING_COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AlarmForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("您的电话（选填，便于回拨）"), max_length=20, required=False)
    note = forms.CharField(
        label=gettext_lazy("情况说明（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and (problem := phone_input_problem(phone)):
            raise forms.ValidationError(problem)
        return phone


# ---------------------------------------------------------------- helpers

SERVICE_FIELDS = {"requester_phone": "phone", "requester_name": "name", "attachments": None}


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put the service's field errors on the form (its names differ from ours)."""
    errors = dict(exc.errors or {"": [exc.message]})
    point = errors.pop("lon", []) or errors.pop("lat", [])
    errors.pop("lat", None)
    for name, reasons in errors.items():
        field = SERVICE_FIELDS.get(name, name)
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)
    if point:  # the point comes from the phone, in hidden fields: say so, and let it go
        form.add_error(None, _("{problem}。已清除定位，请填写地址后再提交").format(problem=point[0]))
        form.data = {**dict(form.data.items()), "lon": "", "lat": ""}


def _photos(request: HttpRequest) -> tuple[list[UploadedFile], list[str]]:
    """The photos and what is wrong with them, in the H5's words: it takes JPG, PNG and WEBP
    photos (not the PDFs intake also accepts), whole, of a sane pixel count. A whole photo of
    another of these types than the one declared (a PNG named a.jpg) is taken as what it is,
    by intake's own rule (``intake.retyped``); one that begins as a photo but is cut short or
    damaged is called that, not a wrong type."""
    files = [f for f in request.FILES.getlist("photos") if f.size]
    problems = []
    if len(files) > MAX_PHOTOS:
        problems.append(_("照片最多{max_photos}张").format(max_photos=MAX_PHOTOS))
    max_bytes = settings.REQUESTS_ATTACHMENT_MAX_BYTES
    for f in files:
        if (f.content_type or "") not in IMAGE_TYPES:
            problems.append(_("{name}：只接受 JPG、PNG 或 WEBP 照片").format(name=f.name))
        elif (
            f.size is not None
            and f.size <= max_bytes
            and not upload_is_whole(f, max_bytes=max_bytes)
            and not retyped(f, max_bytes, IMAGE_TYPES)
        ):
            problems.append(_unreadable_photo(f, max_bytes))
    return files, problems  # too large in bytes: the service says so


def _unreadable_photo(f: UploadedFile, max_bytes: int) -> str:
    """Why a photo declared as a photo type cannot be taken: too many pixels; damaged or cut
    short (it begins as one of the photo types does); else not a photo at all."""
    f.seek(0)
    head = f.read(max_bytes)
    f.seek(0)
    begins = [t for t in IMAGE_TYPES if starts_as(t, head)]
    if any(too_many_pixels(t, head) for t in {f.content_type or "", *begins}):
        return _("{name}：照片像素过大（超过{megapixels}百万像素），请压缩后再上传").format(
            name=f.name, megapixels=MAX_PIXELS // 1_000_000
        )
    if begins:
        return _("{name}：照片已损坏或不完整，请重新选择").format(name=f.name)
    return _("{name}：只接受 JPG、PNG 或 WEBP 照片").format(name=f.name)


def _photos_dropped(form: ReportForm, files: list[UploadedFile], refused: bool) -> None:
    """A form sent back keeps no photo (a browser cannot refill a file field): say so, so
    that a resident does not send it again believing the good photos went with it."""
    if not files:
        return
    if refused:
        form.add_error(
            None,
            _("所选照片均未保存（共{count}张，符合要求的也未保存）：请重新选择照片后再提交").format(
                count=len(files)
            ),
        )
    else:
        form.add_error(
            None, _("所选照片未保存（共{count}张）：请重新选择照片后再提交").format(count=len(files))
        )


def _new_request(form: ReportForm, channel: str, building: Node | None) -> services.NewRequest:
    d = form.cleaned_data
    address = d.get("address", "").strip()
    if building is not None:
        address = f"{building_address(building)} {address}".strip()
    return services.NewRequest(
        channel=channel,
        type=d["type"],
        title=d["title"],
        content=d["content"],
        address=address,
        lon=d.get("lon"),
        lat=d.get("lat"),
        crs="wgs84",
        building=building,
        requester_name="" if d["anonymous"] else d["name"].strip(),
        requester_phone=d["phone"].strip(),
        anonymous=d["anonymous"],
        confidential=d["confidential"],
        category=d["category"],
    )


def _refused(
    request: HttpRequest, template: str, context: dict[str, Any], kind: str = "submit"
) -> HttpResponse | None:
    """Honeypot filled or this address's budget (``kind``) used up: refuse, create nothing."""
    if request.POST.get(HONEYPOT):
        return _message(request, _("提交失败"), _("提交内容异常，请刷新页面后重新填写。"), status=400)
    if _blocked(request, kind):
        if kind == "alarm":
            context["error"] = _("报警次数过多，请稍后再试；紧急情况请直接拨打 110 / 119 / 120。")
        else:
            context["error"] = _("提交过于频繁，请稍后再试；紧急情况请直接拨打 110 / 119 / 120。")
        return render(request, T + template, context, status=429)
    return None


def _submit_report(
    request: HttpRequest, form: ReportForm, channel: str, building: Node | None
) -> Request | None:
    files, problems = _photos(request)
    for problem in problems:
        form.add_error(None, problem)
    if problems or not form.is_valid():
        _photos_dropped(form, files, bool(problems))
        return None
    try:
        created = services.request_create(
            actor=SYSTEM, data=_new_request(form, channel, building), attachments=files
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        _photos_dropped(form, files, bool((exc.errors or {}).get("attachments")))
        return None
    limit_count("submit", request)
    return created


def _done(
    number: str, kind: str = "report", *, phone: bool = True, again: bool = False, added: bool = False
) -> HttpResponseRedirect:
    """The done page; ``phone``: whether a phone was left (without one, nobody can track it);
    ``again``: this was a repeat of what was filed already (the page says so, shows the first);
    ``added``: a repeated alarm whose new details went on the first alarm's timeline."""
    data: dict[str, Any] = {"n": number, "k": kind, "p": phone}
    if again:
        data["a"] = True
    if added:
        data["d"] = True
    token = signing.dumps(data, salt=DONE_SALT)
    return redirect(reverse("requests:h5_done") + "?t=" + token)


# ---------------------------------------------------------------- sent once

# The forms carry a one-time token (``civicgrid.core.once``): a dropped connection, Back and
# 提交 again resends the same form, token and all. What the first POST filed is kept under its
# token for a day (``once.remember``), so the repeat shows the first request's done page; a
# cache that forgot it (another worker, a restart) falls back to the request itself, found by
# what was sent.
ONCE_KIND = "h5"


class _NothingWritten(Exception):
    """The guarded form was refused: roll its token back, so the corrected form can be sent."""


def _once(request: HttpRequest, write: Callable[[], Request | None]) -> Request | None:
    """``write`` under the form's one-time token; raises ``once.Repeated`` for a repeat."""
    try:
        with once.guard(request):
            written = write()
            if written is None:
                raise _NothingWritten
    except _NothingWritten:
        return None
    return written


def _remember(request: HttpRequest, number: str, kind: str, phone: bool, added: bool = False) -> None:
    once.remember(request, ONCE_KIND, {"n": number, "k": kind, "p": phone} | ({"d": True} if added else {}))


def _first_of(request: HttpRequest) -> HttpResponse | None:
    """The done page of what this form's token filed already (None: nothing yet, or no token)."""
    first = once.recall(request, ONCE_KIND)
    if not first:
        return None
    return _done(first["n"], first["k"], phone=first["p"], again=True, added=bool(first.get("d")))


def _phone_hash(raw: str) -> str:
    phone = raw.strip()
    return crypto.blind_index(normalise_phone(phone) or phone) if phone else ""


def _same_report(request: HttpRequest, channel: str) -> Request | None:
    """The request a repeated report form filed: same channel, words and phone, today."""
    since = timezone.now() - timedelta(seconds=once.REMEMBER_SECONDS)
    found = Request.objects.filter(
        channel=channel,
        title=request.POST.get("title", "").strip(),
        content=request.POST.get("content", "").strip(),
        requester_phone_hash=_phone_hash(request.POST.get("phone", "")),
        received_at__gte=since,
    )
    return found.order_by("-received_at", "-pk").first()


def _report_once(
    request: HttpRequest, form: ReportForm, channel: str, building: Node | None
) -> HttpResponse | None:
    """Follow or file the report once per form: the done page, or None (the form has errors)."""
    try:
        followed = _once(request, lambda: _follow_up(request, form, channel))
        if followed is not None:
            _remember(request, followed.number, "follow", True)
            return _done(followed.number, kind="follow")
        created = _once(request, lambda: _submit_report(request, form, channel, building))
    except once.Repeated:
        if (first := _first_of(request)) is not None:
            return first
        if (same := _same_report(request, channel)) is not None:
            return _done(same.number, phone=bool(same.requester_phone_hash), again=True)
        return _message(
            request,
            _("已提交，请勿重复提交"),
            _("这份表单已经提交过。请凭诉求编号和手机号在“查询进度”中查看。"),
            status=409,
        )
    if created is None:
        return None
    phone = bool(created.requester_phone_hash)
    _remember(request, created.number, "report", phone)
    return _done(created.number, phone=phone)


def _message(request: HttpRequest, title: str, text: str, *, status: int = 200) -> HttpResponse:
    return render(request, T + "message.html", {"title": title, "text": text}, status=status)


PUBLIC_STATUS: dict[str, StrOrPromise] = {
    Status.RECEIVED: gettext_lazy("已受理，等待分派"),
    Status.DISPATCHED: gettext_lazy("已派单，等待承办单位签收"),
    Status.SIGNED: gettext_lazy("承办单位已签收"),
    Status.IN_PROGRESS: gettext_lazy("办理中"),
    Status.RETURN_PENDING: gettext_lazy("办理中"),
    Status.REPLIED: gettext_lazy("已答复，请您评价"),
    Status.VERIFIED: gettext_lazy("已答复并现场核查，请您评价"),
    Status.CALLED_BACK: gettext_lazy("已评价"),
    Status.CLOSED: gettext_lazy("已办结"),
    Status.SUSPENDED: gettext_lazy("暂缓办理"),
    Status.LONG_RUNNING: gettext_lazy("长期办理中（已制定计划）"),
    Status.MERGED: gettext_lazy("已与相同诉求合并办理"),
}

# What a resident may see of the history; notes only where they are the answer to them.
PUBLIC_ACTIONS: dict[str, StrOrPromise] = {
    Action.RECEIVE: gettext_lazy("诉求已受理"),
    Action.DIRECT_CLOSE: gettext_lazy("已直接答复并办结"),
    Action.DISPATCH: gettext_lazy("已派单"),
    Action.REASSIGN: gettext_lazy("已转派"),
    Action.RETURN_APPROVE: gettext_lazy("重新分派中"),
    Action.SIGN: gettext_lazy("承办单位已签收"),
    Action.START: gettext_lazy("开始办理"),
    Action.REPLY: gettext_lazy("承办单位已答复"),
    Action.VERIFY: gettext_lazy("网格员已现场核查"),
    Action.CALLBACK: gettext_lazy("已电话回访"),
    Action.RATE: gettext_lazy("您已评价"),
    Action.CLOSE: gettext_lazy("已办结"),
    Action.EXTEND_APPROVE: gettext_lazy("办理期限已延长"),
    Action.SUSPEND: gettext_lazy("暂缓办理"),
    Action.RESUME: gettext_lazy("恢复办理"),
    Action.LONG_RUNNING: gettext_lazy("列入长期办理计划"),
    Action.SUPERVISE: gettext_lazy("已列为督办件"),
    Action.MERGE: gettext_lazy("与相同诉求合并办理"),
    Action.REOPEN: gettext_lazy("重新办理"),
    Action.WHISTLE: gettext_lazy("街道“吹哨”，相关部门联合处置"),
    Action.ESCALATE: gettext_lazy("提交上级办理"),
}
PUBLIC_NOTES: frozenset[str] = frozenset({Action.REPLY, Action.DIRECT_CLOSE})
# A follower reads the same steps; what speaks to the requester is put in the third person.
FOLLOWER_ACTIONS: dict[str, StrOrPromise] = {Action.RATE: gettext_lazy("诉求人已评价")}
FOLLOWER_STATUS: dict[str, StrOrPromise] = {
    Status.REPLIED: gettext_lazy("承办单位已答复"),
    Status.VERIFIED: gettext_lazy("承办单位已答复，网格员已现场核查"),
}


def public_timeline(req: Request, *, follower: bool = False) -> list[dict[str, Any]]:
    """Actions, times, unit names and replies; never staff names or internal notes. A
    follower (a resident who followed someone else's request) gets the steps alone: the reply
    answers the requester, and may name them or their home."""
    events = RequestEvent.objects.filter(request=req, action__in=list(PUBLIC_ACTIONS)).select_related("unit")
    labels = {**PUBLIC_ACTIONS, **FOLLOWER_ACTIONS} if follower else PUBLIC_ACTIONS
    return [
        {
            "at": e.created_at,
            "label": labels[e.action],
            "unit": e.unit.name if e.unit else "",
            "text": e.note if e.action in PUBLIC_NOTES and not follower else "",
        }
        for e in events.order_by("created_at", "id")
    ]


AWAITING_VERIFICATION = gettext_lazy("已答复，网格员现场核查后即可评价")


def _track_context(req: Request) -> dict[str, Any]:
    awaiting = awaiting_verification(req)
    return {
        "req": req,
        "status_label": AWAITING_VERIFICATION
        if awaiting
        else PUBLIC_STATUS.get(req.status, req.get_status_display()),
        "timeline": public_timeline(req),
        "ratable": req.status in RATABLE and not awaiting,
        "rate_form": RateForm(),
    }


def _follower_context(req: Request) -> dict[str, Any]:
    """What a resident who followed this request (跟进这件) sees of it: what the similar list
    showed them (the kind of matter, status, date) and the steps taken, never the requester's
    words or address, the reply's text, or the rating form (its link is the requester's)."""
    status = FOLLOWER_STATUS.get(req.status) or PUBLIC_STATUS.get(req.status, req.get_status_display())
    return {
        "number": req.number,
        "label": _public_label(req),
        "received_at": req.received_at,
        "status": req.status,
        "status_label": status,
        "timeline": public_timeline(req, follower=True),
    }


def _community_phone(building: Node) -> str:
    unit = unit_for_place(building.path, UnitKind.COMMUNITY)
    return unit.phone if unit else ""


def _team(nodes: list[Node]) -> list[dict[str, str]]:
    """Names and posts of who serves this place; phones masked (residents see no full numbers)."""
    rows = []
    for node in nodes:
        for p in territory.node_team(node):
            phone = crypto.decrypt(p.phone_enc) if p.phone_enc else ""
            rows.append(
                {
                    "post": p.get_post_display(),
                    "name": p.holder_name,
                    "phone": crypto.mask_phone(phone) if phone else "",
                }
            )
    return rows


# ---------------------------------------------------------------- resident H5


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data: every POST binds the form, an empty one too (``request.POST or None``
    left an empty POST unbound, and the page came back blank, without saying what was missing)."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def h5_submit(request: HttpRequest) -> HttpResponse:
    form = ReportForm(_posted(request))
    context: dict[str, Any] = {
        "form": form,
        "max_photos": MAX_PHOTOS,
        "max_photo_bytes": settings.REQUESTS_ATTACHMENT_MAX_BYTES,  # checked in the browser first
    }
    if request.method == "POST":
        if (first := _first_of(request)) is not None:
            return first
        if refused := _refused(request, "submit.html", context):
            return refused
        if done := _report_once(request, form, Channel.WEB, None):
            return done
    return render(request, T + "submit.html", context, status=422 if form.errors else 200)


FOLLOW_SALT = "civicgrid.requests.follow"
FOLLOW_MAX_AGE = 2 * 3600  # a form left open this long shows its similar requests again


def follow_token(pk: int) -> str:
    """What the "跟进这件" button sends: the request it was shown, signed. A resident can
    follow only a request the similar-requests list offered them, not any id they guess."""
    return signing.dumps(pk, salt=FOLLOW_SALT, compress=False)


def followable() -> QuerySet[Request]:
    """The requests a stranger may be offered to follow (跟进这件) and may then track: the
    public rules of Open311 (``requests.public.about_a_place_q``: about a place, never an
    emergency, a consultation, a request for help or a grid worker's report), and never a
    confidential one (the list shows how far it is from the viewer)."""
    return Request.objects.filter(about_a_place_q(), confidential=False)


def follow_target(token: str) -> int | None:
    try:
        pk = signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    except signing.BadSignature:  # also expired, or a bare id
        return None
    return pk if isinstance(pk, int) else None


def _follow_up(request: HttpRequest, form: ReportForm, channel: str) -> Request | None:
    """ "跟进这件": the resident adds to an open request shown as similar instead of filing again."""
    follow = request.POST.get("follow", "").strip()
    if not follow:
        return None
    pk = follow_target(follow)
    if pk is None:
        form.add_error(None, _("跟进链接已失效，请重新填写后从列出的相似诉求中选择，或直接提交"))
        return None
    target = followable().filter(pk=pk, status__in=list(OPEN)).first()
    if target is None:  # closed, or (reclassified since it was offered) no longer public
        form.add_error(None, _("该诉求已办结或不存在，请提交新的诉求"))
        return None
    text = f"{request.POST.get('title', '')}\n{request.POST.get('content', '')}".strip()
    try:
        followed = services.request_follow_up(
            request=target, text=text[:5000], phone=request.POST.get("phone", ""), channel=channel
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None
    limit_count("submit", request)
    return followed


@require_GET
def h5_similar(request: HttpRequest) -> HttpResponse:
    """Open requests like the one being typed, near its point: follow one instead. The public
    view (anyone sending a point): what kind of matter (the category's name), its status, date
    and distance; never the words a resident wrote, not even the title (the viewer is nobody
    known, so no request is theirs)."""
    text = f"{request.GET.get('title', '')} {request.GET.get('content', '')}"
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        lon = lat = None  # type: ignore[assignment]
    if lon is None and request.GET.get("plate"):
        try:
            building = building_for_token(request.GET["plate"])
        except NotFound:
            building = None
        if building is not None and building.lon is not None:
            lon, lat = building.lon, building.lat
    rows = []
    # A budget per address (a resident typing asks a few dozen times), so nobody sweeps the map
    # for open requests; only those a stranger may be shown (``followable``) are offered.
    budget = limit("REQUESTS_H5_SIMILAR_LIMIT", 300)
    located = lon is not None and lat is not None and -180 <= lon <= 180 and -90 <= lat <= 90
    if located and not limit_reached("similar", request, budget):
        limit_count("similar", request)
        rows = web.similar_nearby(None, lon=lon, lat=lat, text=text, among=followable(), limit=3)
    offered = [(row, follow_token(row.request.pk), _public_label(row.request)) for row in rows]
    return render(request, T + "_similar.html", {"rows": offered})


def _public_label(r: Request) -> str:
    """What a stranger may read of a request: its category's name, else its type."""
    if r.category is not None:
        return r.category.name
    return str(RequestType(r.type).label) if r.type in RequestType.values else _("诉求")


@require_GET
def h5_done(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.GET.get("t", ""), salt=DONE_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return _message(request, _("链接已失效"), _("请通过“查询进度”输入诉求编号和手机号查询。"), status=404)
    context = {
        "number": data["n"],
        "alarm": data.get("k") == "alarm",
        "followed": data.get("k") == "follow",
        "phone": data.get("p", True),
        "again": bool(data.get("a")),
        "added": bool(data.get("d")),
    }
    return render(request, T + "done.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def h5_track(request: HttpRequest) -> HttpResponse:
    """POST (the phone never goes into a URL). A wrong phone and a wrong number look the same."""
    if request.method == "GET":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:20]})
        return render(request, T + "track.html", {"form": form})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, T + "track.html", {"form": form}, status=422)
    number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
    if track_blocked(request, number):
        error = _("查询次数过多，请{wait}后再试").format(wait=window_words())
        return render(request, T + "track.html", {"form": form, "error": error}, status=429)
    phone = normalise_phone(phone.strip()) or phone  # as intake keeps it: +86, dashes, spaces
    phone_hash = crypto.blind_index(phone)
    found = Request.objects.filter(number=number, requester_phone_hash=phone_hash).first()
    if found is not None:
        _prove_tracked(request, found)
        return render(request, T + "track_result.html", _track_context(found) | {"photos": own_photos(found)})
    # A resident who followed this request (跟进这件) tracks it with their own phone: the
    # public view only, since it is someone else's request, and only while it is one a
    # stranger may be shown (``followable``).
    numbered = followable().filter(number=number).select_related("category").first()
    follows = RequestEvent.objects.filter(request=numbered, data__follow_up=True, data__phone_hash=phone_hash)
    if numbered is not None and follows.exists():
        return render(request, T + "track_follower.html", _follower_context(numbered))
    track_missed(request, number)
    return render(request, T + "track.html", {"form": form, "error": NOT_FOUND}, status=404)


TRACKED_SESSION = "civicgrid.h5.tracked"  # requests this session proved number + phone of
TRACKED_KEPT = 20


def _prove_tracked(request: HttpRequest, req: Request) -> None:
    """Remember in the session that it proved ``req``'s number and phone: its photos
    (``h5_track_photo``) are served to this session alone."""
    seen = [pk for pk in request.session.get(TRACKED_SESSION, []) if pk != req.pk]
    request.session[TRACKED_SESSION] = [*seen, req.pk][-TRACKED_KEPT:]


def own_photos(req: Request) -> QuerySet[Attachment]:
    """The photos the requester sent with the request (H5, doorplate: filed by intake with
    nobody logged in), never what staff attached while handling it."""
    return own_photos_of([req.pk]).order_by("pk")


@never_cache
@require_GET
def h5_track_photo(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """One of the requester's own photos, to the session that tracked its request with the
    number and phone (``_prove_tracked``); anybody else gets the same 404 as a wrong id."""
    photo = own_photos_of(request.session.get(TRACKED_SESSION, [])).filter(pk=pk).first()
    if photo is None:
        return _message(request, _("照片不存在"), _("请通过“查询进度”输入诉求编号和手机号查看。"), status=404)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=photo.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def own_photos_of(request_ids: list[int]) -> QuerySet[Attachment]:
    """``own_photos`` of several requests."""
    ids = [pk for pk in request_ids if isinstance(pk, int)]
    return Attachment.objects.filter(
        request_id__in=ids,
        event__action=Action.RECEIVE,
        uploaded_by__isnull=True,
        content_type__in=list(IMAGE_TYPES),
    )


def _own_rating(req: Request) -> Rating | None:
    """The rating of the request's current round (after a 重办 a new round is rated)."""
    return Rating.objects.filter(request=req, round=req.reopen_count + 1).only("via").first()


def _rate_refusal(req: Request) -> str:
    if req.status in RATED:
        rating = _own_rating(req)
        if rating is None:  # closed without a callback (the requester could not be reached)
            return _("该诉求已办结，本次未留评价。如问题仍未解决，可再次来电或提交诉求。")
        if rating.via == Rating.Via.CALLBACK:
            return _("工作人员已电话回访并记录了您的评价，无需再次评价。感谢您的反馈！")
        return _("您已评价过该诉求，不能重复评价。感谢您的反馈！")
    if req.status == Status.MERGED:
        return _("该诉求已与相同诉求合并办理，无需单独评价。")
    if awaiting_verification(req):
        return _("该诉求已答复，正等待网格员现场核查，核查后即可评价。")
    return _("该诉求尚未办理答复，答复后即可评价。")


@never_cache
@require_http_methods(["GET", "POST"])
def h5_rate(request: HttpRequest, token: str) -> HttpResponse:
    req = Request.objects.filter(rating_token=token).first() if token else None
    if req is None:
        return _message(
            request, _("评价链接无效"), _("评价链接无效或已过期，请核对短信中的链接。"), status=404
        )
    form = RateForm(_posted(request))
    context: dict[str, Any] = {"req": req, "form": form, "timeline": public_timeline(req)}
    if req.status not in RATABLE or awaiting_verification(req):
        context["refusal"] = _rate_refusal(req)
        return render(request, T + "rate.html", context, status=409 if request.method == "POST" else 200)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.request_rate_by_link(
                token=token,
                contacted=d["contacted"] == "yes",
                resolution=d["resolution"],
                satisfaction=d["satisfaction"],
                comment=d["comment"],
                via=Rating.Via.H5 if request.POST.get("via") == "h5" else Rating.Via.LINK,
            )
        except Conflict:
            req.refresh_from_db()
            context["refusal"] = _rate_refusal(req)
            return render(request, T + "rate.html", context, status=409)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            # Post/Redirect/Get: Back or reload of the thank-you page fetches it, resends nothing
            return redirect("requests:h5_rated", token=token)
    return render(request, T + "rate.html", context, status=422 if form.errors else 200)


@never_cache
@require_GET
def h5_rated(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page after a rating (the rating POST redirects here); not rated yet: the form."""
    req = Request.objects.filter(rating_token=token).first() if token else None
    if req is None:
        return _message(
            request, _("评价链接无效"), _("评价链接无效或已过期，请核对短信中的链接。"), status=404
        )
    # The latest rating: an unsatisfied one has reopened the request into a new round already.
    rating = Rating.objects.filter(request=req).order_by("-round").only("via").first()
    if rating is None or rating.via == Rating.Via.CALLBACK:  # not rated by the requester: say why
        return redirect("requests:h5_rate", token=token)
    return render(request, T + "rated.html", {"req": req})


def rate_short(request: HttpRequest, token: str) -> HttpResponse:
    """The short link of the SMS (``/r/<token>``) lands on the rating page."""
    return redirect("requests:h5_rate", token=token)


# ---------------------------------------------------------------- doorplate


def _plate_context(building: Node) -> dict[str, Any]:
    grid = territory.level_of(building, NodeKind.GRID)
    return {
        "building": building,
        "address": building_address(building),
        "community": territory.level_of(building, NodeKind.COMMUNITY),
        "grid": grid,
        "team": _team([n for n in (grid, building) if n is not None]),
        "duty_phone": _community_phone(building),
        "max_photos": MAX_PHOTOS,
        "max_photo_bytes": settings.REQUESTS_ATTACHMENT_MAX_BYTES,
    }


def _building_or_404(request: HttpRequest, token: str) -> Node | HttpResponse:
    try:
        return building_for_token(token)
    except NotFound as exc:
        return _message(request, _("门牌无效"), exc.message, status=404)


@require_http_methods(["GET", "POST"])
def doorplate(request: HttpRequest, token: str) -> HttpResponse:
    building = _building_or_404(request, token)
    if isinstance(building, HttpResponse):
        return building
    form = ReportForm(_posted(request), located=False)
    context = _plate_context(building) | {"form": form, "token": token}
    if request.method == "POST":
        if (first := _first_of(request)) is not None:
            return first
        if refused := _refused(request, "doorplate.html", context):
            return refused
        if done := _report_once(request, form, Channel.DOORPLATE, building):
            return done
    return render(request, T + "doorplate.html", context, status=422 if form.errors else 200)


ALARM_SESSION = "civicgrid.h5.alarms"  # building pk -> the alarm this browser filed there


def _alarm_window() -> int:
    """Seconds an alarm answers for a repeat of itself (``REQUESTS_H5_ALARM_REPEAT_SECONDS``)."""
    return limit("REQUESTS_H5_ALARM_REPEAT_SECONDS", 600)


# What became of a tap on 确认报警 (``_file_alarm``).
ALARM_NEW = "new"  # an emergency filed
ALARM_ADDED = "added"  # a repeat: its new details went on the first alarm's timeline
ALARM_AGAIN = "again"  # a repeat with nothing new: nothing written


@transaction.atomic
def _file_alarm(building: Node, phone: str, note: str, session_number: str = "") -> tuple[Request, str]:
    """一键报警: an emergency request at the building, dispatched by the rules when one matches;
    with it what became of this tap (``ALARM_NEW``, ``ALARM_ADDED``, ``ALARM_AGAIN``).

    A repeat is an alarm the same phone raised there a moment ago (``_recent_alarm``), or,
    without a phone, the one this browser raised there (``session_number``, from
    ``_session_alarm``): no second emergency is filed, but a note is added to the first one's
    timeline (``_add_to_alarm``), for the duty staff to see. Only when that alarm is closed
    already does a repeat with a note file a new one.

    The building's row is locked first (``FOR NO KEY UPDATE``: other requests filed at the
    building, which only reference it, do not wait): alarms at one building are checked and
    filed one after the other, so forms posted at the same moment with one phone file one
    emergency, not one each, and each of their notes is added in turn.

    ``REQUESTS_ALARM_CATEGORY`` (a leaf code) gives it the catalogue's limits; without it the
    rules still route it by place (a rule without a category prefix), else it waits in triage,
    and once dispatched it runs on the first response tier's standard limits.
    """
    Node.objects.select_for_update(no_key=True).filter(pk=building.pk).first()
    recent = _recent_alarm(building, phone) if phone else _numbered_alarm(building, session_number)
    if recent is not None and (outcome := _add_to_alarm(recent, phone, note)) is not None:
        return recent, outcome
    code = str(getattr(settings, "REQUESTS_ALARM_CATEGORY", "") or "")
    category = leaf_categories().filter(code=code).first() if code else None
    address = building_address(building)
    data = services.NewRequest(
        channel=Channel.DOORPLATE,
        type=RequestType.EMERGENCY,
        urgency=Urgency.CRITICAL,
        title=_("一键报警：{name}").format(name=building.name),
        content=_alarm_content(address, note),
        address=address,
        building=building,
        requester_phone=phone,
        anonymous=not phone,
        category=category,
    )
    created = services.request_create(actor=SYSTEM, data=data)
    if created.status == Status.RECEIVED and category is None:
        services.auto_dispatch(created)
        created.refresh_from_db()
    return created, ALARM_NEW


def _alarm_content(address: str, note: str) -> str:
    content = _("居民通过数字门牌一键报警，请立即联系核实并处置。地点：{address}。").format(address=address)
    if note:
        content += _("\n情况说明：{note}").format(note=note)
    return content


def _add_to_alarm(alarm: Request, phone: str, note: str) -> str | None:
    """A repeat of ``alarm``: nothing new (``ALARM_AGAIN``), or its note added to the alarm's
    timeline as the resident's follow-up (``services.request_follow_up``: a 备注 row the duty
    staff see, under the request's row lock) and ``ALARM_ADDED``. A note the alarm holds
    already (its own, or the same addition again: Back and 确认报警 with the form as it was)
    is not written twice. None: the alarm is closed, so a note calls for a new one."""
    note = note.strip()
    if not note:
        return ALARM_AGAIN
    phone = normalise_phone(phone) or phone
    same = RequestEvent.objects.filter(
        request=alarm, action=Action.NOTE, note=follow_up_note(note, phone, Channel.DOORPLATE)
    )
    if alarm.content == _alarm_content(alarm.address, note) or same.exists():
        return ALARM_ADDED
    try:
        services.request_follow_up(
            request=alarm, text=note, phone=phone, channel=Channel.DOORPLATE, phone_required=False
        )
    except Conflict:  # closed since it was raised
        return None
    return ALARM_ADDED


def _recent_alarm(building: Node, phone: str) -> Request | None:
    """An alarm the same phone raised at this building in the last ``_alarm_window`` (Back and
    确认报警 again renders a fresh form, so its token is new): the page shows that one instead
    of filing a second emergency. Without a phone there is no telling two residents apart
    here (the browser's session tells one of them: ``_session_alarm``)."""
    if not phone:
        return None
    since = timezone.now() - timedelta(seconds=_alarm_window())
    return (
        Request.objects.filter(
            building=building,
            type=RequestType.EMERGENCY,
            channel=Channel.DOORPLATE,
            requester_phone_hash=_phone_hash(phone),
            received_at__gte=since,
        )
        .order_by("-received_at", "-pk")
        .first()
    )


def _numbered_alarm(building: Node, number: str) -> Request | None:
    """The alarm ``_session_alarm`` named (this browser raised it at this building)."""
    if not number:
        return None
    return Request.objects.filter(
        number=number, building=building, type=RequestType.EMERGENCY, channel=Channel.DOORPLATE
    ).first()


def _session_alarm(request: HttpRequest, building: Node) -> dict[str, Any] | None:
    """The alarm this browser (its session) filed at this building in the last
    ``_alarm_window``: 确认报警, Back and 确认报警 again without a phone files no second one
    (a phone typed in is told apart by ``_recent_alarm``: another phone files its own)."""
    entry = request.session.get(ALARM_SESSION, {}).get(str(building.pk))
    if not entry or time.time() - float(entry.get("at", 0)) > _alarm_window():
        return None
    return dict(entry)


def _session_remember_alarm(request: HttpRequest, building: Node, number: str, phone: bool) -> None:
    now = time.time()
    kept = {
        pk: entry
        for pk, entry in request.session.get(ALARM_SESSION, {}).items()
        if now - float(entry.get("at", 0)) <= _alarm_window()
    }
    kept[str(building.pk)] = {"n": number, "p": phone, "at": now}
    request.session[ALARM_SESSION] = kept


@require_http_methods(["GET", "POST"])
def doorplate_alarm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the confirm step. POST: file the alarm, once per form (its token), per browser
    session and building, and per phone and building, within ``_alarm_window``; a repeat's
    note is added to the first alarm (``_file_alarm``)."""
    building = _building_or_404(request, token)
    if isinstance(building, HttpResponse):
        return building
    form = AlarmForm(_posted(request))
    context = {"building": building, "form": form, "token": token, "address": building_address(building)}
    if request.method == "POST":
        if (first := _first_of(request)) is not None:
            return first
        if refused := _refused(request, "alarm.html", context, kind="alarm"):
            return refused
        if form.is_valid():
            if request.POST.get("confirm") != "1":
                context["error"] = _("请点击“确认报警”按钮提交")
                return render(request, T + "alarm.html", context, status=422)
            phone = form.cleaned_data["phone"]
            # Without a phone only the browser tells a repeat (with one, ``_recent_alarm`` does).
            filed = None if phone else _session_alarm(request, building)
            try:
                # A panicked second tap (or a resent form) files no second alarm.
                with once.guard(request):
                    created, outcome = _file_alarm(
                        building, phone, form.cleaned_data["note"], filed["n"] if filed else ""
                    )
            except once.Repeated:
                if (first := _first_of(request)) is not None:
                    return first
                return once.repeated(request, "requests:doorplate", token)
            except CivicError as exc:
                context["error"] = exc.message
            else:
                left_phone = bool(created.requester_phone_hash)
                _remember(request, created.number, "alarm", left_phone, added=outcome == ALARM_ADDED)
                _session_remember_alarm(request, building, created.number, left_phone)
                if outcome != ALARM_AGAIN:  # a new alarm or an addition: the address's budget
                    limit_count("alarm", request)
                if outcome == ALARM_NEW:
                    return _done(created.number, "alarm", phone=left_phone)
                return _done(
                    created.number, "alarm", phone=left_phone, again=True, added=outcome == ALARM_ADDED
                )
    return render(request, T + "alarm.html", context, status=422 if form.errors else 200)


def _plate(request: HttpRequest, building: Node, address: str) -> dict[str, Any]:
    url = doorplate_url(building, request)
    return {
        "building": building,
        "address": address,
        "url": url,
        "qr": mark_safe(qr_svg(url, label=_("{name}数字门牌").format(name=building.name))),  # noqa: S308 (our own SVG, label escaped)
    }


@login_required
@require_GET
def doorplate_print(request: HttpRequest, pk: int) -> HttpResponse:
    node = territory.node_get(request.user, pk)  # NotFound outside the staff member's scope
    if node.kind != NodeKind.BUILDING:
        raise NotFound(_("只有楼栋才有门牌；请使用批量打印"))
    plate = _plate(request, node, building_address(node))
    return render(request, T + "print_one.html", {"plate": plate, "node": node})


@login_required
@require_GET
def doorplate_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """Every active building under a node (grid, compound, community…), an A4 sheet of plates."""
    node = territory.node_get(request.user, pk)
    buildings = territory.subtree(node, kind=NodeKind.BUILDING).filter(is_active=True).order_by("code")
    page = Paginator(buildings, PLATES_PER_PAGE).get_page(request.GET.get("page"))
    places = places_for(list(page.object_list))
    plates = [_plate(request, b, places[b.pk]) for b in page.object_list]
    sheets = [plates[i : i + PLATES_PER_SHEET] for i in range(0, len(plates), PLATES_PER_SHEET)]
    return render(request, T + "print_batch.html", {"node": node, "sheets": sheets, "page": page})


urlpatterns: list[URLPattern] = [
    path("h5/", h5_submit, name="h5_submit"),
    path("h5/done/", h5_done, name="h5_done"),
    path("h5/similar/", h5_similar, name="h5_similar"),
    path("h5/track/", h5_track, name="h5_track"),
    path("h5/track/photos/<int:pk>/", h5_track_photo, name="h5_track_photo"),
    path("h5/rate/<str:token>/", h5_rate, name="h5_rate"),
    path("h5/rate/<str:token>/thanks/", h5_rated, name="h5_rated"),
    path("r/<str:token>/", rate_short, name="h5_rate_short"),
    path("doorplate/print/<int:pk>/", doorplate_print, name="doorplate_print"),
    path("doorplate/batch/<int:pk>/", doorplate_batch, name="doorplate_batch"),
    path("doorplate/<str:token>/", doorplate, name="doorplate"),
    path("doorplate/<str:token>/alarm/", doorplate_alarm, name="doorplate_alarm"),
]
