"""The router every module of the package adds its operations to."""

from ninja import Router

router = Router(tags=["网格工作"])
