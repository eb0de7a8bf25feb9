"""How requests, categories and history look in Open311 GeoReport v2 (JSON).

Nothing personal ever leaves here: no names, phones or e-mail addresses; the
description, address and point of a confidential request are left out.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.requests.api.public import ANSWERS
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Category, Request, RequestEvent

CLOSED_STATUSES = frozenset({Status.CLOSED, Status.MERGED})


def w3c(moment: datetime | None) -> str | None:
    """``2026-01-31T08:00:00+08:00``: the W3C date-time Open311 asks for."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def service(category: Category) -> dict[str, Any]:
    group = category.parent.parent.name if category.parent and category.parent.parent else ""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.full_name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.keywords.replace("，", " ").replace(",", " ").split()),  # a list
        "group": group,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": []}


def status_notes(request: Request) -> str:
    label = Status(request.status).label
    if request.status == Status.MERGED and request.merged_into is not None:
        return _("{label}（合并至 {number}）").format(label=label, number=request.merged_into.number)
    if request.lead_unit is not None and request.status not in CLOSED_STATUSES:
        return f"{label}（{request.lead_unit.name}）"
    return str(label)


def service_request(request: Request) -> dict[str, Any]:
    public = not request.confidential
    category = request.category
    return {
        "service_request_id": request.number,
        "status": open_or_closed(request.status),
        "status_notes": status_notes(request),
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": request.content if public else "",
        "agency_responsible": request.lead_unit.name if request.lead_unit else "",
        "service_notice": "",
        "requested_datetime": w3c(request.received_at),
        "updated_datetime": w3c(request.updated_at),
        "expected_datetime": w3c(request.due_resolution_at),
        "address": request.address if public else "",
        "address_id": "",
        "zipcode": "",
        "lat": request.lat if public else None,
        "long": request.lon if public else None,
        "media_url": "",
    }


def update_description(event: RequestEvent, confidential: bool) -> str:
    text = str(Action(event.action).label)
    if event.unit is not None:
        text += f"：{event.unit.name}"
    if event.action in ANSWERS and event.note and not confidential:
        text += f"。{event.note}"
    return text


def update(event: RequestEvent) -> dict[str, Any]:
    request = event.request
    return {
        "update_id": str(event.pk),
        "service_request_id": request.number,
        "status": open_or_closed(event.to_status),
        "external_status_code": event.to_status,
        "updated_datetime": w3c(event.created_at),
        "description": update_description(event, request.confidential),
        "media_url": "",
    }
