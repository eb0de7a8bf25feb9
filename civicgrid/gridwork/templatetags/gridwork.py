"""Template helpers of grid work."""

from django import template
from django.utils.html import json_script

from civicgrid.gridwork.jstext import js_text
from civicgrid.gridwork.services.campaigns import place_name
from civicgrid.territory.models import Node

register = template.Library()


@register.filter
def place(node: Node | None) -> str:
    """Where someone lives, said the way a grid worker says it: "3号楼 2单元"."""
    return place_name(node) if node is not None else ""


@register.simple_tag
def gridwork_js_text() -> str:
    """The phone script's texts in the page's language (``gridwork.jstext``), as a
    ``<script type="application/json" id="gw-text">`` block the script reads."""
    return json_script(js_text(), "gw-text")
