"""The error answer every router documents: one component, ``ErrorOut``, for the whole API.

Each router used to declare its own copy; OpenAPI keeps one component per class name, so
the copies overwrote one another (harmless only while they stayed identical)."""

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str = Field(description="错误代码：invalid / forbidden / not_found / conflict / unauthorized")
    message: str = Field(description="中文说明")
    detail: Any = Field(None, description="invalid 时为 {字段: [原因]}")


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
