"""Helpers shared by the endpoints: finding the target, the early permission check, lookups."""

from datetime import UTC, datetime
from typing import Any

from django.db.models import DateTimeField, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.requests.catalogue.cache import catalogue_cache
from civicgrid.requests.constants import Action
from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.permissions import actor_kinds
from civicgrid.requests.selectors import requests_readable
from civicgrid.requests.transitions import TRANSITIONS

NOT_FOUND = gettext_lazy("诉求不存在或您无权查看")

# One router for every module of the package (a path served by two routers would
# answer only the methods of the first).
router = Router(tags=["requests 接诉即办"])


def with_relations(qs: QuerySet[Request]) -> QuerySet[Request]:
    return qs.select_related("category", "lead_unit")


def target(actor: Any, request_id: int, action: str) -> Request:
    """The request an action is aimed at, refused early (403) when the actor may not take it.

    The service checks again under the row lock; this early check only makes sure an
    outsider learns nothing from the other arguments (units, numbers) and changes nothing.
    """
    request = with_relations(Request.objects.all()).filter(pk=request_id).first()
    if request is None:
        raise NotFound(NOT_FOUND)
    try:
        guard(actor, request, action)
    except PermissionDenied:
        # A request the actor may not even read answers as one that does not exist (as its
        # GET and the pages do): a 403 would tell an outsider that the number is taken.
        if not requests_readable(actor).filter(pk=request.pk).exists():
            raise NotFound(NOT_FOUND) from None
        raise
    return request


def guard(actor: Any, request: Request, action: str) -> None:
    if not actor_kinds(actor, request) & TRANSITIONS[action].actors:
        from civicgrid.requests.services.engine import lead_changed  # the services import this app

        raise PermissionDenied(
            lead_changed(actor, request, action)
            or _("您无权对该诉求执行「{label}」").format(label=Action(action).label)
        )


def fresh(request_id: int) -> Request:
    """The request as it is now (after an action), with what the summary shows."""
    return with_relations(Request.objects.all()).get(pk=request_id)


def summary_ready(request: Request) -> Request:
    """The service's own instance when it already holds the category and lead unit the
    summary shows (saves a query on the intake path), else the request read afresh.

    Its datetimes are given in UTC, as a request read from the database has them: the
    service computes the deadlines in local time, and the answer would otherwise show
    them with +08:00 where a GET of the same request shows ``Z``."""
    for name in ("category", "lead_unit"):
        field = Request._meta.get_field(name)
        if getattr(request, field.attname) is not None and not field.is_cached(request):  # type: ignore[union-attr]
            return fresh(request.pk)
    for field in Request._meta.concrete_fields:
        moment = getattr(request, field.attname)
        if isinstance(field, DateTimeField) and isinstance(moment, datetime) and timezone.is_aware(moment):
            setattr(request, field.attname, moment.astimezone(UTC))
    return request


def units_by_id(ids: list[int], field: str) -> list[HandlingUnit]:
    wanted = list(dict.fromkeys(ids))
    found = {u.pk: u for u in HandlingUnit.objects.filter(pk__in=wanted, is_active=True)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            _("承办单位不存在或已停用：{missing}").format(missing="、".join(missing)), field=field
        )
    return [found[i] for i in wanted]


def unit_by_id(pk: int, field: str) -> HandlingUnit:
    return units_by_id([pk], field)[0]


def category_by_id(pk: int, field: str = "category_id") -> Category:
    category = catalogue_cache.category(pk)
    if category is None:
        raise ValidationError(_("分类不存在"), field=field)
    return category
