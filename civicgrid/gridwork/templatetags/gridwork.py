"""Template helpers of grid work."""

from django import template

from civicgrid.gridwork.services.campaigns import place_name
from civicgrid.territory.models import Node

register = template.Library()


@register.filter
def place(node: Node | None) -> str:
    """Where someone lives, said the way a grid worker says it: "3号楼 2单元"."""
    return place_name(node) if node is not None else ""
