"""Who reads Open311, and which requests they get in full.

Requests of a 12345 hotline are not public by default: the public view is off unless the
deployment turns it on (``CIVICGRID_OPEN311_PUBLIC=1``, ``public_view_on``); while it is off
a call without ``api_key`` that reads requests or updates is refused (403) and a keyed system
gets only its own requests. Open311 answers two audiences:

* **the public** (no ``api_key``, the public view on): only requests about a public place, in
  the *public view* (``present.service_request(full=False)``): category, status, responsible
  unit, times and a coarse place, never the description, the address, the exact point or the
  text of a reply. A request is about a public place when its category is one of physical
  things a grid worker can go and look at — the catalogue's 需要网格员现场核查
  (``needs_verification``: roads, lamps, rubbish, manholes, facilities, illegal structures…);
  every other category (wages, neighbour disputes, 群租房, emergency calls, policies) is about
  a person and left out. Left out too whatever their category: consultations, requests for
  help and emergencies (一键报警 of a resident living alone) — about a person, not a place —
  and grid workers' reports (the product's own field work, often about a vulnerable resident
  at home) — the rules of ``civicgrid.requests.public``, shared with the resident pages'
  similar requests (跟进这件). Anonymous and confidential requests are listed without any
  place at all: nor the units handling them (a community's office names its community), nor
  the request one was merged into.
* **a registered system** (``api_key``: an API token, as for the JSON API, sent in an
  ``Authorization: Bearer`` header, never in the query string — ``sent_key``): besides the
  public rows, in full the requests its account may read through the JSON API and the ones
  it filed (``requests.selectors.requests_readable``: a client follows what it filed) — the
  same set in the list, one request and the update feed.
  Nothing personal (names, phones) in either view.
"""

from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.api import token_user
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.public import about_a_place_q
from civicgrid.requests.selectors import requests_readable


def public_view_on() -> bool:
    """Whether callers without ``api_key`` may read requests (the public view): the
    ``OPEN311_PUBLIC_VIEW`` setting (``CIVICGRID_OPEN311_PUBLIC``), off by default."""
    return bool(getattr(settings, "OPEN311_PUBLIC_VIEW", False))


def listed_q(prefix: str = "") -> Q:
    """The requests anyone may see (in the public view); ``prefix`` ``"request__"`` for events.
    A place is something one can go and look at: the category's ``needs_verification``; the
    rules are ``requests.public.about_a_place_q``, which the resident pages' similar list
    (跟进这件) applies too."""
    return about_a_place_q(prefix)


def shared_q(prefix: str = "") -> Q:
    """``listed_q`` while the public view is on, else nothing at all."""
    return listed_q(prefix) if public_view_on() else Q(pk__in=[])


def public_reader() -> None:
    """A call without ``api_key``: refused while the public view is off."""
    if not public_view_on():
        raise PermissionDenied(_("本平台未开放公开查询诉求，请用请求头 Authorization: Bearer <api_key>"))


def place_hidden(request: Request) -> bool:
    """Whether the public view shows no place at all (nor the handling units' names): the
    requester hid their name or asked for confidentiality, and even a coarse place could
    point at them."""
    return request.anonymous or request.confidential


def sent_key(request: HttpRequest, params: dict[str, str] | None = None) -> str:
    """The ``api_key`` of a call: from the POST body (``params``: form or JSON, as GeoReport
    v2 passes it) or an ``Authorization: Bearer <key>`` header (the only way for a GET).
    One in the query string is refused and never read: a URL ends up in access logs,
    proxies and browser history, and the key is an API token of a staff account. An empty
    ``api_key=`` there (FixMyStreet's client sends one) is no key and ignored, as is a header
    of another scheme (``Basic`` added by a proxy): only ``Bearer`` carries a key."""
    if any(value.strip() for value in request.GET.getlist("api_key")):  # an empty one is no key
        raise ValidationError(
            _(
                "不能放在网址中（会留在访问日志和浏览器历史里），"
                "请放在 POST 请求体中，或用请求头 Authorization: Bearer <api_key>"
            ),
            field="api_key",
        )
    body = (params or {}).get("api_key", "").strip()
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return body
    scheme, space, value = header.partition(" ")
    if space and scheme.lower() != "bearer":  # another scheme's credentials: not ours
        return body
    if (scheme.lower() != "bearer" or not value.strip()) and not body:  # a bare key, or no key
        raise ValidationError(_("请求头应为 Bearer <api_key>"), field="Authorization")
    return body or value.strip()


def reader(request: HttpRequest) -> Any:
    """The account of the ``api_key`` sent (None for the public). A key that is no valid
    token is refused rather than read as none: the client learns it was revoked."""
    key = sent_key(request)
    if not key:
        return None
    user, refused = token_user(key)
    if user is None:
        raise PermissionDenied(refused or _("api_key 无效"))
    return user


def requests_for(qs: QuerySet[Request], user: Any) -> QuerySet[Request]:
    """``qs`` cut to what ``user`` (None: the public) gets, each row annotated ``full``: the
    requests it may read and those it filed (``requests_readable``), in the list as in one
    request, so a client batch-polls what it filed."""
    if user is None:
        public_reader()
        return qs.filter(listed_q()).annotate(full=Value(False, output_field=BooleanField()))
    full = Exists(requests_readable(user).filter(pk=OuterRef("pk")))
    return qs.annotate(full=full).filter(Q(full=True) | shared_q())


def full(row: Request | RequestEvent) -> bool:
    """Whether a row of ``requests_for`` or ``events_for`` is shown in full."""
    return bool(getattr(row, "full", False))


def events_for(qs: QuerySet[RequestEvent], user: Any) -> QuerySet[RequestEvent]:
    """History rows of the requests ``user`` gets (as ``requests_for``), each annotated ``full``."""
    if user is None:
        public_reader()
        return qs.filter(listed_q("request__")).annotate(full=Value(False, output_field=BooleanField()))
    full = Exists(requests_readable(user).filter(pk=OuterRef("request_id")))
    return qs.annotate(full=full).filter(Q(full=True) | shared_q("request__"))
