"""JSON endpoints of red property under /api/v1/property/."""

from civicgrid.property.api import endpoints  # noqa: F401 - it registers the endpoints
from civicgrid.property.api.endpoints import router

__all__ = ["router"]
