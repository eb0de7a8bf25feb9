"""The public board (晒单) of a community: completed services, names masked, no addresses."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.territory.models import Node
from civicgrid.volunteers import selectors
from civicgrid.volunteers.constants import ServiceType, TakerKind
from civicgrid.volunteers.models import ServiceOrder

BOARD_SIZE = 30


def taker_public(order: ServiceOrder) -> str:
    """The taker as the board shows them: units by name, people masked (志愿者 张*强)."""
    if order.taker_kind == TakerKind.UNIT:
        return _("共建单位 {taker_label}").format(taker_label=order.taker_label)
    who = TakerKind(order.taker_kind).label if order.taker_kind else ""
    return f"{who} {crypto.mask_name(order.taker_label)}".strip()


def board_items(community: Node, limit: int = BOARD_SIZE) -> list[dict[str, Any]]:
    items = []
    for order in selectors.board_orders(community)[:limit]:
        items.append(
            {
                "id": order.pk,
                "number": order.number,
                "title": order.title,
                "service_type": str(ServiceType(order.service_type).label),
                "place": order.node.name,
                "taker": taker_public(order),
                "completed_at": order.completed_at,
                "hours": order.hours,
                "rating": order.rating,
                "rating_comment": order.rating_comment,
                "photos": [reverse("volunteers:photo", args=[p.pk]) for p in order.photos.all()],
            }
        )
    return items


def board(request: HttpRequest, community_id: int) -> HttpResponse:
    community = selectors.board_community(community_id)
    figures = selectors.figures_under([community.path])
    return render(
        request,
        "volunteers/h5/board.html",
        {"community": community, "items": board_items(community), "figures": figures},
    )
