"""Template helpers of grid work."""

from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import json_script

from civicgrid.gridwork.jstext import js_text
from civicgrid.gridwork.services.campaigns import place_name
from civicgrid.requests.selectors import requests_readable
from civicgrid.territory.models import Node

register = template.Library()


@register.filter
def place(node: Node | None) -> str:
    """Where someone lives, said the way a grid worker says it: "3号楼 2单元"."""
    return place_name(node) if node is not None else ""


@register.filter
def deadline(day: date | None) -> str:
    """A deadline, short: "12-31" in this year, "2027-01-15" in another (a campaign that
    ends next year, or one long past, must not read as this year's)."""
    if day is None:
        return ""
    return day.strftime("%m-%d") if day.year == timezone.localdate().year else day.isoformat()


@register.filter
def overdue(day: date | None) -> bool:
    """The day has passed (before today)."""
    return day is not None and day < timezone.localdate()


@register.simple_tag(takes_context=True)
def readable_requests(context: template.Context, findings: list[Any]) -> set[int]:
    """Of the requests these findings reported or followed, the ids of those the signed-in
    worker may open (their own reports, those of their grids): the diary links them to the
    request's page (status, handling unit, timeline), so a report can be followed up."""
    ids = [f.request_id for f in findings if f.request_id]
    if not ids:
        return set()
    user = context["request"].user
    return set(requests_readable(user).filter(pk__in=ids).values_list("pk", flat=True))


@register.simple_tag
def gridwork_js_text() -> str:
    """The phone script's texts in the page's language (``gridwork.jstext``), as a
    ``<script type="application/json" id="gw-text">`` block the script reads."""
    return json_script(js_text(), "gw-text")
