"""Home page per role and the audit log page."""

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicgrid.accounts.models import AdminRole, Role, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import actor_roles, require_any
from civicgrid.core.models import AuditLog
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import node_roots

HOME_HINTS: dict[str, str] = {
    Role.OPERATOR: "受理来电与来访，登记诉求，查询来电人历史。",
    Role.HANDLER: "签收、办理、答复本单位承办的诉求。",
    Role.COMMUNITY_WORKER: "管理本社区的网格、人员、房屋、单位和岗位。",
    Role.GRID_WORKER: "巡查走访本网格，维护本网格的人房信息。",
    Role.LEADER: "查看辖区概况、排名与预警。",
    AdminRole.SYSTEM: "维护区域网格、事项清单和系统配置。",
    AdminRole.SECURITY: "管理账号、角色和数据范围。",
    AdminRole.AUDIT: "检索和查看审计日志。",
}


def _scope_summary(node: Node) -> dict[str, Any]:
    under = node.path
    return {
        "node": node,
        "grids": Node.objects.filter(path__startswith=under, kind=NodeKind.GRID).count(),
        "communities": Node.objects.filter(path__startswith=under, kind=NodeKind.COMMUNITY).count(),
        "residents": Resident.objects.filter(node_path__startswith=under, is_active=True).count(),
        "organisations": Organisation.objects.filter(node_path__startswith=under).count(),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    roles: list[dict[str, Any]] = []
    if user.admin_role:
        roles.append(
            {"label": AdminRole(user.admin_role).label, "hint": HOME_HINTS[user.admin_role], "node": None}
        )
    assignments = actor_roles(user)
    nodes = {n.path: n for n in Node.objects.filter(path__in=[p for _, p in assignments])}
    for role, path in assignments:
        roles.append({"label": Role(role).label, "hint": HOME_HINTS[role], "node": nodes.get(path)})
    summaries = [_scope_summary(n) for n in node_roots(user)[:6]]
    return render(request, "web/home.html", {"roles": roles, "summaries": summaries})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.AUDIT_VIEW)
    qs = AuditLog.objects.all()
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("actor", "verb", "target", "date_from", "date_to", "request_id")
    }
    if filters["actor"]:
        qs = qs.filter(actor_name__contains=filters["actor"])
    if filters["verb"]:
        qs = qs.filter(verb__startswith=filters["verb"])
    if filters["target"]:
        qs = qs.filter(target_label__contains=filters["target"])
    if filters["request_id"]:
        qs = qs.filter(request_id=filters["request_id"])
    if filters["date_from"]:
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters["date_to"]:
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    verbs = AuditLog.objects.order_by().values_list("verb", flat=True).distinct()
    page = paginate(request, qs)
    return render(
        request,
        "web/audit.html",
        {"page": page, "filters": filters, "verbs": sorted(set(verbs)), "query": query_without_page(request)},
    )
