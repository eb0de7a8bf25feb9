from typing import Any

from django.conf import settings
from django.http import HttpRequest

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.web.menu import menu_for


class Capabilities:
    """``{% if caps.IMPORT %}``: whether the signed-in user holds a capability anywhere, so
    a page shows no link that would answer 403 (the view still checks the place)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getitem__(self, name: str) -> bool:
        capability = Capability.__members__.get(name)
        if capability is None:
            raise KeyError(name)
        return self.user is not None and self.user.is_authenticated and has_capability(self.user, capability)


def civicgrid(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "caps": Capabilities(user),
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_tile_crs": settings.MAP_TILE_CRS,
    }
