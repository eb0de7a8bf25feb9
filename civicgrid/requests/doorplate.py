"""Digital doorplates (数字门牌): signed tokens that name a building, and their QR codes.

A plate carries ``/requests/doorplate/<token>/`` where the token is the building id signed
with Django's ``Signer`` (HMAC-SHA256 under ``SECRET_KEY``, its own salt): nobody can walk
the ids to find other plates, and a changed character gives 404. Printed plates stay valid
as long as the secret key does; when rotating it, keep the old one in
``SECRET_KEY_FALLBACKS``. QR codes are SVG (``qrcode.image.svg``), so no image library is
needed and they print sharp at any size.
"""

import re

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound
from civicgrid.territory.models import Node, NodeKind

SALT = "civicgrid.requests.doorplate"
# "." is not in the signature's alphabet, so it can separate; it keeps URLs free of ":".
_SEP = "."
# Kinds that make up a building's postal place, from the top (grids are not places).
PLACE_KINDS = (
    NodeKind.DISTRICT,
    NodeKind.SUBDISTRICT,
    NodeKind.COMMUNITY,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
)


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEP)


def doorplate_token(building: Node) -> str:
    """``<id>.<signature>``: the id alone is useless without the signature."""
    return _signer().sign(str(building.pk))


def building_for_token(token: str) -> Node:
    """The active building a token names; NotFound for a tampered token or a retired plate."""
    try:
        raw = _signer().unsign(token)
    except signing.BadSignature:
        raise NotFound(_("门牌二维码无效，请确认扫描的是本小区张贴的门牌")) from None
    building = (
        Node.objects.filter(pk=int(raw), kind=NodeKind.BUILDING, is_active=True).first()
        if raw.isdecimal()
        else None
    )
    if building is None:
        raise NotFound(_("该门牌已停用或楼栋不存在"))
    return building


def public_base_url(request: HttpRequest | None = None) -> str:
    """Where residents reach the site: ``CIVICGRID_PUBLIC_URL``, else the current host."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""


def doorplate_url(building: Node, request: HttpRequest | None = None) -> str:
    path = reverse("requests:doorplate", args=[doorplate_token(building)])
    return public_base_url(request) + path


_SIZE_ATTRS = re.compile(r'\s(width|height)="[^"]*"')


def qr_svg(data: str, *, label: str = "") -> str:
    """Inline SVG markup of a QR code for ``data``; sized by CSS (no fixed width/height).

    Error correction Q (25 %) so a plate that is scratched or dirty still scans.
    """
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_Q,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    markup = qr.make_image().to_string(encoding="unicode")
    head, sep, rest = markup.partition(">")
    head = _SIZE_ATTRS.sub("", head)
    return f'{head} class="qr" role="img" aria-label="{escape(label or _("二维码"))}"{sep}{rest}'


def place_names(building: Node) -> list[Node]:
    """The building's ancestors that make up its address (district … compound), then itself."""
    ancestors = Node.objects.filter(pk__in=building.ancestor_ids, kind__in=PLACE_KINDS).order_by("depth")
    return [*ancestors, building]


def building_address(building: Node) -> str:
    """The building's own address when recorded, else its place names joined."""
    if building.address.strip():
        return building.address.strip()
    return join_place([n.name for n in place_names(building)])


def join_place(names: list[str]) -> str:
    """``梁溪区…胜利门花园`` + ``胜利门花园1号楼`` reads ``…胜利门花园1号楼`` (no repeat)."""
    kept = [name for name, after in zip(names, [*names[1:], ""], strict=True) if not after.startswith(name)]
    return "".join(kept)


def places_for(buildings: list[Node]) -> dict[int, str]:
    """Addresses of many buildings with one query for all their ancestors (batch printing)."""
    ancestor_ids = {i for b in buildings for i in b.ancestor_ids}
    names = dict(Node.objects.filter(pk__in=ancestor_ids, kind__in=PLACE_KINDS).values_list("pk", "name"))
    return {
        b.pk: b.address.strip() or join_place([*(names[i] for i in b.ancestor_ids if i in names), b.name])
        for b in buildings
    }
