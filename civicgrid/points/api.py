"""JSON endpoints of points under /api/v1/points/."""

from ninja import Router

router = Router(tags=["积分超市"])
