"""Home page per role, the audit log page and /favicon.ico."""

import io
from datetime import date
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_safe

from civicgrid.accounts.models import AdminRole, Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import actor_roles, has_capability, require_any
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import CivicError, PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.inputs import checks_query, kept_query_problem, printable
from civicgrid.core.models import AuditLog
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.validators import typed_day
from civicgrid.core.views_audit import (
    PII_GROUP,
    change_items,
    change_text,
    known_verbs,
    names_of,
    pii_verbs,
    target_pairs,
    target_text,
    verb_choices,
    verb_label,
)
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import resident_for_user, residents_count_under_each
from civicgrid.territory.geometry import check_lon_lat
from civicgrid.territory.locator import LEVELS, locator
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import node_roots, node_team, nodes_count_under_each
from civicgrid.web.contrib import home_figures, home_notices

HOME_HINTS: dict[str, StrOrPromise] = {
    Role.OPERATOR: gettext_lazy("受理来电与来访，登记诉求，查询来电人历史，按位置确定所属网格。"),
    Role.HANDLER: gettext_lazy("签收、办理、答复本单位承办的诉求。"),
    Role.COMMUNITY_WORKER: gettext_lazy("管理本社区的网格、人员、房屋、单位和岗位。"),
    Role.GRID_WORKER: gettext_lazy("巡查走访本网格，关注重点人群，维护本网格的人房信息。"),
    Role.LEADER: gettext_lazy("查看辖区概况、排名与预警。"),
    Role.PARTY_OFFICER: gettext_lazy("统筹辖区党建：党组织、双报到确认、大党委与党建联盟。"),
    AdminRole.SYSTEM: gettext_lazy("维护区域网格、事项清单和系统配置。"),
    AdminRole.SECURITY: gettext_lazy("管理账号、角色和数据范围。"),
    AdminRole.AUDIT: gettext_lazy("检索和查看审计日志。"),
}
MAX_CHILD_ROWS = 60


def _ranks_below(kind: str, than: str) -> bool:
    """Whether ``kind`` stands lower in the tree than ``than`` (a grid below a community)."""
    order = list(NodeKind.values)
    return than in order and order.index(kind) > order.index(than)


def _scope_summary(node: Node) -> dict[str, Any]:
    """The reader's node at a glance: its active communities and grids below it (not the node
    itself: a community worker's own community is not one of "its" communities)."""
    under = node.path
    below = nodes_count_under_each([node], (NodeKind.GRID, NodeKind.COMMUNITY))[under]
    if node.is_active and node.kind in below:
        below[node.kind] -= 1  # the node itself
    return {
        "node": node,
        "grids": below[NodeKind.GRID],
        "communities": below[NodeKind.COMMUNITY],
        # A kind that cannot stand below the node (a community's communities, a grid's grids
        # and communities) is left out when there are none, not shown as "0 社区".
        "show_grids": below[NodeKind.GRID] > 0 or _ranks_below(NodeKind.GRID, node.kind),
        "show_communities": below[NodeKind.COMMUNITY] > 0 or _ranks_below(NodeKind.COMMUNITY, node.kind),
        "residents": Resident.objects.filter(node_path__startswith=under, is_active=True).count(),
        "organisations": Organisation.objects.filter(node_path__startswith=under).count(),
    }


def _children_breakdown(node: Node) -> list[dict[str, Any]]:
    """Residents and grids per child node (for the community worker's and leader's home): two
    grouped queries for all the children, however many (a child grid counts itself)."""
    children = list(
        Node.objects.filter(parent=node, is_active=True).order_by("sort_order", "code")[:MAX_CHILD_ROWS]
    )
    grids = nodes_count_under_each(children, (NodeKind.GRID,))
    residents = residents_count_under_each(children)
    return [
        {"node": child, "grids": grids[child.path][NodeKind.GRID], "residents": residents[child.path]}
        for child in children
    ]


