from typing import Any

from django.conf import settings
from django.http import HttpRequest

from civicgrid.web.menu import menu_for


def civicgrid(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_tile_crs": settings.MAP_TILE_CRS,
    }
