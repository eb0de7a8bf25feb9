"""Filters of the request page's timeline (办理过程)."""

from typing import Any

from django import template

from civicgrid.requests.web_helpers import deadline_change as _deadline_change

register = template.Library()


@register.filter
def deadline_change(data: Any) -> tuple[str, str] | None:
    """The resolution deadline before and after the event, local time ("Y-m-d H:i"), or None."""
    return _deadline_change(data)
