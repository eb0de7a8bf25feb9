"""How requests, categories and history look in Open311 GeoReport v2 (JSON).

Nothing personal ever leaves here: no names, phones or e-mail addresses. A request comes
in one of two views (``audience`` decides which): the full view (description, address,
exact point, the text of replies) or the public view, which keeps only what says nothing
about a person: category, status, responsible unit, times, and a coarse place (the point
rounded to about 100 m and the community's name).

Anonymous and confidential requests get no place at all in the public view, and that
includes the names of the units handling them (``agency_responsible``, the unit in
``status_notes`` and in the history's descriptions) and the link of a merge (a duplicate
is about the same place: a hidden request's row does not name the request it joined, nor
does a placed row name the hidden request it joined). A community's or a subdistrict's
office names the place as surely as the address did. They are left out rather than cut to
the district because the place already is: a district's name in one field would give back
what the view drops everywhere else, and a unit's name is free text, not a level of the
territory.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.open311.audience import place_hidden
from civicgrid.requests.api.public import ANSWERS
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Category, Request, RequestEvent
from civicgrid.territory.models import Node, NodeKind

CLOSED_STATUSES = frozenset({Status.CLOSED, Status.MERGED})
COARSE_DIGITS = 3  # decimals of a public point: 0.001° is about 100 m
# The levels a public place names ("梁溪区崇安寺街道胜利门社区"): never a grid or a building.
PLACE_KINDS = (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)


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


def places_shown(request: Request, full: bool) -> bool:
    """Whether a row may name where the request is: its place, its units, what it joined."""
    return full or not place_hidden(request)


def status_notes(request: Request, full: bool) -> str:
    label = Status(request.status).label
    if not places_shown(request, full):
        return str(label)
    target = request.merged_into
    if request.status == Status.MERGED and target is not None:
        if not places_shown(target, full):  # a duplicate's place would be the target's
            return str(label)
        return _("{label}（合并至 {number}）").format(label=label, number=target.number)
    if request.lead_unit is not None and request.status not in CLOSED_STATUSES:
        return f"{label}（{request.lead_unit.name}）"
    return str(label)


def places(requests: list[Request]) -> dict[str, str]:
    """The public place of each request's node path: its district, subdistrict and
    community names (one query for the lot)."""
    paths = {r.node_path for r in requests if r.node_path}
    ids = {int(part) for path in paths for part in path.split("/") if part}
    names = dict(Node.objects.filter(pk__in=ids, kind__in=PLACE_KINDS).order_by().values_list("pk", "name"))
    return {path: "".join(names.get(int(part), "") for part in path.split("/") if part) for path in paths}


def coarse(value: float | None) -> float | None:
    return None if value is None else round(value, COARSE_DIGITS)


def location(request: Request, full: bool, public_places: dict[str, str]) -> dict[str, Any]:
    if full:
        return {"address": request.address, "lat": request.lat, "long": request.lon}
    if not places_shown(request, full):
        return {"address": "", "lat": None, "long": None}
    return {
        "address": public_places.get(request.node_path, ""),
        "lat": coarse(request.lat),
        "long": coarse(request.lon),
    }


def service_request(request: Request, full: bool, public_places: dict[str, str]) -> dict[str, Any]:
    """A request in the full or the public view (``public_places``: from ``places``)."""
    category = request.category
    place = location(request, full, public_places)
    return {
        "service_request_id": request.number,
        "status": open_or_closed(request.status),
        "status_notes": status_notes(request, full),
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": request.content if full else "",
        "agency_responsible": agency(request, full),
        "service_notice": "",
        "requested_datetime": w3c(request.received_at),
        "updated_datetime": w3c(request.updated_at),
        "expected_datetime": w3c(request.due_resolution_at),
        "address": place["address"],
        "address_id": "",
        "zipcode": "",
        "lat": place["lat"],
        "long": place["long"],
        "media_url": "",
    }


def agency(request: Request, full: bool) -> str:
    unit = request.lead_unit
    return unit.name if unit is not None and places_shown(request, full) else ""


def update_description(event: RequestEvent, full: bool) -> str:
    """The action and its unit (not for a request whose place is hidden: see the module); in
    the full view also the answer given (a reply's text)."""
    text = str(Action(event.action).label)
    if event.unit is not None and places_shown(event.request, full):
        text += f"：{event.unit.name}"
    if event.action in ANSWERS and event.note and full:
        text += f"。{event.note}"
    return text


def update(event: RequestEvent, full: bool) -> dict[str, Any]:
    request = event.request
    return {
        "update_id": str(event.pk),
        "service_request_id": request.number,
        "status": open_or_closed(event.to_status),
        "external_status_code": event.to_status,
        "updated_datetime": w3c(event.created_at),
        "description": update_description(event, full),
        "media_url": "",
    }
