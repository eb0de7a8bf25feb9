"""Small geometry helpers for tests."""

import math

from civicgrid.conftest import square

__all__ = ["lon_lat_metres_east", "square"]


def lon_lat_metres_east(lon: float, lat: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` east of (lon, lat) (negative: west), on a 6,371 km sphere."""
    return lon + metres / (111_195.0 * math.cos(math.radians(lat))), lat
