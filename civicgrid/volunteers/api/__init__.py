"""JSON endpoints of volunteers under /api/v1/volunteers/ (one router, several modules)."""

from civicgrid.volunteers.api import activities, orders, people  # noqa: F401 - they register endpoints
from civicgrid.volunteers.api.common import router

__all__ = ["router"]
