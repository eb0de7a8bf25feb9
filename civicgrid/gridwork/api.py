"""JSON endpoints of gridwork under /api/v1/gridwork/."""

from ninja import Router

router = Router(tags=["网格工作"])
