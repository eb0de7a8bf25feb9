"""An order's ``origin`` (``"party.need:131"``, ``"requests.request:345"``) said in Chinese,
with a link to the record where it has a page. Other apps are named by URL name only."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.i18n import StrOrPromise
from civicgrid.requests.models import Request

REQUEST_ORIGIN = "requests.request"
# kind → (label, URL name of the record's page or "")
ORIGIN_KINDS: dict[str, tuple[StrOrPromise, str]] = {
    "party.need": (gettext_lazy("党建需求"), "party:need"),
    "party.council": (gettext_lazy("党群议事会"), ""),
    REQUEST_ORIGIN: (gettext_lazy("诉求"), "requests:detail"),
}
OTHER_ORIGIN = gettext_lazy("其他来源")


@dataclass(frozen=True)
class Origin:
    label: StrOrPromise
    url: str = ""
    code: str = ""  # the stored reference, for a title attribute


def request_origin(request: Request) -> str:
    return f"{REQUEST_ORIGIN}:{request.pk}"


def describe_origin(origin: str) -> Origin | None:
    """None for an order without an origin."""
    origin = (origin or "").strip()
    if not origin:
        return None
    kind, _, ref = origin.partition(":")
    if kind not in ORIGIN_KINDS or not (ref.isascii() and ref.isdecimal()):
        return Origin(OTHER_ORIGIN, "", origin)
    label, url_name = ORIGIN_KINDS[kind]
    pk = int(ref)
    if kind == REQUEST_ORIGIN:
        number = Request.objects.filter(pk=pk).values_list("number", flat=True).first()
        text = f"{label} {number}" if number else gettext("{label}（已不存在）").format(label=label)
    else:
        text = gettext("{label}（第{pk}号）").format(label=label, pk=pk)
    url = ""
    if url_name:
        try:
            url = reverse(url_name, args=[pk])
        except NoReverseMatch:
            url = ""
    return Origin(text, url, origin)
