"""JSON endpoints of classifier under /api/v1/classifier/."""

from ninja import Router

router = Router(tags=["智能分类"])
