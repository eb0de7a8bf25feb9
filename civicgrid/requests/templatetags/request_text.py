"""A request's free text as a list shows it to the reader.

``{% shown r "title" 30 %}`` prints ``r.title`` (``"title"``, ``"address"`` or ``"content"``),
cut to 30 characters when a length is given; ``{% shown r "address" as address %}`` keeps it
for a ``blocktranslate``. Where the reader is not shown who filed ``r``
(``permissions.requester_shown``: anonymous, or confidential and not theirs to see), the ID
numbers and phones typed into the text are masked (``crypto.mask_numbers_in_text``), as on
the request page itself (``permissions.shown_text``). The reader is the page's user
(``request.user`` in the context).

Asks nothing for the common row (neither anonymous nor confidential, or a row without
those flags, as a test's stand-in); a confidential one
asks ``sees_requester`` once per request instance (remembered on it)."""

from typing import Any

from django import template
from django.template.defaultfilters import truncatechars

from civicgrid.requests.permissions import shown_text

register = template.Library()


def _reader(context: template.Context) -> Any:
    http = context.get("request")
    user = getattr(http, "user", None)
    return user if user is not None else context.get("user")


@register.simple_tag(takes_context=True)
def shown(context: template.Context, request: Any, field: str, length: int | None = None) -> str:
    text = shown_text(_reader(context), request, field)
    return truncatechars(text, length) if length else text
