"""JSON endpoints of party under /api/v1/party/."""

from ninja import Router

router = Router(tags=["党建引领"])
