"""The words of each request, cut once when it arrives (``RequestTerms``).

``governance_tick`` runs ``terms_index`` every minute: a city's 65,000 requests a day are
under one a second, a few milliseconds of jieba each. A hot-issue run first indexes what is
still missing in its period (``terms_index(received_from=…, received_to=…)``), so it never
misses a request; on a fresh database that first run pays for the cutting once.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef

from civicgrid.governance.models import RequestTerms
from civicgrid.governance.text import request_terms
from civicgrid.requests.models import Request

BATCH = 2000


def terms_index(
    *,
    limit: int | None = 20_000,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    path: str = "",
) -> int:
    """Cut the words of requests that have none yet; returns how many were indexed."""
    qs = Request.objects.filter(~Exists(RequestTerms.objects.filter(request_id=OuterRef("pk"))))
    if received_from is not None:
        qs = qs.filter(received_at__gte=received_from)
    if received_to is not None:
        qs = qs.filter(received_at__lt=received_to)
    if path:
        qs = qs.filter(node_path__startswith=path)
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = list(qs.order_by("pk").values_list("pk", "title", "content", "address")[:size])
        if not rows:
            break
        RequestTerms.objects.bulk_create(
            [RequestTerms(request_id=pk, terms=request_terms(t, c, a)) for pk, t, c, a in rows],
            ignore_conflicts=True,  # a concurrent tick indexed some of them first
        )
        done += len(rows)
        if len(rows) < size:
            break
    return done
