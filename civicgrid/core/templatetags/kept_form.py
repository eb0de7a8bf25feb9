"""``{% kept_form %}``: what a refused form held, for ``kept-form.js`` (``core.kept_form``)."""

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from civicgrid.core import kept_form

register = template.Library()


@register.simple_tag(takes_context=True, name="kept_form")
def kept_form_data(context: Any) -> SafeString | str:
    request = context.get("request")
    kept = kept_form.take(request) if request is not None else None
    return json_script(kept, "kept-form") if kept else ""
