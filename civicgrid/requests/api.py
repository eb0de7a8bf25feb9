"""Request endpoints under /api/v1/requests/ (filled in by the API work)."""

from ninja import Router

router = Router(tags=["requests 接诉即办"])
