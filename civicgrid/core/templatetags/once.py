"""``{% once_field %}``: the hidden one-time token of a form (``civicgrid.core.once``)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from civicgrid.core import once

register = template.Library()


@register.simple_tag
def once_field() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.issue())
