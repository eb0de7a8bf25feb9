"""JSON endpoints of governance under /api/v1/governance/."""

from ninja import Router

router = Router(tags=["主动治理"])
