"""The outbox as its page lists it: filtered, newest first, addresses masked."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.notify.models import Channel, Notification, State

# The 接收方 search matches the recipient's name, or the masked address as the page shows it
# (138****5678, 5678, z***@example.cn) among the newest rows the other filters leave: the
# addresses are encrypted, so each is decrypted to be compared, never searched in clear.
SEARCH_SCAN = 5000
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass(frozen=True)
class OutboxFilters:
    state: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def masked_address(row: Notification) -> str:
    """The row's address as staff may see it: a phone 138****5678, an e-mail z***@example.cn,
    an openid its first and last characters; "" when there is none."""
    try:
        address = crypto.decrypt(row.address_enc)
    except (crypto.UndecryptableError, ValueError):
        return _("（无法解密）")
    if not address:
        return ""
    if row.channel == Channel.EMAIL or "@" in address:
        return crypto.mask_email(address)
    if row.channel == Channel.WECHAT:
        return crypto.mask_id_number(address)
    return crypto.mask_phone(address)


def shown_error(text: str) -> str:
    """``last_error`` as the page shows it: the backends mask phones already; a mobile number
    a gateway put in its own error text is masked here too."""
    return _MOBILE_RE.sub(lambda found: crypto.mask_phone(found.group(0)), text)


def outbox_rows(filters: OutboxFilters) -> tuple[QuerySet[Notification], bool]:
    """The rows the filters choose, newest first, and whether the 接收方 search looked at only
    the newest ``SEARCH_SCAN`` of them (the page says so)."""
    qs = Notification.objects.all()
    if filters.state in State.values:
        qs = qs.filter(state=filters.state)
    if filters.channel in Channel.values:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from is not None:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    qs = qs.order_by("-created_at", "-id")
    cut = False
    if filters.q:
        wanted = filters.q.casefold()
        scanned = list(qs.only("id", "channel", "address_enc")[: SEARCH_SCAN + 1])
        cut = len(scanned) > SEARCH_SCAN
        matched = [row.pk for row in scanned[:SEARCH_SCAN] if wanted in masked_address(row).casefold()]
        qs = qs.filter(Q(recipient_label__icontains=filters.q) | Q(pk__in=matched))
    return qs, cut


def outbox_counts() -> dict[str, int]:
    """How many messages are in each state (the page's summary line)."""
    counts = dict.fromkeys(State.values, 0)
    for state, n in Notification.objects.order_by().values_list("state").annotate(n=Count("id")):
        counts[state] = n
    return counts


def row_view(row: Notification) -> dict[str, Any]:
    return {"row": row, "address": masked_address(row), "error": shown_error(row.last_error)}