def _special_groups(node: Node) -> list[dict[str, Any]]:
    """Residents in care groups under the node, by tag (the grid worker's visiting list)."""
    rows = (
        Resident.objects.filter(node_path__startswith=node.path, is_active=True, tags__is_special_group=True)
        .values("tags__code", "tags__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [{"code": r["tags__code"], "name": r["tags__name"], "n": r["n"]} for r in rows]


def _role_panel(role: str, node: Node | None) -> dict[str, Any]:
    panel: dict[str, Any] = {"role": role, "node": node, "hint": HOME_HINTS[role]}
    panel["label"] = Role(role).label if role in Role.values else AdminRole(role).label
    if node is None:
        return panel
    if role == Role.GRID_WORKER:
        panel["team"] = list(node_team(node))
        panel["special_groups"] = _special_groups(node)
    elif role in (Role.COMMUNITY_WORKER, Role.LEADER):
        panel["children"] = _children_breakdown(node)
        if role == Role.COMMUNITY_WORKER:
            panel["special_groups"] = _special_groups(node)
    return panel


def _admin_panel(user: User) -> dict[str, Any]:
    panel = _role_panel(user.admin_role, None)
    if user.admin_role == AdminRole.SYSTEM:
        counts = Node.objects.values("kind").annotate(n=Count("id"))
        panel["kind_counts"] = [(NodeKind(c["kind"]).label, c["n"]) for c in counts]
    elif user.admin_role == AdminRole.SECURITY:
        panel["role_counts"] = [
            (Role(r["role"]).label, r["n"])
            for r in RoleAssignment.objects.values("role").annotate(n=Count("user", distinct=True))
        ]
        panel["admins"] = list(User.objects.exclude(admin_role="").order_by("admin_role"))
    elif user.admin_role == AdminRole.AUDIT:
        panel["recent"] = list(AuditLog.objects.order_by("-id")[:15])
    return panel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not user.admin_role and not actor_roles(user) and resident_for_user(user) is not None:
        return redirect("volunteers:h5_home")  # a resident's own account: the resident H5
    panels: list[dict[str, Any]] = []
    if user.admin_role:
        panels.append(_admin_panel(user))
    assignments = actor_roles(user)
    nodes = {n.path: n for n in Node.objects.filter(path__in=[p for _, p in assignments])}
    for role, path in assignments:
        panels.append(_role_panel(role, nodes.get(path)))
    summaries = [_scope_summary(n) for n in node_roots(user)[:6]] if not user.admin_role else []
    context = {
        "panels": panels,
        "summaries": summaries,
        "sections": home_figures(user),
        "notices": home_notices(user),
    }
    return render(request, "web/home.html", context)


AUDIT_FILTERS = ("actor", "verb", "target", "date_from", "date_to", "request_id")
# Each filter's name on the page, for the reasons that do not say it themselves (a NUL).
AUDIT_FILTER_LABELS: dict[str, StrOrPromise] = {
    "actor": gettext_lazy("操作人"),
    "verb": gettext_lazy("操作"),
    "target": gettext_lazy("对象"),
    "request_id": gettext_lazy("请求编号"),
    "date_from": gettext_lazy("开始日期"),
    "date_to": gettext_lazy("结束日期"),
}


def _target_q(typed: str) -> Q:
    """The 对象 filter: a name, or the ``type#id`` the page shows beside it; a login name also
    finds the rows about that account (labelled with the person's name, which two people
    may share: its creation, changes, roles granted and revoked)."""
    kind, _, key = typed.rpartition("#")
    if kind and key:
        return Q(target_type=kind.strip(), target_id=key.strip()) | Q(target_label__contains=typed)
    accounts = User.objects.filter(username__iexact=typed.strip()).values_list("pk", flat=True)
    ids = [str(pk) for pk in accounts[:1]]
    about_account = Q(target_type=User._meta.label_lower, target_id__in=ids) if ids else Q(pk__in=[])
    return Q(target_label__contains=typed) | about_account


def _actor_q(typed: str) -> Q:
    """The 操作人 filter: exactly that username when one is (``handler``, not every
    ``handler-*``), else a part of the username or of the display name (姓名)."""
    if AuditLog.objects.filter(actor_name=typed).exists() or User.objects.filter(username=typed).exists():
        return Q(actor_name=typed)
    named = User.objects.filter(full_name__contains=typed).values("pk")
    return Q(actor_name__contains=typed) | Q(actor_id__in=named)


def _audit_readable(user: Any) -> Any:
    """The rows the reader may see: all of them for the auditor (AUDIT_VIEW); for the security
    administrator (AUDITOR_REVIEW, 三员分立) only those whose actor is an auditor."""
    if has_capability(user, Capability.AUDIT_VIEW):
        return AuditLog.objects.all()
    if has_capability(user, Capability.AUDITOR_REVIEW):
        auditors = User.objects.filter(admin_role=AdminRole.AUDIT).values("pk")
        return AuditLog.objects.filter(actor_id__in=auditors)
    raise PermissionDenied(gettext("您无权执行此操作"))


def _place_labels(paths: list[str]) -> dict[str, str]:
    """Each audit row's place as its line from the top (梁溪区 / 胜利门街道 / 胜利门社区), in
    one query, instead of the raw path of ids."""
    tails = {
        path: [int(i) for i in path.strip("/").split("/") if i.isdecimal()] for path in set(paths) if path
    }
    names = dict(
        Node.objects.filter(pk__in={i for ids in tails.values() for i in ids}).values_list("pk", "name")
    )
    return {path: " / ".join(names[i] for i in ids if i in names) or path for path, ids in tails.items()}


AUDIT_SEARCHED = "core.audit_searched"
AUDIT_EXPORT_HEADERS = (
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("经由"),
    gettext_lazy("操作"),
    gettext_lazy("操作代码"),
    gettext_lazy("对象"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("区域"),
    gettext_lazy("变更前"),
    gettext_lazy("变更后"),
    "IP",
    gettext_lazy("请求编号"),
    gettext_lazy("操作人姓名"),
)


def _audit_filter_errors(request: HttpRequest, filters: dict[str, str]) -> dict[str, list[str]]:
    """What is wrong with the typed filters (filter → reasons, each naming its field), all
    of them at once: a field the core middleware let through with a NUL (``checks_query``),
    a date that is no day (2026-02-30), dates in the wrong order."""
    errors: dict[str, list[str]] = {}
    problem = kept_query_problem(request)
    if problem is not None:
        field, reason = printable(problem[0]), problem[1]
        label = AUDIT_FILTER_LABELS.get(field, field)
        errors.setdefault(field, []).append(gettext("{label}{reason}").format(label=label, reason=reason))
    days = {}
    for key in ("date_from", "date_to"):
        if filters[key] and key not in errors:
            try:
                days[key] = typed_day(filters[key], field=key, label=AUDIT_FILTER_LABELS[key])
            except ValidationError as exc:
                errors.setdefault(key, []).append(exc.message)
    if len(days) == 2 and days["date_from"] > days["date_to"]:
        errors.setdefault("date_to", []).append(gettext("结束日期不能早于开始日期"))
    return errors


def _audit_rows(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    """The audit rows the page's filters choose, and the filters as typed (a NUL left out: it
    is invisible, and the page says it was there)."""
    qs = _audit_readable(request.user)
    filters = {k: printable(request.GET.get(k, "")).strip() for k in AUDIT_FILTERS}
    if errors := _audit_filter_errors(request, filters):
        raise ValidationError(errors=errors)
    if filters["actor"]:
        qs = qs.filter(_actor_q(filters["actor"]))
    if filters["verb"] == PII_GROUP:
        qs = qs.filter(verb__in=pii_verbs())
    elif filters["verb"]:
        qs = qs.filter(verb__startswith=filters["verb"])
    if filters["target"]:
        qs = qs.filter(_target_q(filters["target"]))
    if filters["request_id"]:
        qs = qs.filter(request_id__startswith=filters["request_id"])
    if filters["date_from"]:
        qs = qs.filter(created_at__date__gte=date.fromisoformat(filters["date_from"]))
    if filters["date_to"]:
        qs = qs.filter(created_at__date__lte=date.fromisoformat(filters["date_to"]))
    return qs.select_related("actor"), filters


def _actor_text(row: AuditLog) -> str:
    """The username with the display name beside it when it differs (auditor（何立新）)."""
    full_name = row.actor.full_name if row.actor is not None else ""
    return f"{row.actor_name}（{full_name}）" if full_name and full_name != row.actor_name else row.actor_name


def _row_pairs(row: AuditLog) -> list[tuple[Any, str]]:
    """The (snapshot, target type) pairs whose ids and codes ``names_of`` reads as names."""
    pairs = [(row.before, row.target_type), (row.after, row.target_type)]
    return pairs + target_pairs(row.target_type, row.target_id)


def _target(row: AuditLog, names: Any) -> tuple[str, str]:
    return target_text(
        verb=row.verb,
        target_type=row.target_type,
        target_id=row.target_id,
        target_label=row.target_label,
        names=names,
    )


def _audit_xlsx(request: HttpRequest, qs: Any, filters: dict[str, str]) -> HttpResponse:
    """The filtered rows as an Excel file (newest first); the export is itself an audit row
    ("exchange.exported", 审计日志), written with the file. More rows than one export takes
    (``exchange.exports.limit_export``, the ledger's limit) are refused with the count,
    before anything is read: an auditor is never handed a silently cut log."""
    from openpyxl import Workbook

    from civicgrid.exchange.constants import Verb as ExchangeVerb
    from civicgrid.exchange.exports import XLSX_CONTENT_TYPE, _cell, attachment, limit_export, sheet_title

    list_name = gettext("审计日志")
    limit_export(qs)
    rows = list(qs.order_by("-id"))
    places = _place_labels([row.node_path for row in rows])
    names = names_of(pair for row in rows for pair in _row_pairs(row))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(list_name))
    sheet.append([str(h) for h in AUDIT_EXPORT_HEADERS])
    for row in rows:
        # Every text through the exports' own cell: a name typed at sign-in ("=HYPERLINK(…)",
        # kept as the failed row's target and label) is text in the file, never a formula.
        values = (
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            row.actor_name,
            row.via or "",
            str(verb_label(row.verb) or ""),
            row.verb,
            _target(row, names)[0],
            row.target_type,
            row.target_id,
            places.get(row.node_path, row.node_path),
            change_text(row.before, row.target_type, names),
            change_text(row.after, row.target_type, names),
            row.ip or "",
            row.request_id,
            row.actor.full_name if row.actor is not None else "",
        )
        sheet.append([_cell(sheet, value) for value in values])
    out = io.BytesIO()
    book.save(out)
    used = {k: v for k, v in filters.items() if v}
    with transaction.atomic():
        audit_write(
            actor=request.user,
            verb=ExchangeVerb.EXPORTED,
            target_type="core.auditlog",
            target_label=list_name,
            after={"list": list_name, "rows": len(rows), **({"filters": used} if used else {})},
        )
    filename = f"{list_name}_{timezone.localdate():%Y%m%d}.xlsx"
    return attachment(out.getvalue(), content_type=XLSX_CONTENT_TYPE, filename=filename)


@checks_query
@login_required
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered. The auditor's own use of it is audited too: each search with
    filters (not the pages of it, nor the page without filters) and each Excel export. The
    security administrator reads the auditors' rows only (``_audit_readable``)."""
    try:
        qs, filters = _audit_rows(request)
    except ValidationError as exc:  # the page again, as typed, the bad fields marked; no rows
        typed = {k: printable(request.GET.get(k, "")) for k in AUDIT_FILTERS}
        return _audit_page(request, None, typed, exc)
    if request.GET.get("export") == "xlsx":
        require_any(request.user, Capability.AUDIT_VIEW)  # the export stays the auditor's
        return _audit_xlsx(request, qs, filters)
    used = {k: v for k, v in filters.items() if v}
    if used and "page" not in request.GET:
        with transaction.atomic():
            audit_write(
                actor=request.user,
                verb=AUDIT_SEARCHED,
                target_type="core.auditlog",
                target_label=gettext("审计日志"),
                after={"filters": used},
            )
    return _audit_page(request, qs, filters)


def _audit_page(
    request: HttpRequest, qs: Any, filters: dict[str, str], error: ValidationError | None = None
) -> HttpResponse:
    """The page: the filter form as typed and a page of rows; with ``error`` (bad filters,
    422) the form with the bad fields marked and named, and no rows (they would not be the
    ones asked for)."""
    auditors_only = not has_capability(request.user, Capability.AUDIT_VIEW)
    if auditors_only:  # 三员分立: only the verbs among the rows the reader may see
        offered = sorted(set(_audit_readable(request.user).order_by().values_list("verb", flat=True)))
    else:
        written = AuditLog.objects.order_by().values_list("verb", flat=True).distinct()
        offered = sorted(set(written) | set(known_verbs()))
    page = paginate(request, qs) if qs is not None else None
    if page is not None:
        places = _place_labels([row.node_path for row in page])
        names = names_of(pair for row in page for pair in _row_pairs(row))
        for row in page:
            row.node_label = places.get(row.node_path, row.node_path)
            row.actor_text = _actor_text(row)
            row.verb_label = verb_label(row.verb)
            row.target_text, row.target_ref = _target(row, names)
            row.before_items = change_items(row.before, row.target_type, names)
            row.after_items = change_items(row.after, row.target_type, names)
    errors = error.errors if error is not None else {}
    context = {
        "page": page,
        "filters": filters,
        "errors": errors,
        "field_errors": {k: errors[k] for k in AUDIT_FILTERS if k in errors},
        # A field the page has no input for (a NUL in another parameter of the address).
        "other_errors": [r for k, reasons in errors.items() if k not in AUDIT_FILTERS for r in reasons],
        "verbs": verb_choices(offered),
        "pii_group": PII_GROUP,
        "pii_offered": not auditors_only or bool(set(offered) & set(pii_verbs())),
        "auditors_only": auditors_only,
        "query": query_without_page(request),
        "export_query": query_without_page(request, "export"),
    }
    return render(request, "web/audit.html", context, status=422 if error is not None else 200)


@login_required
def locate_partial(request: HttpRequest) -> HttpResponse:
    """The operator's "which grid is this" box (same locator as the API)."""
    require_any(request.user, Capability.TERRITORY_VIEW)
    context: dict[str, Any] = {}
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        context["error"] = gettext("请填写数字形式的经度和纬度")
        return render(request, "web/_locate.html", context)
    try:
        check_lon_lat(lon, lat)
        found = locator.locate(lon, lat, crs=request.GET.get("crs", "wgs84"))
    except CivicError as exc:
        context["error"] = exc.message
        return render(request, "web/_locate.html", context)
    if found is None:
        context["error"] = _outside_grids(request.user, lon, lat, request.GET.get("crs", "wgs84"))
    else:
        context["location"] = found
        context["rows"] = [(NodeKind(level).label, found.levels.get(level)) for level in LEVELS]
    return render(request, "web/_locate.html", context)


def _outside_grids(user: Any, lon: float, lat: float, crs: str) -> str:
    """What a point in no grid means, as intake treats it (``intake._locate``): far from
    every grid it is refused; nearer it is filed in the filer's area, without a grid."""
    from civicgrid.requests.services import intake

    if intake._far_from_every_grid(lon, lat, crs):
        return gettext(
            "该位置不在本辖区内（离最近的网格超过{value}公里），请核对经纬度；登记诉求时将被拒绝"
        ).format(value=intake.FAR_METRES // 1000)
    place = None
    if has_capability(user, Capability.REQUEST_INTAKE):
        place = intake.place_preview(user, building=None, lon=None, lat=None)
    if place is None:
        return gettext("该位置不在辖区范围内（附近也没有网格）")
    return gettext(
        "该位置不在任何网格内（附近也没有网格）：登记诉求时不定网格，记在“{place}”；请核对位置或选择楼栋"
    ).format(place=place.name)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: browsers ask for it on any page that names no icon (the H5 pages, the API's
    JSON, the admin). Our own icon from the static files, never anything from the internet."""
    response = HttpResponseRedirect(static("civicgrid/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
